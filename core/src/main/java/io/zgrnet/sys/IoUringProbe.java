package io.zgrnet.sys;

/**
 * {@code struct io_uring_probe} (16-byte header) followed by {@code struct io_uring_probe_op}
 * (8 bytes each), the argument of {@code IORING_REGISTER_PROBE} (kernel 5.6). From
 * {@code <linux/io_uring.h>}; offsets checked by {@code IoUringLayoutTest}.
 */
public final class IoUringProbe {
    /** {@code sizeof(struct io_uring_probe)} (the header). */
    public static final long SIZE = 16;
    /** {@code __u8 last_op}. */
    public static final long LAST_OP = 0;
    /** {@code __u8 ops_len}. */
    public static final long OPS_LEN = 1;
    /** {@code ops[]}. */
    public static final long OPS = 16;
    /** {@code sizeof(struct io_uring_probe_op)}. */
    public static final long OP_SIZE = 8;
    /** {@code io_uring_probe_op.op}. */
    public static final long OP_OP = 0;
    /** {@code __u16 io_uring_probe_op.flags} (IO_URING_OP_SUPPORTED). */
    public static final long OP_FLAGS = 2;
    /** Op slots we ask for (the header's ops_len is a u8). */
    public static final int MAX_OPS = 256;

    private IoUringProbe() {
    }
}
