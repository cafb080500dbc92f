package io.zgrnet.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed pool of packet slots in one off-heap slab: many small slots for the common datagram, and
 * optionally a few large ones for datagrams that do not fit a small slot.
 *
 * <p>A slot is named by its index: small slots are {@code 0 .. smallCapacity()-1}, each
 * {@link #slotSize()} bytes; large slots follow, {@code smallCapacity() .. capacity()-1}, each
 * {@link #largeSlotSize()} bytes, in the same slab after the small ones (page aligned). So a slot
 * index, {@link #slotOffset}, {@link #length} and {@link #dataOffset} mean the same for both
 * kinds, and everything downstream of a backend (queues, rings, decryption in place) handles a
 * large datagram exactly like a small one. Each slot has, besides its data bytes, a length, a data
 * offset (where the datagram starts inside the slot: 0 for most backends, past the kernel's header
 * for io_uring multishot) and a 32-byte socket address area (sockaddr_in or sockaddr_in6: the
 * source of a received datagram, the destination of one to send).
 *
 * <p>Why two sizes rather than 64 KiB slots or chained small slots: a datagram may be up to 64 KiB,
 * but almost all are below 1500 bytes; 64 KiB slots would multiply the pool's memory by 32, and
 * chained slots would break the in-place decryption (one contiguous ciphertext) and every
 * consumer's (segment, offset, length) view. A few large slots keep both: {@link #maxDatagram()}
 * is the largest datagram the pool holds, the bound every backend receives and sends up to.
 *
 * <p>Concurrency: {@link #acquire()}, {@link #acquireLarge()} and {@link #release(int)} are
 * lock-free and may be called from any thread (one {@link FreeSlotStack} of free indices per kind:
 * last released, first reused, so steady traffic keeps cycling through slots that are still in
 * cache). The kinds never borrow from each other: running out of large slots costs large
 * datagrams only, never small ones. A slot's data and metadata belong to whoever acquired it;
 * handing the index to another thread through a queue with release/acquire semantics publishes
 * them. Releasing a slot that is not in use throws: that is a bug (a slot reused while the kernel
 * or a worker may still touch it), and it must be loud.
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
    /** Default large slot size: any UDP datagram (at most 65,507 bytes over IPv4, 65,527 over IPv6). */
    public static final int DEFAULT_LARGE_SLOT_SIZE = MAX_SLOT_SIZE;
    /** Most large slots. */
    public static final int MAX_LARGE_SLOTS = 1 << 16;

    private static final long PAGE = 4096;
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(byte[].class);

    private final Arena arena;
    private final MemorySegment slab;
    private final MemorySegment addresses;
    private final int slotCount; // small slots
    private final int slotSize;
    private final int largeCount;
    private final int largeSlotSize;
    private final long largeBase; // offset of large slot 0 in the slab
    private final int[] lengths;
    private final int[] offsets;
    private final byte[] inUse;

    private final FreeSlotStack freeSlots;
    private final FreeSlotStack freeLarge; // null without large slots
    private volatile boolean closed;
    /** Holders of the memory: the owner (until close) plus every backend that retained it. */
    private final java.util.concurrent.atomic.AtomicInteger memoryHolders =
            new java.util.concurrent.atomic.AtomicInteger(1);
    private volatile boolean freed;

    /**
     * A pool of small slots only: {@link #maxDatagram()} is {@code slotSize}.
     *
     * @param slotCount number of slots, 1..2^20
     * @param slotSize bytes per slot, 64..65536, a multiple of 64
     */
    public PacketPool(int slotCount, int slotSize) {
        this(slotCount, slotSize, 0, 0);
    }

    /**
     * A pool of {@code slotCount} small and {@code largeCount} large slots.
     *
     * @param slotCount number of small slots, 1..2^20 (with the large ones)
     * @param slotSize bytes per small slot, 64..65536, a multiple of 64
     * @param largeCount number of large slots, 0..{@value #MAX_LARGE_SLOTS}
     * @param largeSlotSize bytes per large slot (ignored without large slots): a multiple of 64,
     *        larger than {@code slotSize}, at most 65536
     */
    public PacketPool(int slotCount, int slotSize, int largeCount, int largeSlotSize) {
        if (slotCount < 1 || slotCount > (1 << 20)) {
            throw new IllegalArgumentException("slotCount must be 1..1048576, got " + slotCount);
        }
        if (slotSize < 64 || slotSize > MAX_SLOT_SIZE || slotSize % 64 != 0) {
            throw new IllegalArgumentException("slotSize must be a multiple of 64 in 64..65536, got " + slotSize);
        }
        if (largeCount < 0 || largeCount > MAX_LARGE_SLOTS || (long) slotCount + largeCount > (1 << 20)) {
            throw new IllegalArgumentException("largeCount must be 0.." + MAX_LARGE_SLOTS
                    + " and slotCount + largeCount at most 1048576, got " + largeCount);
        }
        if (largeCount > 0 && (largeSlotSize <= slotSize || largeSlotSize > MAX_SLOT_SIZE || largeSlotSize % 64 != 0)) {
            throw new IllegalArgumentException("largeSlotSize must be a multiple of 64 in " + (slotSize + 64)
                    + "..65536 (above slotSize), got " + largeSlotSize);
        }
        this.slotCount = slotCount;
        this.slotSize = slotSize;
        this.largeCount = largeCount;
        this.largeSlotSize = largeCount > 0 ? largeSlotSize : 0;
        this.largeBase = ((long) slotCount * slotSize + PAGE - 1) & -PAGE;
        int total = slotCount + largeCount;
        this.arena = Arena.ofShared();
        this.slab = arena.allocate(largeBase + (long) largeCount * this.largeSlotSize, PAGE);
        this.addresses = arena.allocate((long) total * ADDRESS_SIZE, 8);
        this.lengths = new int[total];
        this.offsets = new int[total];
        this.inUse = new byte[total];
        this.freeSlots = new FreeSlotStack(slotCount);
        for (int i = slotCount - 1; i >= 0; i--) {
            freeSlots.push(i); // slot 0 on top: a fresh pool hands out 0, 1, 2, ...
        }
        this.freeLarge = largeCount > 0 ? new FreeSlotStack(slotCount, largeCount) : null;
        for (int i = total - 1; i >= slotCount; i--) {
            freeLarge.push(i);
        }
    }

    /** Number of slots, small and large: every index is in {@code 0 .. capacity()-1}. */
    public int capacity() {
        return slotCount + largeCount;
    }

    /** Number of small slots (indices {@code 0 .. smallCapacity()-1}). */
    public int smallCapacity() {
        return slotCount;
    }

    /** Number of large slots (indices {@code smallCapacity() .. capacity()-1}). */
    public int largeCapacity() {
        return largeCount;
    }

    /** Bytes per small slot. */
    public int slotSize() {
        return slotSize;
    }

    /** Bytes per large slot, 0 without large slots. */
    public int largeSlotSize() {
        return largeSlotSize;
    }

    /** Bytes of slot {@code slot}: {@link #slotSize()} or {@link #largeSlotSize()}. */
    public int slotSize(int slot) {
        return slot < slotCount ? slotSize : largeSlotSize;
    }

    /** True for a large slot. */
    public boolean isLarge(int slot) {
        return slot >= slotCount;
    }

    /**
     * The largest datagram a slot of this pool holds: the large slot size, or the small one without
     * large slots. Backends drop (and count) received datagrams above it.
     */
    public int maxDatagram() {
        return largeCount > 0 ? largeSlotSize : slotSize;
    }

    /** Bytes of the slab (both kinds of slots). */
    public long slabBytes() {
        return slab.byteSize();
    }

    /** Takes a free small slot; returns its index, or -1 when they are exhausted or the pool is closed. */
    public int acquire() {
        return closed ? -1 : taken(freeSlots.pop());
    }

    /**
     * Takes up to {@code max} free small slots into {@code into} from {@code offset}, with one
     * atomic operation for all of them; returns how many (0 when they are exhausted or the pool is
     * closed). For receive paths that refill a batch of buffers at once.
     */
    public int acquire(int[] into, int offset, int max) {
        if (max < 0 || offset < 0 || offset + max > into.length) {
            throw new IllegalArgumentException("offset and max must lie within into (length " + into.length
                    + "), got offset " + offset + ", max " + max);
        }
        if (closed) {
            return 0;
        }
        int n = freeSlots.popMany(into, offset, max);
        for (int i = offset; i < offset + n; i++) {
            taken(into[i]);
        }
        return n;
    }

    /** Takes a free large slot; returns its index, or -1 when there is none (or the pool is closed). */
    public int acquireLarge() {
        return closed || freeLarge == null ? -1 : taken(freeLarge.pop());
    }

    /**
     * Takes a slot for a datagram of {@code bytes}: a small slot when it fits one, else a large
     * one. Returns -1 when that kind is exhausted, the pool is closed, or {@code bytes} exceeds
     * {@link #maxDatagram()} (callers check the size first, to tell the cases apart).
     */
    public int acquireFor(int bytes) {
        if (bytes <= slotSize) {
            return acquire();
        }
        return bytes <= maxDatagram() ? acquireLarge() : -1;
    }

    /**
     * For the scatter receive paths (recvmmsg, io_uring RECVMSG): a datagram of {@code length}
     * bytes filled small slot {@code small} and went on in {@code spill} at {@code spillOffset}.
     * Takes a large slot and copies into it the slot's part, the spill's part and the source
     * address. Small slot {@code small} stays the caller's, as it was.
     *
     * @return the large slot (length and data offset still 0), or -1 when none is free (nothing copied)
     */
    public int acquireLargeFromSpill(int small, MemorySegment spill, long spillOffset, int length) {
        int large = acquireLarge();
        if (large < 0) {
            return -1;
        }
        long to = slotOffset(large);
        MemorySegment.copy(slab, slotOffset(small), slab, to, slotSize);
        MemorySegment.copy(spill, spillOffset, slab, to + slotSize, length - slotSize);
        MemorySegment.copy(addresses, addressOffset(small), addresses, addressOffset(large), ADDRESS_SIZE);
        return large;
    }

    private int taken(int slot) {
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
        if (slot < slotCount) {
            freeSlots.push(slot);
        } else {
            freeLarge.push(slot);
        }
    }

    /**
     * Returns {@code count} slots of {@code slots} from {@code offset} to the pool; small ones with
     * one atomic push for all of them (a receive loop releases whole batches). Slots are checked in
     * order: a double release throws after the slots before it are returned, as one by one.
     *
     * @throws IllegalStateException if a slot is not in use (a double release); the slots before it
     *         are released
     */
    public void release(int[] slots, int offset, int count) {
        if (count < 0 || offset < 0 || offset + count > slots.length) {
            throw new IllegalArgumentException("offset and count must lie within slots (length " + slots.length
                    + "), got offset " + offset + ", count " + count);
        }
        boolean onlySmall = true;
        for (int i = offset; i < offset + count; i++) {
            int slot = slots[i];
            if ((byte) STATE.getAndSet(inUse, slot, (byte) 0) != 1) {
                pushFreed(slots, offset, i - offset, onlySmall);
                throw new IllegalStateException("slot " + slot + " released twice (or never acquired)");
            }
            onlySmall &= slot < slotCount;
        }
        pushFreed(slots, offset, count, onlySmall);
    }

    private void pushFreed(int[] slots, int offset, int count, boolean onlySmall) {
        if (onlySmall) {
            freeSlots.pushAll(slots, offset, count);
            return;
        }
        for (int i = offset + count - 1; i >= offset; i--) { // as pushAll: slots[offset] ends on top
            int slot = slots[i];
            if (slot < slotCount) {
                freeSlots.push(slot);
            } else {
                freeLarge.push(slot);
            }
        }
    }

    /**
     * Slots currently acquired and not released (a scan of the in-use flags: for leak checks and
     * statistics, not for the per-packet path). Exact when no thread is acquiring or releasing.
     */
    public int outstanding() {
        return count(0, slotCount + largeCount);
    }

    /** Large slots currently acquired and not released (as {@link #outstanding()}, large ones only). */
    public int outstandingLarge() {
        return count(slotCount, slotCount + largeCount);
    }

    private int count(int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n += (byte) STATE.getOpaque(inUse, i);
        }
        return n;
    }

    /** The whole slab (for registering it with the kernel). */
    public MemorySegment slab() {
        return slab;
    }

    /** The slot's data bytes, {@link #slotSize(int)} long. */
    public MemorySegment slot(int slot) {
        return slab.asSlice(slotOffset(slot), slotSize(slot));
    }

    /** Offset of the slot's first byte within {@link #slab()}; avoids creating a slice. */
    public long slotOffset(int slot) {
        return slot < slotCount ? (long) slot * slotSize : largeBase + (long) (slot - slotCount) * largeSlotSize;
    }

    /** Native address of the slot's first byte. */
    public long slotAddress(int slot) {
        return slab.address() + slotOffset(slot);
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
