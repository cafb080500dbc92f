package io.zgrnet.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed pool of equal packet slots in one off-heap slab.
 *
 * <p>A slot is named by its index. Each slot has, besides its {@link #slotSize()} data bytes, a
 * length, a data offset (where the datagram starts inside the slot: 0 for most backends, past the
 * kernel's header for io_uring multishot) and a 32-byte socket address area (sockaddr_in or
 * sockaddr_in6: the source of a received datagram, the destination of one to send).
 *
 * <p>Concurrency: {@link #acquire()} and {@link #release(int)} are lock-free and may be called from
 * any thread (a {@link FreeSlotStack} of free indices: last released, first reused, so steady
 * traffic keeps cycling through slots that are still in cache). A slot's data and metadata belong to whoever
 * acquired it; handing the index to another thread through a queue with release/acquire semantics
 * publishes them. Releasing a slot that is not in use throws: that is a bug (a slot reused while
 * the kernel or a worker may still touch it), and it must be loud.
 *
 * <p>The slab is page-aligned, so the whole pool can be registered with io_uring as fixed buffers
 * or as a provided-buffer ring.
 *
 * <p>Lifetime: the memory is freed when its last holder lets go. The pool's owner holds one
 * reference ({@link #close()} drops it); a backend that hands slot addresses to the kernel holds
 * another ({@link #retainMemory()} / {@link #releaseMemory()}) until no kernel operation or thread
 * of its own can still write into a slot. A backend that cannot prove that keeps its reference:
 * the slab is then leaked (and reported by {@link #isFreed()}) rather than freed under a writer.
 */
public final class PacketPool implements AutoCloseable {
    /** Bytes reserved per slot for a socket address (sockaddr_in6 is 28). */
    public static final int ADDRESS_SIZE = 32;
    /** Default slot size: any datagram up to a 1500-byte MTU and zgrnet's overhead, with room. */
    public static final int DEFAULT_SLOT_SIZE = 2048;
    /** Largest slot size: a whole UDP datagram. */
    public static final int MAX_SLOT_SIZE = 65536;

    private static final long PAGE = 4096;
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(byte[].class);

    private final Arena arena;
    private final MemorySegment slab;
    private final MemorySegment addresses;
    private final int slotCount;
    private final int slotSize;
    private final int[] lengths;
    private final int[] offsets;
    private final byte[] inUse;

    private final FreeSlotStack freeSlots;
    private volatile boolean closed;
    /** Holders of the memory: the owner (until close) plus every backend that retained it. */
    private final java.util.concurrent.atomic.AtomicInteger memoryHolders =
            new java.util.concurrent.atomic.AtomicInteger(1);
    private volatile boolean freed;

    /**
     * @param slotCount number of slots, 1..2^20
     * @param slotSize bytes per slot, 64..65536, a multiple of 64
     */
    public PacketPool(int slotCount, int slotSize) {
        if (slotCount < 1 || slotCount > (1 << 20)) {
            throw new IllegalArgumentException("slotCount must be 1..1048576, got " + slotCount);
        }
        if (slotSize < 64 || slotSize > MAX_SLOT_SIZE || slotSize % 64 != 0) {
            throw new IllegalArgumentException("slotSize must be a multiple of 64 in 64..65536, got " + slotSize);
        }
        this.slotCount = slotCount;
        this.slotSize = slotSize;
        this.arena = Arena.ofShared();
        this.slab = arena.allocate((long) slotCount * slotSize, PAGE);
        this.addresses = arena.allocate((long) slotCount * ADDRESS_SIZE, 8);
        this.lengths = new int[slotCount];
        this.offsets = new int[slotCount];
        this.inUse = new byte[slotCount];
        this.freeSlots = new FreeSlotStack(slotCount);
        for (int i = slotCount - 1; i >= 0; i--) {
            freeSlots.push(i); // slot 0 on top: a fresh pool hands out 0, 1, 2, ...
        }
    }

    /** Number of slots. */
    public int capacity() {
        return slotCount;
    }

    /** Bytes per slot. */
    public int slotSize() {
        return slotSize;
    }

    /** Takes a free slot; returns its index, or -1 when the pool is exhausted or closed. */
    public int acquire() {
        if (closed) {
            return -1;
        }
        int slot = freeSlots.pop();
        if (slot >= 0) {
            STATE.setOpaque(inUse, slot, (byte) 1);
            lengths[slot] = 0;
            offsets[slot] = 0;
        }
        return slot;
    }

    /**
     * Returns a slot to the pool.
     *
     * @throws IllegalStateException if the slot is not in use (a double release)
     */
    public void release(int slot) {
        if ((byte) STATE.getAndSet(inUse, slot, (byte) 0) != 1) {
            throw new IllegalStateException("slot " + slot + " released twice (or never acquired)");
        }
        freeSlots.push(slot);
    }

    /**
     * Slots currently acquired and not released (a scan of the in-use flags: for leak checks and
     * statistics, not for the per-packet path). Exact when no thread is acquiring or releasing.
     */
    public int outstanding() {
        int n = 0;
        for (int i = 0; i < slotCount; i++) {
            n += (byte) STATE.getOpaque(inUse, i);
        }
        return n;
    }

    /** The whole slab (for registering it with the kernel). */
    public MemorySegment slab() {
        return slab;
    }

    /** The slot's data bytes, {@link #slotSize()} long. */
    public MemorySegment slot(int slot) {
        return slab.asSlice((long) slot * slotSize, slotSize);
    }

    /** Offset of the slot's first byte within {@link #slab()}; avoids creating a slice. */
    public long slotOffset(int slot) {
        return (long) slot * slotSize;
    }

    /** Native address of the slot's first byte. */
    public long slotAddress(int slot) {
        return slab.address() + (long) slot * slotSize;
    }

    /** All address areas, {@link #ADDRESS_SIZE} bytes per slot. */
    public MemorySegment addresses() {
        return addresses;
    }

    /** Offset of the slot's address area within {@link #addresses()}. */
    public long addressOffset(int slot) {
        return (long) slot * ADDRESS_SIZE;
    }

    /** Native address of the slot's address area. */
    public long addressAddress(int slot) {
        return addresses.address() + (long) slot * ADDRESS_SIZE;
    }

    /** The datagram length held in the slot. */
    public int length(int slot) {
        return lengths[slot];
    }

    /** Sets the datagram length held in the slot. */
    public void length(int slot, int length) {
        lengths[slot] = length;
    }

    /** Where the datagram starts inside the slot. */
    public int dataOffset(int slot) {
        return offsets[slot];
    }

    /** Sets where the datagram starts inside the slot. */
    public void dataOffset(int slot, int offset) {
        offsets[slot] = offset;
    }

    /** True once {@link #close()} ran (no slot is handed out any more). */
    public boolean isClosed() {
        return closed;
    }

    /** True once the slab is freed: closed, and every holder let go. */
    public boolean isFreed() {
        return freed;
    }

    /**
     * Keeps the slab allocated until a matching {@link #releaseMemory()}, even past {@link #close()}.
     *
     * @throws IllegalStateException if the slab is already freed
     */
    public void retainMemory() {
        while (true) {
            int n = memoryHolders.get();
            if (n == 0) {
                throw new IllegalStateException("pool memory already freed");
            }
            if (memoryHolders.compareAndSet(n, n + 1)) {
                return;
            }
        }
    }

    /** Drops a reference taken with {@link #retainMemory()}; the last one frees the slab. */
    public void releaseMemory() {
        if (memoryHolders.decrementAndGet() == 0) {
            free();
        }
    }

    /**
     * Closes the pool: no slot is handed out any more, and the owner's reference to the memory is
     * dropped, which frees the slab unless a backend still holds it. Callers close the pool after
     * every thread that uses it has stopped; the outstanding count at that point is the leak check.
     * Idempotent.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            releaseMemory();
        }
    }

    private void free() {
        try {
            arena.close();
            freed = true;
        } catch (IllegalStateException e) {
            // A thread is inside a native call on a slice of the slab (the JDK keeps the arena
            // alive for it): leaving the memory allocated is the safe outcome.
            System.getLogger(PacketPool.class.getName()).log(System.Logger.Level.WARNING,
                    "packet pool: slab still in use by a native call at close; left allocated", e);
        }
    }
}
