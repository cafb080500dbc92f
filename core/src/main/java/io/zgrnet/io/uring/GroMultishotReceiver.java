package io.zgrnet.io.uring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.PacketPool;
import io.zgrnet.sys.BufRing;
import io.zgrnet.sys.Cmsghdr;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.Msghdr;
import io.zgrnet.sys.Net;
import io.zgrnet.sys.NativeException;
import io.zgrnet.sys.RecvmsgOut;
import io.zgrnet.sys.Sqe;
import java.lang.foreign.MemorySegment;

/**
 * Receive mode "multishot" on a socket with {@code UDP_GRO} (Linux 5.0; multishot RECVMSG and
 * buffer rings need 6.0): the kernel hands over up to 64 datagrams of a flow as one buffer of up
 * to 64 KiB, with a {@code SOL_UDP/UDP_GRO} control message holding the segment size. Pool slots
 * are too small for that, so the provided-buffer ring (group 0) points at {@link #BUFFERS} buffers
 * of our own; each completion's payload is cut at the segment size and copied, one datagram per
 * pool slot with the sender's address, and the buffer goes back into the ring.
 *
 * <p>Buffer layout, fixed by the template msghdr (msg_namelen 32, msg_controllen
 * {@code CMSG_SPACE(4)}): io_uring_recvmsg_out (16 bytes), the name area, the control area, then
 * the payload. A completion without the control message holds one datagram.
 *
 * <p>When the pool runs dry mid-buffer, that buffer and every later one wait, in order, in a FIFO
 * of pending buffers and are split on the next cycle; they are not re-provided meanwhile, so the
 * kernel keeps further datagrams in the socket buffer. Nothing taken from the kernel is dropped
 * except segments larger than a slot (counted as truncated). Truncation, ENOBUFS and re-arming
 * work as in {@link MultishotReceiver}.
 *
 * <p>Memory: {@code 16 x 64 KiB} of buffers from the backend's arena. Owner thread only.
 */
final class GroMultishotReceiver implements UringBackend.Receiver {
    private static final System.Logger LOG = System.getLogger(GroMultishotReceiver.class.getName());
    /** Buffers in the ring: up to 16 x 64 datagrams in flight for 1 MiB. */
    static final int BUFFERS = 16;
    private static final int NAME_BYTES = PacketPool.ADDRESS_SIZE;
    private static final int CONTROL_BYTES = (int) Cmsghdr.space(4);
    /** Payload offset inside a buffer. */
    static final int HEADER_BYTES = RecvmsgOut.SIZE + NAME_BYTES + CONTROL_BYTES;
    /** The largest coalesced payload: GRO and GSO both stop at 64 KiB. */
    private static final int PAYLOAD_BYTES = 65536;
    private static final int BUFFER_BYTES = (HEADER_BYTES + PAYLOAD_BYTES + 63) & ~63;

    private final UringBackend backend;
    private final PacketPool pool;
    private final int slotSize;
    private final BackendStats stats;
    private final UringStats counters;
    private final MemorySegment bufRing;
    private final MemorySegment msghdr;
    private final MemorySegment reg;
    private final MemorySegment buffers;
    private final int[] emptyBids; // stack of ids to (re)provide
    private int emptyCount;
    private int tail; // local ring tail (u16 in the kernel)
    private int inRing; // buffers provided and not yet completed
    private boolean armed;

    private final int[] lengths; // per bid: payload bytes of its last completion
    private final int[] segments; // per bid: its segment size (the whole length when not coalesced)
    private final int[] pending = new int[BUFFERS]; // FIFO of bids with segments still to hand out
    private int pendingHead;
    private int pendingCount;
    private int pendingOffset; // next segment's offset in the head's payload

