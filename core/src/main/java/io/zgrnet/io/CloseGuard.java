package io.zgrnet.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Makes {@code close()} from any thread safe against threads inside a resource's calls, with the
 * rule "the last one out turns off the lights": callers {@link #enter()} before touching the
 * resource's fds or native memory and {@link #exit()} after; {@link #close(Runnable)} marks the
 * resource closed so no new call enters, and the cleanup (freeing memory, closing fds) runs
 * exactly once, on whichever thread finds the resource closed with nobody inside: the closer if
 * nobody is inside, otherwise the last caller to leave. So memory and fds are freed only when no
 * thread can use them, and a caller stalled inside (a GC pause, a blocked log appender, a
 * descheduled thread) delays the cleanup instead of having memory unmapped under it.
 *
 * <p>The closer may {@link #awaitCleaned wait} for the cleanup, bounded; when a caller stays
 * inside longer, the closer returns and the cleanup happens when that caller leaves (or never, if
 * it never does: leaked rather than freed under it).
 *
 * <p>One int: the closed bit, the cleaning bit and the count of calls inside. Two atomic
 * operations per guarded call (per batch, not per datagram); no locks.
 */
public final class CloseGuard {
    private static final int CLOSED = 1 << 31;
    private static final int CLEANING = 1 << 30;
    private static final int USERS = ~(CLOSED | CLEANING);
    private static final System.Logger LOG = System.getLogger(CloseGuard.class.getName());
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(CloseGuard.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") private volatile int state;
    private volatile Runnable cleanup;
    private volatile boolean cleaned;
    private volatile Thread cleanedBy;

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

    /** Leaves a call entered with {@link #enter()}; runs the cleanup if it was the last one out of a closed guard. */
    public void exit() {
        int s = (int) STATE.getAndAdd(this, -1) - 1;
        if (s == CLOSED) {
            tryCleanup();
        }
    }

    /** True once {@link #close} ran. */
    public boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    /** Calls inside right now. */
    public int users() {
        return state & USERS;
    }

    /**
     * Marks closed (no new call enters) and arranges for {@code cleanup} to run once nobody is
     * inside: now, on this thread, if nobody is; else on the last caller's thread when it leaves.
     *
     * @return true for the first caller only (who owns the shutdown)
     */
    public boolean close(Runnable cleanup) {
        java.util.Objects.requireNonNull(cleanup, "cleanup");
        if ((state & CLOSED) != 0) {
            return false;
        }
        synchronized (this) { // closers only (never a guarded call): the first one's cleanup stays
            if (this.cleanup == null) {
                this.cleanup = cleanup; // before the closed bit: whoever sees the bit sees the cleanup
            }
        }
        int prev = (int) STATE.getAndBitwiseOr(this, CLOSED);
        if ((prev & CLOSED) != 0) {
            return false;
        }
        if ((prev & USERS) == 0) {
            tryCleanup();
        }
        return true;
    }

    /**
     * A resource's {@code close()} from any thread, before it waits: {@link #close(Runnable)}, and
     * when it is the first close, {@code wake} (e.g. an eventfd signal that ends a caller's blocking
     * wait). The wake runs inside a call of its own, so the cleanup, which frees what the wake
     * touches, cannot run before it: a caller that leaves in between is not the last one out.
     *
     * @return true for the first caller only (who owns the shutdown and may {@link #awaitCleaned})
     */
    public boolean closeAndWake(Runnable cleanup, Runnable wake) {
        boolean inside = enter();
        if (!close(cleanup)) {
            if (inside) {
                exit();
            }
            return false;
        }
        if (inside) {
            try {
                wake.run();
            } finally {
                exit();
            }
        }
        return true;
    }

    /** Marks closed without a cleanup (the caller frees nothing, or frees after {@link #awaitIdle}). */
    public boolean close() {
        return close(() -> { });
    }

    private void tryCleanup() {
        if (STATE.compareAndSet(this, CLOSED, CLOSED | CLEANING)) {
            try {
                cleanup.run();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "cleanup after close failed", e);
            } finally {
                cleanedBy = Thread.currentThread();
                cleaned = true;
            }
        }
    }

    /** True once the cleanup has run (on some thread). */
    public boolean isCleaned() {
        return cleaned;
    }

    /** The thread that ran the cleanup, or null before it ran. */
    public Thread cleanedBy() {
        return cleanedBy;
    }

    /**
     * Waits until the cleanup has run (after {@link #close}, with the callers inside woken up).
     *
     * @return true when it ran; false if callers were still inside after {@code timeoutNanos} (the
     *         cleanup then runs when the last one leaves)
     */
    public boolean awaitCleaned(long timeoutNanos) {
        return await(timeoutNanos, true);
    }

    /**
     * Waits until no call is inside.
     *
     * @return true when idle; false if calls were still inside after {@code timeoutNanos}
     */
    public boolean awaitIdle(long timeoutNanos) {
        return await(timeoutNanos, false);
    }

    private boolean await(long timeoutNanos, boolean forCleanup) {
        long deadline = System.nanoTime() + timeoutNanos;
        int spins = 0;
        while (forCleanup ? !cleaned : (state & USERS) != 0) {
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
