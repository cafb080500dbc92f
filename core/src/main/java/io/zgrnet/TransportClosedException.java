package io.zgrnet;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * Thrown by every call on a {@link UDP} that is closed, or that stopped working on its own (its
 * datagram backend kept failing: then {@link #getCause()} names the system call and errno),
 * including a reader blocked in {@code readFrom} when that happens.
 */
public final class TransportClosedException extends ClosedChannelException {
    private static final long serialVersionUID = 1L;

    private final String message;

    TransportClosedException(IOException failure) {
        this.message = failure == null ? "transport closed"
                : "transport failed: " + failure.getMessage() + " (close it)";
        if (failure != null) {
            initCause(failure);
        }
    }

    @Override
    public String getMessage() {
        return message;
    }
}