    GroMultishotReceiver(UringBackend backend) {
        this.backend = backend;
        this.pool = backend.pool();
        this.slotSize = pool.slotSize();
        this.stats = backend.backendStats();
        this.counters = backend.counters();
        this.bufRing = backend.arena().allocate(Math.max(4096, BufRing.BUF_SIZE * BUFFERS), 4096);
        this.buffers = backend.arena().allocate((long) BUFFERS * BUFFER_BYTES, 4096);
        this.msghdr = backend.arena().allocate(Msghdr.SIZE + NAME_BYTES + CONTROL_BYTES, 8);
        // Only the lengths matter (the kernel lays out each buffer by them); the pointers must be
        // non-null for the areas to be reserved and are never written.
        msghdr.set(JAVA_LONG, Msghdr.MSG_NAME, msghdr.address() + Msghdr.SIZE);
        msghdr.set(JAVA_INT, Msghdr.MSG_NAMELEN, NAME_BYTES);
        msghdr.set(JAVA_LONG, Msghdr.MSG_CONTROL, msghdr.address() + Msghdr.SIZE + NAME_BYTES);
        msghdr.set(JAVA_LONG, Msghdr.MSG_CONTROLLEN, CONTROL_BYTES);
        this.emptyBids = new int[BUFFERS];
        for (int b = 0; b < BUFFERS; b++) {
            emptyBids[b] = BUFFERS - 1 - b;
        }
        this.emptyCount = BUFFERS;
        this.lengths = new int[BUFFERS];
        this.segments = new int[BUFFERS];
        this.reg = backend.arena().allocate(BufRing.REG_SIZE, 8);
        reg.set(JAVA_LONG, BufRing.REG_RING_ADDR, bufRing.address());
        reg.set(JAVA_INT, BufRing.REG_RING_ENTRIES, BUFFERS);
        reg.set(JAVA_SHORT, BufRing.REG_BGID, (short) MultishotReceiver.BGID);
    }

    @Override
    public void register(Ring ring) throws NativeException {
        ring.register("PBUF_RING " + BUFFERS + " x " + BUFFER_BYTES + " B (UDP GRO)",
                IoUring.IORING_REGISTER_PBUF_RING, reg.address(), 1);
    }

    /** The ring is closed: every buffer not waiting to be split is empty again. */
    @Override
    public void reset() {
        armed = false;
        inRing = 0;
        tail = 0;
        bufRing.fill((byte) 0);
        emptyCount = 0;
        for (int b = BUFFERS - 1; b >= 0; b--) {
            if (!isPending(b)) {
                emptyBids[emptyCount++] = b;
            }
        }
    }

    private boolean isPending(int bid) {
        for (int i = 0; i < pendingCount; i++) {
            if (pending[(pendingHead + i) % BUFFERS] == bid) {
                return true;
            }
        }
        return false;
    }

