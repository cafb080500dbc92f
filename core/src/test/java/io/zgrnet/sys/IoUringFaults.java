package io.zgrnet.sys;

import java.time.Duration;

/**
 * Test-only bridge to the package-private fault hooks of this package ({@link Faults} and
 * {@link IoUring#hideOpcode}), so tests in other packages can make the binding layer fail or stall
 * the way a restricted kernel, an exhausted resource or a descheduled thread would. Always undo
 * with {@link #clear()} in a finally block, and take {@code IoUringSupport.get()} (the cached
 * process-wide probe) before injecting anything, or the fault would be cached for every later test.
 */
public final class IoUringFaults {
    private IoUringFaults() {
    }

    /** Every io_uring_setup fails with {@code errno} (e.g. ENOSYS, EPERM). */
    public static void failSetup(int errno) {
        fail(FaultSite.IO_URING_SETUP, errno, 0, Long.MAX_VALUE);
    }

    /** After {@code skip} normal calls at {@code site}, the next {@code times} calls fail with {@code errno}. */
    public static void fail(FaultSite site, int errno, long skip, long times) {
        Faults.inject(site, errno, skip, times, null);
    }

    /** As {@link #fail}, for calls made by {@code thread} only. */
    public static void failOn(Thread thread, FaultSite site, int errno, long skip, long times) {
        Faults.inject(site, errno, skip, times, thread);
    }

    /** The {@code skip+1}-th call at {@code site} made by {@code thread} (any thread if null) stalls first. */
    public static void stall(FaultSite site, long skip, Duration stall, Thread thread) {
        Faults.stall(site, skip, stall.toNanos(), thread);
    }

    /** How many times the rule at {@code site} fired. */
    public static long fired(FaultSite site) {
        return Faults.fired(site);
    }

    /** How many calls the rule at {@code site} has seen. */
    public static long calls(FaultSite site) {
        return Faults.calls(site);
    }

    /** IORING_REGISTER_PROBE reports {@code opcode} as unsupported. */
    public static void hideOpcode(int opcode) {
        IoUring.hideOpcode(opcode);
    }

    /** Restores the real calls. */
    public static void clear() {
        Faults.clear();
        IoUring.hideOpcode(-1);
    }
}
