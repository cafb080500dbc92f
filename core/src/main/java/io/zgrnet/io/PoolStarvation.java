package io.zgrnet.io;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What a receive does when the pool has no free slot to receive into: slots come back from other
 * threads (the workers and the reader), not from the socket, so it waits a little and tries again,
 * neither spinning on the socket nor blocking past its own timeout or the backend's close.
 */
public final class PoolStarvation {
    /** How long one wait for slots lasts. */
    public static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private PoolStarvation() {
    }

    /**
     * Waits up to {@link #WAIT_NANOS} (less if the receive's deadline comes first).
     *
     * @param timeoutNanos the receive's timeout: negative = none, positive = {@code deadline} holds
     * @param deadline the receive's deadline ({@link System#nanoTime()} based) when timed
     * @return false when the receive's time is up (return 0), true to try again
     * @throws ClosedChannelException if the backend was closed meanwhile
     */
    public static boolean await(long timeoutNanos, long deadline, CloseGuard guard) throws ClosedChannelException {
        long left = timeoutNanos > 0 ? deadline - System.nanoTime() : WAIT_NANOS;
        if (left <= 0) {
            return false;
        }
        LockSupport.parkNanos(Math.min(left, WAIT_NANOS));
        if (guard.isClosed()) {
            throw new ClosedChannelException();
        }
        return true;
    }
}
