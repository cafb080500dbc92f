package io.zgrnet.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The free slots of a {@link PacketPool} as a lock-free LIFO stack (Treiber) over an index array:
 * the slot released last is acquired first, so a receiver that releases and re-acquires at a steady
 * rate cycles through a few slots whose cache lines are still warm, instead of walking the whole
 * slab as a FIFO would (4096 slots of 2 KiB are 8 MiB, far beyond L2).
 *
 * <p>The head packs a 32-bit version with the top index ({@code version << 32 | index}); every
 * successful push or pop bumps the version, so a pop that read a stale {@code next} (the top was
 * popped and pushed back in between: ABA) fails its compare-and-set and retries. {@code next}
 * entries are written before the CAS that publishes them (a volatile CAS orders the plain write)
 * and read after a volatile read of the head; a racy read of an entry being rewritten is harmless
 * because the version check rejects it.
 *
 * <p>Concurrency: any thread may push and pop. A slot must not be pushed twice without a pop in
 * between; the pool's in-use flags guarantee that.
 */
final class FreeSlotStack {
    private static final int EMPTY = -1;
    private static final VarHandle HEAD;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(FreeSlotStack.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int[] next;
    /** The lowest index: {@code next[slot - base]} (a pool's large slots follow its small ones). */
    private final int base;
    @SuppressWarnings("unused") private volatile long head = pack(0, EMPTY);

    /** An empty stack for indices 0..capacity-1. */
    FreeSlotStack(int capacity) {
        this(0, capacity);
    }

    /** An empty stack for indices base..base+capacity-1. */
    FreeSlotStack(int base, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        if (base < 0) {
            throw new IllegalArgumentException("base must be >= 0, got " + base);
        }
        this.base = base;
        this.next = new int[capacity];
    }

    private static long pack(long version, int index) {
        return version << 32 | (index & 0xFFFF_FFFFL);
    }

    /** Pushes {@code slot} (base..base+capacity-1), which must not be on the stack. */
    void push(int slot) {
        while (true) {
            long h = (long) HEAD.getVolatile(this);
            next[slot - base] = (int) h;
            if (HEAD.compareAndSet(this, h, pack((h >>> 32) + 1, slot))) {
                return;
            }
        }
    }

    /**
     * Pushes {@code count} slots of {@code slots} from {@code offset} with one compare-and-set:
     * they are linked to each other first (none is on the stack, so no other thread reads their
     * {@code next} entries), then the chain is published as a whole. {@code slots[offset]} ends on
     * top. A receive loop that releases a batch pays one atomic operation instead of one per slot.
     */
    void pushAll(int[] slots, int offset, int count) {
        if (count <= 0) {
            return;
        }
        int last = offset + count - 1;
        for (int i = offset; i < last; i++) {
            next[slots[i] - base] = slots[i + 1];
        }
        int bottom = slots[last] - base;
        while (true) {
            long h = (long) HEAD.getVolatile(this);
            next[bottom] = (int) h;
            if (HEAD.compareAndSet(this, h, pack((h >>> 32) + 1, slots[offset]))) {
                return;
            }
        }
    }

    /**
     * Pops up to {@code max} slots into {@code into} from {@code offset} with one compare-and-set;
     * returns how many (0 when the stack is empty). The walk down the {@code next} chain may read
     * entries another thread is rewriting, but every entry ever written is a valid index or -1, the
     * walk is bounded by {@code max}, and a changed stack changed the version, so the CAS fails and
     * the walk starts again.
     */
    int popMany(int[] into, int offset, int max) {
        while (true) {
            long h = (long) HEAD.getVolatile(this);
            int top = (int) h;
            int n = 0;
            while (n < max && top != EMPTY) {
                into[offset + n++] = top;
                top = next[top - base];
            }
            if (n == 0 || HEAD.compareAndSet(this, h, pack((h >>> 32) + 1, top))) {
                return n;
            }
        }
    }

    /** Pops the most recently pushed slot, or returns -1 when the stack is empty. */
    int pop() {
        while (true) {
            long h = (long) HEAD.getVolatile(this);
            int top = (int) h;
            if (top == EMPTY) {
                return EMPTY;
            }
            int below = next[top - base];
            if (HEAD.compareAndSet(this, h, pack((h >>> 32) + 1, below))) {
                return top;
            }
        }
    }
}