    /** Puts every empty buffer into the ring; publishes the tail once. */
    private void refill() {
        if (emptyCount == 0) {
            return;
        }
        int added = emptyCount;
        while (emptyCount > 0) {
            int bid = emptyBids[--emptyCount];
            BufRing.put(bufRing, tail & (BUFFERS - 1), buffers.address() + (long) bid * BUFFER_BYTES, BUFFER_BYTES,
                    bid);
            tail++;
        }
        inRing += added;
        counters.add(UringStats.Counter.BUFFERS_PROVIDED, added);
        BufRing.publishTail(bufRing, tail); // release store of the u16 tail
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
        splitPending();
        refill();
        if (!armed && inRing > 0) {
            Ring ring = backend.ring();
            long sqe = backend.sqe();
            Sqe.prep(ring.sqes(), sqe, IoUring.IORING_OP_RECVMSG, backend.fileFlag() | IoUring.IOSQE_BUFFER_SELECT,
                    backend.socketFd(), msghdr.address(), 1, 0, UringBackend.userData(UringBackend.KIND_MULTISHOT, 0));
            Sqe.ioprio(ring.sqes(), sqe, IoUring.IORING_RECV_MULTISHOT);
            Sqe.opFlags(ring.sqes(), sqe, IoUring.MSG_TRUNC);
            Sqe.bufIndex(ring.sqes(), sqe, MultishotReceiver.BGID);
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
            if (bid >= BUFFERS) {
                stats.increment(BackendStats.Counter.RECEIVE_ERRORS); // cannot happen: a bid we never provided
                return;
            }
            inRing--;
            if (accept(bid, res)) {
                pending[(pendingHead + pendingCount++) % BUFFERS] = bid;
                splitPending();
            } else {
                emptyBids[emptyCount++] = bid;
            }
        } else if (res == -Errno.ENOBUFS) {
            counters.increment(UringStats.Counter.ENOBUFS);
        } else if (res < 0 && res != -Errno.ECANCELED) {
            stats.increment(BackendStats.Counter.RECEIVE_ERRORS);
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
        int controlLength = buffers.get(JAVA_INT, base + RecvmsgOut.CONTROLLEN);
        if ((outFlags & (IoUring.MSG_TRUNC | Net.MSG_CTRUNC)) != 0 || payload > res - HEADER_BYTES || payload < 0) {
            stats.increment(BackendStats.Counter.DATAGRAMS_TRUNCATED); // cannot tell where its datagrams begin
            return false;
        }
        int segment = payload;
        long control = base + RecvmsgOut.SIZE + NAME_BYTES;
        if (controlLength >= Cmsghdr.len(4)
                && buffers.get(JAVA_INT, control + Cmsghdr.CMSG_LEVEL) == Net.SOL_UDP
                && buffers.get(JAVA_INT, control + Cmsghdr.CMSG_TYPE) == Net.UDP_GRO) {
            segment = buffers.get(JAVA_INT, control + Cmsghdr.DATA);
            if (segment <= 0) {
                stats.increment(BackendStats.Counter.DATAGRAMS_TRUNCATED);
                return false;
            }
        }
        if (segment > slotSize) {
            stats.add(BackendStats.Counter.DATAGRAMS_TRUNCATED, (payload + segment - 1) / segment);
            return false;
        }
        if (segment < payload) {
            int datagrams = (payload + segment - 1) / segment;
            stats.increment(BackendStats.Counter.GRO_RECEIVES);
            stats.add(BackendStats.Counter.GRO_DATAGRAMS, datagrams);
        }
        lengths[bid] = payload;
        segments[bid] = segment;
        return true;
    }

    /** Hands out pending segments in order, one pool slot each, until done or the pool is dry. */
    private void splitPending() {
        while (pendingCount > 0) {
            int bid = pending[pendingHead];
            long base = (long) bid * BUFFER_BYTES;
            int payload = lengths[bid];
            do { // at least once: an empty datagram is one too
                int slot = pool.acquire();
                if (slot < 0) {
                    stats.increment(BackendStats.Counter.RECEIVE_NO_SLOT);
                    return;
                }
                int length = Math.min(segments[bid], payload - pendingOffset);
                MemorySegment.copy(buffers, base + HEADER_BYTES + pendingOffset, pool.slab(), pool.slotOffset(slot),
                        length);
                MemorySegment.copy(buffers, base + RecvmsgOut.SIZE, pool.addresses(), pool.addressOffset(slot),
                        NAME_BYTES);
                pool.length(slot, length);
                pool.dataOffset(slot, 0);
                backend.deliver(slot, length);
                pendingOffset += length;
            } while (pendingOffset < payload);
            pendingHead = (pendingHead + 1) % BUFFERS;
            pendingCount--;
            pendingOffset = 0;
            emptyBids[emptyCount++] = bid;
        }
    }

    @Override
    public int inFlight() {
        return armed ? 1 : 0;
    }

    /** Datagrams received but not yet handed out (dropped at close). */
    int pendingDatagrams() {
        int n = 0;
        for (int i = 0; i < pendingCount; i++) {
            int bid = pending[(pendingHead + i) % BUFFERS];
            int left = lengths[bid] - (i == 0 ? pendingOffset : 0);
            n += segments[bid] == 0 ? 1 : (left + segments[bid] - 1) / segments[bid];
        }
        return n;
    }

    /** No pool slot is ever in this ring: nothing to return; pending datagrams are dropped. */
    @Override
    public void releaseAll() {
        int dropped = pendingDatagrams();
        if (dropped > 0) {
            LOG.log(System.Logger.Level.DEBUG, "io_uring GRO receive: {0} received datagrams were still pending at close",
                    dropped);
        }
    }
}
