package io.zgrnet.cli;

/** A bad argument detected after parsing; reported as one line with exit code 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
