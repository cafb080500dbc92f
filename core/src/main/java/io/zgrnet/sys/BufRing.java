package io.zgrnet.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A provided-buffer ring (kernel 5.19, {@code IORING_REGISTER_PBUF_RING}): an array of
 * {@code struct io_uring_buf} (16 bytes each) whose entry 0 overlays the ring's {@code __u16 tail}
 * at offset 14 ({@code struct io_uring_buf_ring}), and the registration argument
 * {@code struct io_uring_buf_reg} (40 bytes). From {@code <linux/io_uring.h>}; offsets checked by
 * {@code IoUringLayoutTest}.
 *
 * <p>Concurrency: the owner writes entries with plain stores, then publishes them with a release
 * store of the tail ({@link #publishTail}); the kernel consumes from its private head. Same as
 * liburing's {@code io_uring_buf_ring_advance}.
 */
public final class BufRing {
    /** {@code sizeof(struct io_uring_buf)}. */
    public static final long BUF_SIZE = 16;
    /** {@code __u64 addr}. */
    public static final long BUF_ADDR = 0;
    /** {@code __u32 len}. */
    public static final long BUF_LEN = 8;
    /** {@code __u16 bid}. */
    public static final long BUF_BID = 12;
    /** {@code io_uring_buf_ring.tail}: overlays {@code bufs[0].resv}. */
    public static final long TAIL = 14;
    /** Largest ring (entries are a power of two up to 32768; man io_uring_register_buf_ring.3). */
    public static final int MAX_ENTRIES = 32768;

    /** {@code sizeof(struct io_uring_buf_reg)}. */
    public static final long REG_SIZE = 40;
    /** {@code __u64 ring_addr}. */
    public static final long REG_RING_ADDR = 0;
    /** {@code __u32 ring_entries}. */
    public static final long REG_RING_ENTRIES = 8;
    /** {@code __u16 bgid}. */
    public static final long REG_BGID = 12;

    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();

    private BufRing() {
    }

    /** Writes entry {@code index} (already masked). Does not touch the tail it may overlay. */
    public static void put(MemorySegment ring, int index, long addr, int len, int bid) {
        long base = index * BUF_SIZE;
        ring.set(JAVA_LONG, base + BUF_ADDR, addr);
        ring.set(JAVA_INT, base + BUF_LEN, len);
        ring.set(JAVA_SHORT, base + BUF_BID, (short) bid);
    }

    /** Publishes entries up to {@code tail} to the kernel: a release store of the u16 tail. */
    public static void publishTail(MemorySegment ring, int tail) {
        // Release: the entries written above become visible to the kernel before the new tail.
        SHORT.setRelease(ring, TAIL, (short) tail);
    }
}
