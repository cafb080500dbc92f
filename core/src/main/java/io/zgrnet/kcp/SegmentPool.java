package io.zgrnet.kcp;

/**
 * A bounded pool of segments shared by the control blocks of one owner (in zgrnet-java: one mux,
 * i.e. one peer), so that one peer's streams together never hold more than
 * {@code capacity × MSS} bytes of unacknowledged or not yet delivered data.
 *
 * <p>Segments are created lazily, the first time the pool is that deep, and recycled from then on:
 * memory follows the real high-water mark, and the steady state allocates nothing. When the pool is
 * empty, {@link Kcp#send} refuses (back-pressure) and {@link Kcp#input} drops a PUSH it cannot
 * store without acknowledging it (the peer retransmits), counted as
 * {@link KcpCounter#DROP_PUSH_NO_BUFFER}.
 *
 * <p>Not thread-safe: owned by the thread that owns the control blocks.
 */
public final class SegmentPool {
    private final Segment[] free;
    private final int capacity;
    private final int segmentBytes;
    private int freeCount;
    private int created;

    /**
     * @param capacity most segments in use at once (at least 1)
     * @param segmentBytes data bytes per segment (at least {@link KcpConstants#MSS})
     */
    public SegmentPool(int capacity, int segmentBytes) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: must be at least 1, got " + capacity);
        }
        if (segmentBytes < KcpConstants.MSS) {
            throw new IllegalArgumentException("segmentBytes: must be at least " + KcpConstants.MSS + ", got "
                    + segmentBytes);
        }
        this.capacity = capacity;
        this.segmentBytes = segmentBytes;
        this.free = new Segment[capacity];
    }

    /** A pool of {@code capacity} MSS-sized segments. */
    public SegmentPool(int capacity) {
        this(capacity, KcpConstants.MSS);
    }

    /** A cleared segment, or null when {@link #capacity()} segments are in use. */
    Segment acquire() {
        Segment s;
        if (freeCount > 0) {
            s = free[--freeCount];
            free[freeCount] = null;
        } else if (created < capacity) {
            s = new Segment(segmentBytes);
            created++;
        } else {
            return null;
        }
        s.reset();
        return s;
    }

    /** Gives a segment back; the caller must drop every reference to it. */
    void release(Segment s) {
        free[freeCount++] = s;
    }

    /** Segments that can still be acquired. */
    public int available() {
        return freeCount + (capacity - created);
    }

    /** Segments currently held by control blocks. */
    public int inUse() {
        return created - freeCount;
    }

    /** Segments created so far (the high-water mark). */
    public int created() {
        return created;
    }

    /** Most segments in use at once. */
    public int capacity() {
        return capacity;
    }
}
