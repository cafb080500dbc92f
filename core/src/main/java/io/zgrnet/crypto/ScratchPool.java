package io.zgrnet.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed set of scratch buffers for {@link ChaCha20Lanes}, shared by all threads without
 * ThreadLocal and without allocating after class initialisation.
 *
 * <p>Concurrency: each slot has a busy flag on its own cache line. A caller starts probing at
 * its thread id (so a thread usually finds "its" slot free and the line already in its cache),
 * takes a slot with one CAS, and gives it back with a release store; the CAS (volatile) and the
 * release store order each owner's use of the buffer before the next owner's. When every probed
 * slot is busy, {@link #acquire()} returns -1 and the caller uses the scalar path instead, so
 * the pool never blocks and never grows.
 *
 * <p>A buffer keeps the last keystream computed in it until the next use overwrites it (as the
 * JDK's own ChaCha20 keeps its keystream buffer); buffers never leave this package.
 */
final class ScratchPool {
    /** Slots to probe before giving up; bounded so a crowded pool costs little. */
    private static final int PROBES = 4;
    /** Ints between busy flags: 64 bytes, one cache line. */
    private static final int PAD = 16;
    private static final int SLOTS = slotCount(Runtime.getRuntime().availableProcessors());
    private static final int[][] BUFFERS = new int[SLOTS][ChaCha20Lanes.SCRATCH_INTS];
    private static final int[] BUSY = new int[(SLOTS + 1) * PAD];
    private static final VarHandle FLAG = MethodHandles.arrayElementVarHandle(int[].class);

    private ScratchPool() {
    }

    /** Returns a slot index to pass to {@link #buffer} and {@link #release}, or -1 if none is free. */
    static int acquire() {
        int start = (int) Thread.currentThread().threadId();
        for (int i = 0; i < PROBES; i++) {
            int slot = (start + i) & (SLOTS - 1);
            int flag = (slot + 1) * PAD; // +1 keeps flag 0 off the array header's cache line
            if ((int) FLAG.getOpaque(BUSY, flag) == 0 && FLAG.compareAndSet(BUSY, flag, 0, 1)) {
                return slot;
            }
        }
        return -1;
    }

    /** The buffer of an acquired slot. */
    static int[] buffer(int slot) {
        return BUFFERS[slot];
    }

    /** Returns an acquired slot to the pool. */
    static void release(int slot) {
        FLAG.setRelease(BUSY, (slot + 1) * PAD, 0);
    }

    /** Two slots per processor, a power of two between 8 and 256. */
    static int slotCount(int processors) {
        int wanted = Math.clamp(2L * processors, 8, 256);
        return Integer.highestOneBit(wanted - 1) << 1;
    }
}
