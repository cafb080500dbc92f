package io.zgrnet;

import java.io.IOException;

/**
 * Whether a transport still works: open, closed by its owner, or failed on its own (the backend
 * kept failing). Every public call checks it first; the one failure model of {@link UDP}: a
 * {@link TransportClosedException}, with the failure as its cause when there is one.
 */
final class Lifecycle {
    private volatile boolean closed;
    private volatile IOException failure;

    /** @throws TransportClosedException if closed or failed */
    void check() throws TransportClosedException {
        if (closed || failure != null) {
            throw new TransportClosedException(failure);
        }
    }

    /** True once closed or failed: readers and writers stop. */
    boolean stopped() {
        return closed || failure != null;
    }

    boolean closed() {
        return closed;
    }

    void close() {
        closed = true;
    }

    /** Records the first failure; true if this call recorded it. */
    boolean fail(IOException cause) {
        if (failure != null) {
            return false;
        }
        failure = cause;
        return true;
    }

    IOException failure() {
        return failure;
    }
}
