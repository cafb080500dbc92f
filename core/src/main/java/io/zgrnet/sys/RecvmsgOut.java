package io.zgrnet.sys;

/**
 * {@code struct io_uring_recvmsg_out} (16 bytes, {@code <linux/io_uring.h>}; kernel 6.0): the
 * header a multishot RECVMSG writes at the start of each selected buffer, followed by the name area
 * ({@code msg_namelen} bytes reserved by the SQE's msghdr), the control area
 * ({@code msg_controllen} bytes) and the payload. Offsets checked by {@code IoUringLayoutTest}.
 */
public final class RecvmsgOut {
    /** {@code sizeof(struct io_uring_recvmsg_out)}. */
    public static final int SIZE = 16;
    /** {@code __u32 namelen}: the source address's real length. */
    public static final long NAMELEN = 0;
    /** {@code __u32 controllen}. */
    public static final long CONTROLLEN = 4;
    /** {@code __u32 payloadlen}: the datagram's real length, even when truncated. */
    public static final long PAYLOADLEN = 8;
    /** {@code __u32 flags}: recvmsg's msg_flags (MSG_TRUNC = 0x20). */
    public static final long FLAGS = 12;

    private RecvmsgOut() {
    }
}
