package io.zgrnet.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct iovec} from {@code <sys/uio.h>} ({@code <linux/uio.h>}): 16 bytes on LP64.
 * Checked by {@code SocketStructLayoutTest}.
 */
public final class Iovec {
    /** {@code sizeof(struct iovec)}. */
    public static final int SIZE = 16;
    /** {@code void *iov_base}. */
    public static final int IOV_BASE = 0;
    /** {@code size_t iov_len}. */
    public static final int IOV_LEN = 8;

    private Iovec() {
    }

    /** Writes one iovec at {@code offset}: base address and length. */
    public static void set(MemorySegment segment, long offset, long base, long length) {
        segment.set(ValueLayout.JAVA_LONG, offset + IOV_BASE, base);
        segment.set(ValueLayout.JAVA_LONG, offset + IOV_LEN, length);
    }
}
