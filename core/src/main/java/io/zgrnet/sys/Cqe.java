package io.zgrnet.sys;

/**
 * {@code struct io_uring_cqe} (16 bytes, {@code <linux/io_uring.h>}; without IORING_SETUP_CQE32).
 * Offsets checked by {@code IoUringLayoutTest}.
 *
 * <p>Concurrency: the kernel writes CQEs, then publishes the CQ tail; the owner reads the tail with
 * an acquire load before reading CQEs, and releases the head after it is done with them.
 */
public final class Cqe {
    /** {@code sizeof(struct io_uring_cqe)}. */
    public static final long SIZE = 16;
    /** {@code __u64 user_data}. */
    public static final long USER_DATA = 0;
    /** {@code __s32 res}: the result, or {@code -errno}. */
    public static final long RES = 8;
    /** {@code __u32 flags} (IORING_CQE_F_*; buffer id in the upper 16 bits). */
    public static final long FLAGS = 12;

    private Cqe() {
    }
}
