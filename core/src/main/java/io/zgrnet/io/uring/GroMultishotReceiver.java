package io.zgrnet.io.uring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.GroBuffers;
import io.zgrnet.io.PacketPool;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.Msghdr;
import io.zgrnet.sys.Net;
import io.zgrnet.sys.NativeException;
import io.zgrnet.sys.RecvmsgOut;
import io.zgrnet.sys.Syscall;
import java.lang.foreign.MemorySegment;

/**
 * Receive mode "multishot" into buffers of 64 KiB: on a socket with {@code UDP_GRO} (Linux 5.0;
 * multishot RECVMSG and buffer rings need 6.0), where the kernel hands over up to 64 datagrams of a
 * flow as one buffer of up to 64 KiB, with a {@code SOL_UDP/UDP_GRO} control message holding the
 * segment size; and, without GRO, whenever the pool has large slots (datagrams up to 64 KiB). A
 * provided buffer is one contiguous range the kernel picks before it knows the datagram's size,
 * and small pool slots are too small for either case, so the provided-buffer ring (group 0) points
 * at buffers of our own ({@link #BUFFERS} with GRO, {@link #LARGE_BUFFERS} without); each
 * completion's payload is cut at the segment size and copied, one datagram per pool slot with the
 * sender's address (a small slot when it fits one, else a large slot), and the buffer goes back
 * into the ring.
 *
 * <p>Buffer layout, fixed by the template msghdr (msg_namelen 32, msg_controllen
 * {@code CMSG_SPACE(4)}): io_uring_recvmsg_out (16 bytes), the name area, the control area, then
 * the payload. A completion without the control message holds one datagram.
 *
 * <p>When the pool's small slots run dry mid-buffer, that buffer and every later one wait, in
 * order, in a FIFO of pending buffers and are split on the next cycle; they are not re-provided
 * meanwhile, so the kernel keeps further datagrams in the socket buffer. A datagram that needs a
 * large slot when none is free is dropped and counted ({@code LARGE_NO_SLOT}), never waited for,
 * so it cannot hold up small traffic. Nothing else taken from the kernel is dropped except
 * datagrams above the receive limit (counted as truncated). Arming, re-arming and ENOBUFS:
 * {@link BufferRingReceiver}.
 *
 * <p>Memory: {@code 16 x 64 KiB} (GRO) or {@code 64 x 64 KiB} (large datagrams without GRO) of
 * buffers, reserved address space whose pages become memory as datagrams fill them
 * ({@link Syscall#reserve}), unmapped with the backend's arena. Owner thread only.
 */
final class GroMultishotReceiver extends BufferRingReceiver {
    private static final System.Logger LOG = System.getLogger(GroMultishotReceiver.class.getName());
    /** Buffers in the ring with GRO: up to 16 x 64 datagrams in flight for 1 MiB. */
    static final int BUFFERS = 16;
    /**
     * Buffers in the ring without GRO (one datagram each): as many datagrams per cycle as a
     * recvmmsg batch, for 4 MiB of address space.
     */
    static final int LARGE_BUFFERS = 64;
    private static final int NAME_BYTES = PacketPool.ADDRESS_SIZE;
    /** Payload offset inside a buffer. */
    static final int HEADER_BYTES = RecvmsgOut.SIZE + NAME_BYTES + GroBuffers.CONTROL_BYTES;
    private static final int BUFFER_BYTES = (HEADER_BYTES + GroBuffers.PAYLOAD_BYTES + 63) & ~63;

    private final PacketPool pool;
    private final int slotSize;
    private final int limit; // largest datagram delivered
    private final MemorySegment buffers;
    private final int[] lengths; // per bid: payload bytes of its last completion
    private final int[] segments; // per bid: its segment size (the whole length when not coalesced)
    private final int[] pending; // FIFO of bids with segments still to hand out
    private int pendingHead;
    private int pendingCount;
    private int pendingOffset; // next segment's offset in the head's payload

    /**
     * @param buffers buffers in the ring, a power of two ({@link #BUFFERS} or {@link #LARGE_BUFFERS})
     * @param limit the largest datagram to deliver
     * @throws NativeException if the buffers' address space cannot be mapped
     */
    GroMultishotReceiver(UringBackend backend, int buffers, int limit) throws NativeException {
        super(backend, buffers, Msghdr.SIZE + NAME_BYTES + GroBuffers.CONTROL_BYTES);
        this.pool = backend.pool();
        this.slotSize = pool.slotSize();
        this.limit = limit;
        this.buffers = Syscall.reserve("io_uring receive buffers", (long) buffers * BUFFER_BYTES, backend.arena());
        this.pending = new int[buffers];
        // Only the lengths matter (the kernel lays out each buffer by them); the pointers must be
        // non-null for the areas to be reserved and are never written.
        msghdr.set(JAVA_LONG, Msghdr.MSG_NAME, msghdr.address() + Msghdr.SIZE);
        msghdr.set(JAVA_INT, Msghdr.MSG_NAMELEN, NAME_BYTES);
        msghdr.set(JAVA_LONG, Msghdr.MSG_CONTROL, msghdr.address() + Msghdr.SIZE + NAME_BYTES);
        msghdr.set(JAVA_LONG, Msghdr.MSG_CONTROLLEN, GroBuffers.CONTROL_BYTES);
        this.lengths = new int[buffers];
        this.segments = new int[buffers];
    }

