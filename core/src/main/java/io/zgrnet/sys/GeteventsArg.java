package io.zgrnet.sys;

/**
 * {@code struct io_uring_getevents_arg} (24 bytes, {@code <linux/io_uring.h>}; kernel 5.11), passed
 * to io_uring_enter with {@code IORING_ENTER_EXT_ARG}, and the {@code struct __kernel_timespec}
 * (16 bytes, {@code <linux/time_types.h>}) its {@code ts} points to. Offsets checked by
 * {@code IoUringLayoutTest}.
 */
public final class GeteventsArg {
    /** {@code sizeof(struct io_uring_getevents_arg)}. */
    public static final long SIZE = 24;
    /** {@code __u64 sigmask}: 0 = keep the signal mask. */
    public static final long SIGMASK = 0;
    /** {@code __u32 sigmask_sz}. */
    public static final long SIGMASK_SZ = 8;
    /** {@code __u64 ts}: pointer to a __kernel_timespec, 0 = no timeout. */
    public static final long TS = 16;

    /** {@code sizeof(struct __kernel_timespec)}. */
    public static final long TIMESPEC_SIZE = 16;
    /** {@code __kernel_time64_t tv_sec}. */
    public static final long TV_SEC = 0;
    /** {@code long long tv_nsec}. */
    public static final long TV_NSEC = 8;

    private GeteventsArg() {
    }
}
