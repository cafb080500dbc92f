package io.zgrnet.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded lock-free multi-producer multi-consumer queue of ints (Vyukov's array queue: each cell
 * carries a sequence number, so producers and consumers claim cells with one CAS each and never
 * see a half-written cell). No allocation after construction. Used for the packet pool's free
 * list and for slot queues between threads.
 */
public final class BoundedIntQueue {
    private static final VarHandle SEQUENCE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(BoundedIntQueue.class, "head", long.class);
            TAIL = l.findVarHandle(BoundedIntQueue.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int[] values;
    private final long[] sequences;
    private final int mask;
    @SuppressWarnings("unused") private long p01, p02, p03, p04, p05, p06, p07;
    @SuppressWarnings("unused") private volatile long head; // next dequeue position
    @SuppressWarnings("unused") private long p11, p12, p13, p14, p15, p16, p17;
    @SuppressWarnings("unused") private volatile long tail; // next enqueue position
    @SuppressWarnings("unused") private long p21, p22, p23, p24, p25, p26, p27;

    /** @param minCapacity at least this many entries (rounded up to a power of two, >= 2) */
    public BoundedIntQueue(int minCapacity) {
        if (minCapacity < 1 || minCapacity > (1 << 30)) {
            throw new IllegalArgumentException("minCapacity must be 1..2^30, got " + minCapacity);
        }
        int capacity = Math.max(2, Integer.highestOneBit(minCapacity - 1) << 1);
        if (capacity < minCapacity) {
            capacity = minCapacity; // minCapacity was already a power of two
        }
        values = new int[capacity];
        sequences = new long[capacity];
        mask = capacity - 1;
        for (int i = 0; i < capacity; i++) {
            sequences[i] = i;
        }
    }

    /** Entries it can hold. */
    public int capacity() {
        return mask + 1;
    }

    /** Appends {@code value}; returns false when full. */
    public boolean offer(int value) {
        while (true) {
            long pos = (long) TAIL.getVolatile(this);
            int index = (int) pos & mask;
            long dif = (long) SEQUENCE.getAcquire(sequences, index) - pos;
            if (dif == 0) {
                if (TAIL.compareAndSet(this, pos, pos + 1)) {
                    values[index] = value;
                    SEQUENCE.setRelease(sequences, index, pos + 1); // publish the value
                    return true;
                }
            } else if (dif < 0) {
                // The cell still holds last lap's value. Truly full only if no consumer has claimed
                // it; otherwise a consumer is between its claim and its publish: wait for it.
                if (pos - (long) HEAD.getVolatile(this) > mask) {
                    return false;
                }
            }
            Thread.onSpinWait();
        }
    }

    /** Removes the oldest value; returns -1 when empty (values must be >= 0). */
    public int poll() {
        while (true) {
            long pos = (long) HEAD.getVolatile(this);
            int index = (int) pos & mask;
            long dif = (long) SEQUENCE.getAcquire(sequences, index) - (pos + 1);
            if (dif == 0) {
                if (HEAD.compareAndSet(this, pos, pos + 1)) {
                    int value = values[index];
                    SEQUENCE.setRelease(sequences, index, pos + mask + 1); // free the cell for the next lap
                    return value;
                }
            } else if (dif < 0) {
                // Not yet published. Truly empty only if no producer has claimed this position;
                // otherwise a producer is between its claim and its publish: wait for it.
                if ((long) TAIL.getVolatile(this) - pos <= 0) {
                    return -1;
                }
            }
            Thread.onSpinWait();
        }
    }

    /** Moves up to {@code max} values into {@code out}; returns how many. */
    public int drain(int[] out, int max) {
        int n = 0;
        while (n < max) {
            int v = poll();
            if (v < 0) {
                break;
            }
            out[n++] = v;
        }
        return n;
    }

    /** Entries queued; exact when no thread is changing the queue. */
    public int size() {
        return (int) Math.max(0, (long) TAIL.getVolatile(this) - (long) HEAD.getVolatile(this));
    }

    /** True when nothing is queued (a snapshot). */
    public boolean isEmpty() {
        return size() == 0;
    }
}
