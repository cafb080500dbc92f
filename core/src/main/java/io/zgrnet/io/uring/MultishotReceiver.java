package io.zgrnet.io.uring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.PacketPool;
import io.zgrnet.sys.BufRing;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.Msghdr;
import io.zgrnet.sys.RecvmsgOut;
import java.lang.foreign.MemorySegment;

/**
 * Receive mode "multishot": one IORING_OP_RECVMSG with IORING_RECV_MULTISHOT and
 * IOSQE_BUFFER_SELECT over a provided-buffer ring (IORING_REGISTER_PBUF_RING, group 0) whose
 * entries point at pool slots: the unified pool, no copy.
 *
 * <p>Buffer ids: the ring has {@code entries} buffer ids; {@code slotOfBid[b]} is the pool slot
 * currently behind id b. When the kernel completes into id b, that slot goes to the caller (with
 * dataOffset = 16 (io_uring_recvmsg_out) + 32 (reserved name area) past the header, the source
 * address copied from the name area into the slot's address area) and id b becomes "empty". The
 * caller later releases the slot to the pool's free list, not to us, so every cycle the backend
 * acquires fresh slots from the pool for the empty ids and appends them to the ring, publishing
 * the tail once (release store). At most {@code entries} slots sit in the ring; if the pool is
 * exhausted the ids stay empty (counted) and are refilled on a later cycle.
 *
 * <p>Used when the pool has no large slots: a provided buffer is one contiguous range picked before
 * the datagram's size is known, so with large slots the ring holds 64 KiB buffers of the backend's
 * own instead ({@link GroMultishotReceiver}).
 *
 * <p>Truncated datagrams (MSG_TRUNC in the header's flags, or payloadlen larger than what fit) are
 * counted and dropped; the same slot is put back into the ring. Arming, re-arming and ENOBUFS:
 * {@link BufferRingReceiver}.
 *
 * <p>Concurrency: owner thread only; the kernel consumes ring entries up to the published tail.
 */
final class MultishotReceiver extends BufferRingReceiver {
    /** Name area reserved in each buffer (msg_namelen): sockaddr_in6 rounded up, payload 16-aligned. */
    static final int NAME_BYTES = PacketPool.ADDRESS_SIZE;
    /** Payload offset inside a buffer. */
    static final int HEADER_BYTES = RecvmsgOut.SIZE + NAME_BYTES;

    private final PacketPool pool;
    private final int[] slotOfBid;
    /** Slots taken from the pool for one refill. */
    private final int[] fresh;

    MultishotReceiver(UringBackend backend, int depth) {
        super(backend, Integer.highestOneBit(Math.min(depth, BufRing.MAX_ENTRIES)), Msghdr.SIZE + NAME_BYTES);
        this.pool = backend.pool();
        // msg_name must be non-null for the kernel to reserve the name area; it is never written.
        msghdr.set(JAVA_LONG, Msghdr.MSG_NAME, msghdr.address() + Msghdr.SIZE);
        msghdr.set(JAVA_INT, Msghdr.MSG_NAMELEN, NAME_BYTES);
        this.slotOfBid = new int[entries];
        this.fresh = new int[entries];
        java.util.Arrays.fill(slotOfBid, -1);
    }

    @Override
    String describe() {
        return entries + " entries";
    }

    /** Every id goes back to "empty", keeping its slot, if any. */
    @Override
    void buffersReturned() {
        for (int b = entries - 1; b >= 0; b--) {
            emptyBids[emptyCount++] = b;
        }
    }

    /**
     * Puts a slot for every empty id into the ring; publishes the tail once. Fresh slots come from
     * the pool in batches (one atomic operation per batch, not per datagram: at 1 Mpps the
     * per-slot compare-and-set was a measurable share of the receive cost); the few a batch has
     * over (ids that kept their slot after a truncated datagram) go back at once.
     */
    @Override
    void refill() {
        int added = 0;
        int taken = 0;
        int used = 0;
        while (emptyCount > 0) {
            int bid = emptyBids[emptyCount - 1];
            int slot = slotOfBid[bid];
            if (slot < 0) {
                if (used == taken) {
                    taken = pool.acquire(fresh, 0, Math.min(emptyCount, fresh.length));
                    used = 0;
                    if (taken == 0) {
                        stats.increment(BackendStats.Counter.RECEIVE_NO_SLOT);
                        break;
                    }
                }
                slot = fresh[used++];
                slotOfBid[bid] = slot;
            }
            emptyCount--;
            put(pool.slotAddress(slot), pool.slotSize(), bid);
            added++;
        }
        if (used < taken) {
            pool.release(fresh, used, taken - used);
        }
        publish(added);
    }

    @Override
    void onBuffer(int bid, int res) {
        emptyBids[emptyCount++] = bid;
        int slot = slotOfBid[bid];
        if (slot < 0) {
            stats.increment(BackendStats.Counter.RECEIVE_ERRORS); // cannot happen: a bid we never provided
            return;
        }
        MemorySegment slab = pool.slab();
        long base = pool.slotOffset(slot);
        if (res < HEADER_BYTES) {
            stats.increment(BackendStats.Counter.RECEIVE_ERRORS); // slot kept, re-provided
            return;
        }
        int payloadLen = slab.get(JAVA_INT, base + RecvmsgOut.PAYLOADLEN);
        int outFlags = slab.get(JAVA_INT, base + RecvmsgOut.FLAGS);
        int fitted = res - HEADER_BYTES;
        if ((outFlags & IoUring.MSG_TRUNC) != 0 || payloadLen > fitted) {
            stats.increment(BackendStats.Counter.DATAGRAMS_TRUNCATED); // slot kept, re-provided
            return;
        }
        // Source address: the kernel wrote it into the buffer's name area; copy its 32 bytes
        // into the slot's address area (4 aligned longs: cheaper than a bulk copy this small).
        MemorySegment addresses = pool.addresses();
        long from = base + RecvmsgOut.SIZE;
        long to = pool.addressOffset(slot);
        addresses.set(JAVA_LONG, to, slab.get(JAVA_LONG, from));
        addresses.set(JAVA_LONG, to + 8, slab.get(JAVA_LONG, from + 8));
        addresses.set(JAVA_LONG, to + 16, slab.get(JAVA_LONG, from + 16));
        addresses.set(JAVA_LONG, to + 24, slab.get(JAVA_LONG, from + 24));
        pool.length(slot, payloadLen);
        pool.dataOffset(slot, HEADER_BYTES);
        slotOfBid[bid] = -1;
        backend.deliver(slot, payloadLen);
    }

    /** Buffer ring size. */
    int entries() {
        return entries;
    }

    @Override
    public void releaseAll() {
        for (int b = 0; b < entries; b++) {
            if (slotOfBid[b] >= 0) {
                pool.release(slotOfBid[b]);
                slotOfBid[b] = -1;
            }
        }
    }
}
