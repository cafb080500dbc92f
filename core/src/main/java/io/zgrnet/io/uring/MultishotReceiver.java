package io.zgrnet.io.uring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.PacketPool;
import io.zgrnet.sys.BufRing;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.Msghdr;
import io.zgrnet.sys.NativeException;
import io.zgrnet.sys.RecvmsgOut;
import io.zgrnet.sys.Sqe;
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
 * <p>Truncated datagrams (MSG_TRUNC in the header's flags, or payloadlen larger than what fit) are
 * counted and dropped; the same slot is put back into the ring. A completion without
 * IORING_CQE_F_MORE ends the multishot; it is re-armed on the next cycle, but only when the ring
 * holds buffers (arming over an empty ring fails at once with ENOBUFS, liburing#1275). ENOBUFS
 * itself (the ring ran dry) is counted and survived: refill, re-arm; datagrams meanwhile wait in
 * the socket buffer.
 *
 * <p>Concurrency: owner thread only; the kernel consumes ring entries up to the published tail.
 */
final class MultishotReceiver implements UringBackend.Receiver {
    /** Buffer group id of our ring. */
    static final int BGID = 0;
    /** Name area reserved in each buffer (msg_namelen): sockaddr_in6 rounded up, payload 16-aligned. */
    static final int NAME_BYTES = PacketPool.ADDRESS_SIZE;
    /** Payload offset inside a buffer. */
    static final int HEADER_BYTES = RecvmsgOut.SIZE + NAME_BYTES;

    private final UringBackend backend;
    private final PacketPool pool;
    private final BackendStats stats;
    private final UringStats counters;
    private final int entries;
    private final int mask;
    private final MemorySegment bufRing;
    private final MemorySegment msghdr;
    private final MemorySegment reg;
    private final int[] slotOfBid;
    private final int[] emptyBids; // stack of ids to (re)provide
    private int emptyCount;
    private int tail; // local ring tail (u16 in the kernel)
    private int inRing; // buffers provided and not yet completed
    private boolean armed;

    MultishotReceiver(UringBackend backend, int depth) {
        this.backend = backend;
        this.pool = backend.pool();
        this.stats = backend.backendStats();
        this.counters = backend.counters();
        int n = Integer.highestOneBit(Math.min(depth, BufRing.MAX_ENTRIES));
        this.entries = n;
        this.mask = n - 1;
        this.bufRing = backend.arena().allocate(Math.max(4096, BufRing.BUF_SIZE * n), 4096);
        this.msghdr = backend.arena().allocate(Msghdr.SIZE + NAME_BYTES, 8);
        // msg_name must be non-null for the kernel to reserve the name area; it is never written.
        msghdr.set(JAVA_LONG, Msghdr.MSG_NAME, msghdr.address() + Msghdr.SIZE);
        msghdr.set(JAVA_INT, Msghdr.MSG_NAMELEN, NAME_BYTES);
        this.slotOfBid = new int[n];
        this.emptyBids = new int[n];
        for (int b = 0; b < n; b++) {
            slotOfBid[b] = -1;
            emptyBids[b] = n - 1 - b;
        }
        this.emptyCount = n;
        this.reg = backend.arena().allocate(BufRing.REG_SIZE, 8);
        reg.set(JAVA_LONG, BufRing.REG_RING_ADDR, bufRing.address());
        reg.set(JAVA_INT, BufRing.REG_RING_ENTRIES, n);
        reg.set(JAVA_SHORT, BufRing.REG_BGID, (short) BGID);
    }

    /** Registers the buffer ring (entries empty, tail 0) with a new ring; arm() fills it. */
    @Override
    public void register(Ring ring) throws NativeException {
        ring.register("PBUF_RING " + entries + " entries", IoUring.IORING_REGISTER_PBUF_RING, reg.address(), 1);
    }

    /**
     * The ring that consumed our buffers is closed: every id goes back to "empty" (keeping its
     * slot, if any) and the ring memory is cleared so the next registration starts at tail 0.
     */
    @Override
    public void reset() {
        armed = false;
        inRing = 0;
        tail = 0;
        bufRing.fill((byte) 0);
        emptyCount = 0;
        for (int b = entries - 1; b >= 0; b--) {
            emptyBids[emptyCount++] = b;
        }
    }

    /** Puts a slot for every empty id into the ring; publishes the tail once. */
    private void refill() {
        if (emptyCount == 0) {
            return;
        }
        int before = tail;
        while (emptyCount > 0) {
            int bid = emptyBids[emptyCount - 1];
            int slot = slotOfBid[bid];
            if (slot < 0) {
                slot = pool.acquire();
                if (slot < 0) {
                    stats.increment(BackendStats.Counter.RECEIVE_NO_SLOT);
                    break;
                }
                slotOfBid[bid] = slot;
            }
            emptyCount--;
            BufRing.put(bufRing, tail & mask, pool.slotAddress(slot), pool.slotSize(), bid);
            tail++;
        }
        int added = tail - before;
        if (added > 0) {
            inRing += added;
            counters.add(UringStats.Counter.BUFFERS_PROVIDED, added);
            BufRing.publishTail(bufRing, tail); // release store of the u16 tail
        }
    }

    @Override
    public void start() throws NativeException {
        arm();
    }

    @Override
    public void arm() throws NativeException {
        if (backend.closing()) {
            return;
        }
        refill();
        if (!armed && inRing > 0) {
            Ring ring = backend.ring();
            long sqe = backend.sqe();
            Sqe.prep(ring.sqes(), sqe, IoUring.IORING_OP_RECVMSG, backend.fileFlag() | IoUring.IOSQE_BUFFER_SELECT,
                    backend.socketFd(), msghdr.address(), 1, 0, UringBackend.userData(UringBackend.KIND_MULTISHOT, 0));
            Sqe.ioprio(ring.sqes(), sqe, IoUring.IORING_RECV_MULTISHOT);
            Sqe.opFlags(ring.sqes(), sqe, IoUring.MSG_TRUNC);
            Sqe.bufIndex(ring.sqes(), sqe, BGID);
            armed = true;
            counters.increment(UringStats.Counter.MULTISHOT_ARMS);
        }
    }

    @Override
    public boolean starved() {
        return !armed;
    }

    @Override
    public void onCqe(int index, int res, int flags) {
        if ((flags & IoUring.IORING_CQE_F_MORE) == 0) {
            armed = false;
        }
        counters.increment(UringStats.Counter.RECEIVE_CQES);
        if ((flags & IoUring.IORING_CQE_F_BUFFER) != 0) {
            int bid = flags >>> IoUring.IORING_CQE_BUFFER_SHIFT;
            inRing--;
            emptyBids[emptyCount++] = bid;
            int slot = bid < entries ? slotOfBid[bid] : -1;
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
        } else if (res == -Errno.ENOBUFS) {
            counters.increment(UringStats.Counter.ENOBUFS);
        } else if (res < 0 && res != -Errno.ECANCELED) {
            stats.increment(BackendStats.Counter.RECEIVE_ERRORS);
        }
    }

    @Override
    public int inFlight() {
        return armed ? 1 : 0;
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
