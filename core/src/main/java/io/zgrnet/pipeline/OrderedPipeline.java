package io.zgrnet.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The receive pipeline's in-order sequencer: one producer (the I/O agent) appends packet slots in
 * arrival order, any number of workers process them in parallel (decrypt), and one consumer (the
 * reader) takes them in arrival order, waiting only for the packet at the head.
 *
 * <p>Concurrency design. A ring of {@code capacity} entries and three cursors:
 * <ul>
 *   <li>{@code produced} (written by the producer only): entries below it are published. The
 *       producer writes the entry, then publishes with a release store.</li>
 *   <li>{@code claimed} (CAS by workers): the next entry to process. A worker claims one entry at a
 *       time with a CAS that never passes {@code produced} (acquire load), processes it, then marks
 *       it done by storing its sequence number into {@code done[i]} with a release store.</li>
 *   <li>{@code consumed} (written by the consumer only): entries below it are free again. The
 *       consumer takes the head when {@code done[head]} equals the head's sequence (acquire).</li>
 * </ul>
 * The producer never blocks: when the ring is full (the consumer is {@code capacity} behind),
 * {@link #offer(int)} returns false and the caller drops and counts. No locks; no allocation.
 * Sequence numbers in {@code done[]} make stale entries from an earlier lap unmistakable.
 */
public final class OrderedPipeline {
    /** Processes one slot on a worker thread; returns a result code the consumer sees. */
    @FunctionalInterface
    public interface Processor {
        /**
         * @param slot the packet slot
         * @return a result for the consumer (by convention >= 0 deliver, < 0 a drop reason)
         */
        int process(int slot);
    }

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle PRODUCED;
    private static final VarHandle CLAIMED;
    private static final VarHandle CONSUMED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PRODUCED = l.findVarHandle(OrderedPipeline.class, "produced", long.class);
            CLAIMED = l.findVarHandle(OrderedPipeline.class, "claimed", long.class);
            CONSUMED = l.findVarHandle(OrderedPipeline.class, "consumed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int mask;
    private final int[] slots;
    private final int[] results;
    private final long[] done;
    private final Processor processor;

    // Padding keeps the three cursors, each written by a different party, on separate cache lines.
    @SuppressWarnings("unused") private long p01, p02, p03, p04, p05, p06, p07;
    private volatile long produced;
    @SuppressWarnings("unused") private long p11, p12, p13, p14, p15, p16, p17;
    private volatile long claimed;
    @SuppressWarnings("unused") private long p21, p22, p23, p24, p25, p26, p27;
    private volatile long consumed;
    @SuppressWarnings("unused") private long p31, p32, p33, p34, p35, p36, p37;

    /**
     * @param capacity ring entries, a power of two >= 2
     * @param processor what workers do with each slot
     */
    public OrderedPipeline(int capacity, Processor processor) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two >= 2, got " + capacity);
        }
        this.mask = capacity - 1;
        this.slots = new int[capacity];
        this.results = new int[capacity];
        this.done = new long[capacity];
        java.util.Arrays.fill(done, -1L);
        this.processor = java.util.Objects.requireNonNull(processor, "processor");
    }

    /** Ring capacity. */
    public int capacity() {
        return mask + 1;
    }

    /**
     * Producer only: appends a slot in arrival order.
     *
     * @return false when the ring is full (the caller drops the packet and counts it)
     */
    public boolean offer(int slot) {
        long p = produced;
        if (p - (long) CONSUMED.getAcquire(this) > mask) {
            return false;
        }
        slots[(int) p & mask] = slot;
        PRODUCED.setRelease(this, p + 1); // publish the entry to workers
        return true;
    }

    /**
     * Worker: claims and processes at most one entry.
     *
     * @return 1 if an entry was processed, 0 if none was waiting
     */
    public int processOne() {
        long c;
        do {
            c = (long) CLAIMED.getVolatile(this);
            if (c >= (long) PRODUCED.getAcquire(this)) {
                return 0;
            }
        } while (!CLAIMED.compareAndSet(this, c, c + 1));
        int i = (int) c & mask;
        int result;
        try {
            result = processor.process(slots[i]);
        } catch (RuntimeException e) {
            // A processor bug must not wedge the ring: the entry completes as dropped.
            result = Integer.MIN_VALUE;
        }
        results[i] = result;
        LONGS.setRelease(done, i, c); // publish the result to the consumer
        return 1;
    }

    /** Consumer only: true when the head entry is processed and can be taken. */
    public boolean headReady() {
        long h = consumed;
        return (long) LONGS.getAcquire(done, (int) h & mask) == h;
    }

    /** Consumer only: the head's slot (call after {@link #headReady()}). */
    public int headSlot() {
        return slots[(int) consumed & mask];
    }

    /** Consumer only: the head's processing result (call after {@link #headReady()}). */
    public int headResult() {
        return results[(int) consumed & mask];
    }

    /** Consumer only: releases the head entry to the producer. */
    public void advance() {
        CONSUMED.setRelease(this, consumed + 1);
    }

    /** Entries produced but not yet consumed. */
    public int size() {
        return (int) ((long) PRODUCED.getVolatile(this) - (long) CONSUMED.getVolatile(this));
    }

    /** Entries produced but not yet claimed by a worker. */
    public int unclaimed() {
        return (int) Math.max(0, (long) PRODUCED.getVolatile(this) - (long) CLAIMED.getVolatile(this));
    }
}
