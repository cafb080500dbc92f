package io.zgrnet.sys;

/**
 * {@code struct cmsghdr} (ancillary data header) from {@code <sys/socket.h>} and the
 * {@code CMSG_ALIGN/CMSG_SPACE/CMSG_LEN/CMSG_DATA} macros of glibc {@code bits/socket.h}: 16 bytes
 * on LP64, data aligned to {@code sizeof(size_t)}. Used with {@code UDP_SEGMENT}/{@code UDP_GRO}
 * (level {@code SOL_UDP}). Checked by {@code SocketStructLayoutTest}.
 */
public final class Cmsghdr {
    /** {@code sizeof(struct cmsghdr)}. */
    public static final int SIZE = 16;
    /** {@code size_t cmsg_len}: header plus data, without trailing padding ({@link #len}). */
    public static final int CMSG_LEN = 0;
    /** {@code int cmsg_level}, e.g. {@code SOL_UDP}. */
    public static final int CMSG_LEVEL = 8;
    /** {@code int cmsg_type}, e.g. {@code UDP_GRO}. */
    public static final int CMSG_TYPE = 12;
    /** Offset of the data after the header: {@code CMSG_DATA(c) - (unsigned char *) c}. */
    public static final int DATA = 16;

    private static final int ALIGN = 8; // sizeof(size_t)

    private Cmsghdr() {
    }

    /** {@code CMSG_ALIGN(length)}: rounds up to {@code sizeof(size_t)}. */
    public static long align(long length) {
        return (length + ALIGN - 1) & ~(long) (ALIGN - 1);
    }

    /** {@code CMSG_SPACE(dataLength)}: bytes one message with that much data takes in a control buffer. */
    public static long space(long dataLength) {
        return align(dataLength) + align(SIZE);
    }

    /** {@code CMSG_LEN(dataLength)}: the value for {@code cmsg_len}. */
    public static long len(long dataLength) {
        return align(SIZE) + dataLength;
    }
}
