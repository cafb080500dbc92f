package io.zgrnet.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Makes {@code close()} from any thread safe against threads inside a backend's calls: callers
 * {@link #enter()} before touching the backend's fds or native memory and {@link #exit()} after;
 * {@link #close()} marks the backend closed so no new call enters, and the closer then
 * {@link #awaitIdle waits} for the calls inside to leave (after waking them) before it frees
 * anything. That order prevents a recycled fd number or freed memory from being used.
 *
 * <p>One int: the closed bit and the count of calls inside. Two atomic operations per
 * {@code receive}/{@code send} call (per batch, not per datagram); no locks.
 */
public final class CloseGuard {
    private static final int CLOSED = 1 << 31;
    private static final int USERS = ~CLOSED;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(CloseGuard.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") private volatile int state;

    /** Enters a call; false (and nothing entered) when closed. */
    public boolean enter() {
        while (true) {
            int s = state;
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (STATE.weakCompareAndSet(this, s, s + 1)) {
                return true;
            }
        }
    }

    /** Leaves a call entered with {@link #enter()}. */
    public void exit() {
        STATE.getAndAdd(this, -1);
    }

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    /** Marks closed; true for the first caller only (who then owns the shutdown). */
    public boolean close() {
        return ((int) STATE.getAndBitwiseOr(this, CLOSED) & CLOSED) == 0;
    }

    /**
     * Waits until no call is inside (after {@link #close()}, with the callers woken up).
     *
     * @return true when idle; false if calls were still inside after {@code timeoutNanos}
     */
    public boolean awaitIdle(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        int spins = 0;
        while ((state & USERS) != 0) {
            if (deadline - System.nanoTime() < 0) {
                return false;
            }
            if (++spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
        return true;
    }
}
