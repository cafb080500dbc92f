package io.zgrnet.cli;

/**
 * A failure a command has already put into words: what failed and what to try. Reported as that
 * one line with exit code 1 (bad arguments are a {@link UsageException}, exit 2).
 */
final class CommandFailure extends RuntimeException {
    CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }

    CommandFailure(String message) {
        super(message);
    }
}
