package io.zgrnet.sys;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Fault injection at the binding boundary, for tests that prove a failed or stalled system call
 * costs an error and never a crash: each {@link FaultSite} can be made to fail with an errno, or
 * to stall the calling thread, at its {@code n}-th call and for a number of calls.
 *
 * <p>When nothing is injected the cost at a call site is one volatile read of a boolean that stays
 * false. Rules are set only through package-private methods, which tests reach through a bridge in
 * their own source tree; production code can only ask {@link #take}.
 *
 * <p>Concurrency: rules are published through an atomic array; counting is atomic, so a rule
 * fires exactly {@code times} times across threads.
 */
public final class Faults {
    /** One injected behaviour at one site. */
    private static final class Rule {
        final int errno;
        final long skip;
        final long times;
        final long stallNanos;
        final Thread only;
        final AtomicLong calls = new AtomicLong();
        final AtomicLong fired = new AtomicLong();

        Rule(int errno, long skip, long times, long stallNanos, Thread only) {
            this.errno = errno;
            this.skip = skip;
            this.times = times;
            this.stallNanos = stallNanos;
            this.only = only;
        }
    }

    private static final FaultSite[] SITES = FaultSite.values();
    private static final AtomicReferenceArray<Rule> RULES = new AtomicReferenceArray<>(SITES.length);
    private static volatile boolean armed;

    private Faults() {
    }

    /**
     * Called by a binding before the real call: the errno to fail with (0 = make the real call).
     * A stall rule parks the calling thread first, then lets the real call run.
     */
    public static int take(FaultSite site) {
        if (!armed) {
            return 0;
        }
        return fire(site);
    }

    /** Like {@link #take}, and when it injects, stores the errno where the downcall would have. */
    static int take(FaultSite site, MemorySegment errnoSlot) {
        int errno = take(site);
        if (errno != 0) {
            Libc.setErrno(errnoSlot, errno);
        }
        return errno;
    }

    private static int fire(FaultSite site) {
        Rule r = RULES.get(site.ordinal());
        if (r == null || (r.only != null && r.only != Thread.currentThread())) {
            return 0;
        }
        if (r.calls.incrementAndGet() <= r.skip || r.fired.incrementAndGet() > r.times) {
            return 0;
        }
        if (r.stallNanos > 0) {
            long deadline = System.nanoTime() + r.stallNanos;
            for (long left = r.stallNanos; left > 0; left = deadline - System.nanoTime()) {
                LockSupport.parkNanos(left); // not interruptible on purpose: a stalled thread
            }
        }
        return r.errno;
    }

    /**
     * Makes calls at {@code site} fail with {@code errno}: the first {@code skip} calls run normally,
     * then {@code times} calls fail (then normal again). {@code only}: just this thread's calls
     * (null: every thread's).
     */
    static void inject(FaultSite site, int errno, long skip, long times, Thread only) {
        if (errno <= 0) {
            throw new IllegalArgumentException("errno: must be > 0, got " + errno);
        }
        set(site, new Rule(errno, skip, times, 0, only));
    }

    /** Makes the {@code skip+1}-th call at {@code site} (of {@code only}, or any thread) park for {@code stall} first. */
    static void stall(FaultSite site, long skip, long stallNanos, Thread only) {
        if (stallNanos <= 0 || stallNanos > TimeUnit.MINUTES.toNanos(5)) {
            throw new IllegalArgumentException("stallNanos: must be in (0, 5 min], got " + stallNanos);
        }
        set(site, new Rule(0, skip, 1, stallNanos, only));
    }

    /** How many times the rule at {@code site} fired (0 without a rule). */
    static long fired(FaultSite site) {
        Rule r = RULES.get(site.ordinal());
        return r == null ? 0 : Math.min(r.fired.get(), r.times);
    }

    /** How many calls the rule at {@code site} has seen (0 without a rule). */
    static long calls(FaultSite site) {
        Rule r = RULES.get(site.ordinal());
        return r == null ? 0 : r.calls.get();
    }

    /** Removes every rule. */
    static void clear() {
        armed = false;
        for (int i = 0; i < SITES.length; i++) {
            RULES.set(i, null);
        }
    }

    private static void set(FaultSite site, Rule rule) {
        RULES.set(site.ordinal(), rule);
        armed = true;
    }
}