    @Override
    String describe() {
        return entries + " x " + BUFFER_BYTES + " B";
    }

    /** The old ring retired: every buffer not waiting to be split is empty again. */
    @Override
    void buffersReturned() {
        for (int b = entries - 1; b >= 0; b--) {
            if (!isPending(b)) {
                emptyBids[emptyCount++] = b;
            }
        }
    }

    private boolean isPending(int bid) {
        for (int i = 0; i < pendingCount; i++) {
            if (pending[(pendingHead + i) % entries] == bid) {
                return true;
            }
        }
        return false;
    }

    /** Puts every empty buffer into the ring; publishes the tail once. */
    @Override
    void refill() {
        int added = emptyCount;
        while (emptyCount > 0) {
            int bid = emptyBids[--emptyCount];
            put(buffers.address() + (long) bid * BUFFER_BYTES, BUFFER_BYTES, bid);
        }
        publish(added);
    }

    /** Datagrams left from an earlier cycle go first (the pool may have room again). */
    @Override
    void beforeArm() {
        splitPending();
    }

    @Override
    void onBuffer(int bid, int res) {
        if (accept(bid, res)) {
            pending[(pendingHead + pendingCount++) % entries] = bid;
            splitPending();
        } else {
            emptyBids[emptyCount++] = bid;
        }
    }

    /** Checks one completion into buffer {@code bid}: true when it holds datagrams to hand out. */
    private boolean accept(int bid, int res) {
        if (res < HEADER_BYTES) {
            stats.increment(BackendStats.Counter.RECEIVE_ERRORS);
            return false;
        }
        long base = (long) bid * BUFFER_BYTES;
        int payload = buffers.get(JAVA_INT, base + RecvmsgOut.PAYLOADLEN);
        int outFlags = buffers.get(JAVA_INT, base + RecvmsgOut.FLAGS);
        if ((outFlags & (IoUring.MSG_TRUNC | Net.MSG_CTRUNC)) != 0 || payload > res - HEADER_BYTES || payload < 0) {
            stats.increment(BackendStats.Counter.DATAGRAMS_TRUNCATED); // cannot tell where its datagrams begin
            return false;
        }
        int segment = GroBuffers.segmentSize(buffers, base + RecvmsgOut.SIZE + NAME_BYTES,
                buffers.get(JAVA_INT, base + RecvmsgOut.CONTROLLEN), payload);
        if (!GroBuffers.accept(stats, payload, segment)) {
            return false;
        }
        lengths[bid] = payload;
        segments[bid] = segment;
        return true;
    }

    /**
     * Hands out pending segments in order, one pool slot each, until done or the small slots are
     * dry (a datagram that finds no large slot is dropped, counted, and the split goes on).
     */
    private void splitPending() {
        while (pendingCount > 0) {
            int bid = pending[pendingHead];
            long base = (long) bid * BUFFER_BYTES;
            int payload = lengths[bid];
            do { // at least once: an empty datagram is one too
                int length = Math.min(segments[bid], payload - pendingOffset);
                if (length > limit) { // a GSO sender's segments above our limit (its last one may be within)
                    stats.increment(BackendStats.Counter.DATAGRAMS_TRUNCATED);
                    pendingOffset += length;
                    continue;
                }
                boolean large = length > slotSize;
                int slot = large ? pool.acquireLarge() : pool.acquire();
                if (slot < 0) {
                    if (!large) {
                        stats.increment(BackendStats.Counter.RECEIVE_NO_SLOT);
                        return;
                    }
                    stats.increment(BackendStats.Counter.LARGE_NO_SLOT);
                    pendingOffset += length;
                    continue;
                }
                if (large) {
                    stats.increment(BackendStats.Counter.LARGE_RECEIVED);
                }
                MemorySegment.copy(buffers, base + HEADER_BYTES + pendingOffset, pool.slab(), pool.slotOffset(slot),
                        length);
                MemorySegment.copy(buffers, base + RecvmsgOut.SIZE, pool.addresses(), pool.addressOffset(slot),
                        NAME_BYTES);
                pool.length(slot, length);
                pool.dataOffset(slot, 0);
                backend.deliver(slot, length);
                pendingOffset += length;
            } while (pendingOffset < payload);
            pendingHead = (pendingHead + 1) % entries;
            pendingCount--;
            pendingOffset = 0;
            emptyBids[emptyCount++] = bid;
        }
    }

    /** Datagrams received but not yet handed out (dropped at close). */
    int pendingDatagrams() {
        int n = 0;
        for (int i = 0; i < pendingCount; i++) {
            int bid = pending[(pendingHead + i) % entries];
            int left = lengths[bid] - (i == 0 ? pendingOffset : 0);
            n += GroBuffers.datagrams(left, segments[bid]);
        }
        return n;
    }

    /** No pool slot is ever in this ring: nothing to return; pending datagrams are dropped. */
    @Override
    public void releaseAll() {
        int dropped = pendingDatagrams();
        if (dropped > 0) {
            LOG.log(System.Logger.Level.DEBUG,
                    "io_uring GRO receive: {0} received datagrams were still pending at close", dropped);
        }
    }
}
