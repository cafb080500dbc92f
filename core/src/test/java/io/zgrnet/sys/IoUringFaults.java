package io.zgrnet.sys;

/**
 * Test-only bridge to the package-private fault hooks of {@link IoUring}, so tests in other
 * packages can make the binding layer fail the way a restricted or old kernel would. Always undo
 * with {@link #clear()} in a finally block, and take {@code IoUringSupport.get()} (the cached
 * process-wide probe) before injecting anything, or the fault would be cached for every later test.
 */
public final class IoUringFaults {
    private IoUringFaults() {
    }

    /** Every io_uring_setup fails with {@code errno} (e.g. ENOSYS, EPERM). */
    public static void failSetup(int errno) {
        IoUring.injectSetupErrno(errno);
    }

    /** IORING_REGISTER_PROBE reports {@code opcode} as unsupported. */
    public static void hideOpcode(int opcode) {
        IoUring.hideOpcode(opcode);
    }

    /** Restores the real calls. */
    public static void clear() {
        IoUring.injectSetupErrno(0);
        IoUring.hideOpcode(-1);
    }
}
