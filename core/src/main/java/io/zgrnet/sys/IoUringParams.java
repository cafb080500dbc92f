package io.zgrnet.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct io_uring_params} (120 bytes) with its embedded {@code io_sqring_offsets} and
 * {@code io_cqring_offsets} (40 bytes each), from {@code <linux/io_uring.h>}. Offsets checked by
 * {@code IoUringLayoutTest}. Used once per ring, at setup; no concurrency.
 */
public final class IoUringParams {
    /** {@code sizeof(struct io_uring_params)}. */
    public static final long SIZE = 120;
    /** {@code __u32 sq_entries}. */
    public static final long SQ_ENTRIES = 0;
    /** {@code __u32 cq_entries}. */
    public static final long CQ_ENTRIES = 4;
    /** {@code __u32 flags}. */
    public static final long FLAGS = 8;
    /** {@code __u32 sq_thread_cpu}. */
    public static final long SQ_THREAD_CPU = 12;
    /** {@code __u32 sq_thread_idle} (milliseconds). */
    public static final long SQ_THREAD_IDLE = 16;
    /** {@code __u32 features}. */
    public static final long FEATURES = 20;
    /** {@code __u32 wq_fd}. */
    public static final long WQ_FD = 24;
    /** {@code struct io_sqring_offsets sq_off}. */
    public static final long SQ_OFF = 40;
    /** {@code struct io_cqring_offsets cq_off}. */
    public static final long CQ_OFF = 80;

    // struct io_sqring_offsets (relative to SQ_OFF)
    /** {@code sq_off.head}. */
    public static final long SQ_OFF_HEAD = 0;
    /** {@code sq_off.tail}. */
    public static final long SQ_OFF_TAIL = 4;
    /** {@code sq_off.ring_mask}. */
    public static final long SQ_OFF_RING_MASK = 8;
    /** {@code sq_off.ring_entries}. */
    public static final long SQ_OFF_RING_ENTRIES = 12;
    /** {@code sq_off.flags}. */
    public static final long SQ_OFF_FLAGS = 16;
    /** {@code sq_off.dropped}. */
    public static final long SQ_OFF_DROPPED = 20;
    /** {@code sq_off.array}. */
    public static final long SQ_OFF_ARRAY = 24;

    // struct io_cqring_offsets (relative to CQ_OFF)
    /** {@code cq_off.head}. */
    public static final long CQ_OFF_HEAD = 0;
    /** {@code cq_off.tail}. */
    public static final long CQ_OFF_TAIL = 4;
    /** {@code cq_off.ring_mask}. */
    public static final long CQ_OFF_RING_MASK = 8;
    /** {@code cq_off.ring_entries}. */
    public static final long CQ_OFF_RING_ENTRIES = 12;
    /** {@code cq_off.overflow}. */
    public static final long CQ_OFF_OVERFLOW = 16;
    /** {@code cq_off.cqes}. */
    public static final long CQ_OFF_CQES = 20;
    /** {@code cq_off.flags}. */
    public static final long CQ_OFF_FLAGS = 24;

    private IoUringParams() {
    }

    /** Reads a {@code __u32} field at {@code offset}. */
    public static int get(MemorySegment params, long offset) {
        return params.get(JAVA_INT, offset);
    }

    /** Writes a {@code __u32} field at {@code offset}. */
    public static void set(MemorySegment params, long offset, int value) {
        params.set(JAVA_INT, offset, value);
    }
}
