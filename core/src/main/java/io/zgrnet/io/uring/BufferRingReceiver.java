package io.zgrnet.io.uring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.zgrnet.io.BackendStats;
import io.zgrnet.sys.BufRing;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.NativeException;
import io.zgrnet.sys.Sqe;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * What both multishot receivers share: one IORING_OP_RECVMSG with IORING_RECV_MULTISHOT and
 * IOSQE_BUFFER_SELECT over a provided-buffer ring (IORING_REGISTER_PBUF_RING, group {@link #BGID};
 * kernel 6.0), with {@code entries} buffer ids. Subclasses decide what stands behind an id (a pool
 * slot, or a buffer of their own) by putting ids back into the ring in {@link #refill()} and
 * handle each filled buffer in {@link #onBuffer}.
 *
 * <p>The ring's tail is published once per refill with a release store ({@link BufRing#publishTail});
 * the kernel consumes entries up to it. A completion without IORING_CQE_F_MORE ends the multishot;
 * it is re-armed on the next cycle, but only when the ring holds buffers (arming over an empty
 * ring fails at once with ENOBUFS, liburing#1275). ENOBUFS itself (the ring ran dry) is counted and
 * survived: refill, re-arm; datagrams meanwhile wait in the socket buffer.
 *
 * <p>Owner thread only.
 */
abstract class BufferRingReceiver implements UringBackend.Receiver {
    /** Buffer group id of the ring: one receiver per ring. */
    static final int BGID = 0;

    final UringBackend backend;
    final BackendStats stats;
    final UringStats counters;
    /** Buffer ids in the ring: a power of two. */
    final int entries;
    /**
     * The provided-buffer ring memory registered with the ring in use, in an arena of its own: an
     * owner change registers a fresh one with the new ring before the old ring retires, and the
     * old memory is freed only after every operation of the old ring completed.
     */
    private Arena ringArena;
    private MemorySegment bufRing;
    private Arena preparedArena;
    private MemorySegment preparedBufRing;
    /** The template msghdr of the RECVMSG: its name and control lengths lay out each buffer. */
    final MemorySegment msghdr;
    /** Ids to put (back) into the ring, a stack. */
    final int[] emptyBids;
    int emptyCount;
    private int tail; // local ring tail (u16 in the kernel)
    private int inRing; // buffers provided and not yet completed
    private boolean armed;

    /**
     * @param entries buffer ids, a power of two up to {@link BufRing#MAX_ENTRIES}
     * @param msghdrBytes bytes of the template msghdr and the areas its pointers reference
     */
    BufferRingReceiver(UringBackend backend, int entries, long msghdrBytes) {
        this.backend = backend;
        this.stats = backend.backendStats();
        this.counters = backend.counters();
        this.entries = entries;
        this.msghdr = backend.arena().allocate(msghdrBytes, 8);
        this.emptyBids = new int[entries];
        for (int b = 0; b < entries; b++) {
            emptyBids[b] = entries - 1 - b;
        }
        this.emptyCount = entries;
    }

    /** What the ring holds, for the registration's error message. */
    abstract String describe();

    /** Puts ids from {@link #emptyBids} into the ring with {@link #put}, then {@link #publish}. */
    abstract void refill();

    /** Handles a completion that filled buffer {@code bid} ({@code res}: bytes used, or an error). */
    abstract void onBuffer(int bid, int res);

    /** Work before refilling and re-arming, once per cycle. */
    void beforeArm() {
    }

    /**
     * Registers fresh buffer-ring memory (entries empty, tail 0) with a new ring; {@link #commit}
     * switches to it and arm() fills it. Nothing changes if the registration fails.
     */
    @Override
    public void prepare(Ring ring) throws NativeException {
        abort();
        Arena a = Arena.ofShared();
        try {
            MemorySegment memory = a.allocate(Math.max(4096, BufRing.BUF_SIZE * entries), 4096);
            MemorySegment reg = a.allocate(BufRing.REG_SIZE, 8);
            reg.set(JAVA_LONG, BufRing.REG_RING_ADDR, memory.address());
            reg.set(JAVA_INT, BufRing.REG_RING_ENTRIES, entries);
            reg.set(JAVA_SHORT, BufRing.REG_BGID, (short) BGID);
            ring.register("PBUF_RING " + describe(), IoUring.IORING_REGISTER_PBUF_RING, reg.address(), 1);
            preparedArena = a;
            preparedBufRing = memory;
        } catch (NativeException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /**
     * The prepared ring is in use; the previous one retired with every operation complete, so its
     * buffer-ring memory is freed and every buffer that was in it is ours again: nothing is armed
     * or provided, the new ring starts at tail 0, and {@link #buffersReturned()} refills
     * {@link #emptyBids}.
     */
    @Override
    public void commit() {
        if (ringArena != null) {
            ringArena.close();
        }
        ringArena = preparedArena;
        bufRing = preparedBufRing;
        preparedArena = null;
        preparedBufRing = null;
        armed = false;
        inRing = 0;
        tail = 0;
        emptyCount = 0;
        buffersReturned();
    }

    @Override
    public void abort() {
        if (preparedArena != null) {
            preparedArena.close();
            preparedArena = null;
            preparedBufRing = null;
        }
    }

    /** After {@link #commit}: put every buffer id that is not holding data back into {@link #emptyBids}. */
    abstract void buffersReturned();

    @Override
    public void forEachInFlight(java.util.function.LongConsumer userData) {
        if (armed) {
            userData.accept(UringBackend.userData(UringBackend.KIND_MULTISHOT, 0));
        }
    }

    @Override
    public void freeRingMemory() {
        abort();
        if (ringArena != null) {
            ringArena.close();
            ringArena = null;
        }
    }

    /** Appends buffer {@code bid} at {@code address} to the ring; visible to the kernel after {@link #publish}. */
    void put(long address, int length, int bid) {
        BufRing.put(bufRing, tail & (entries - 1), address, length, bid);
        tail++;
    }

    /** Publishes {@code added} entries put since the last call (release store of the u16 tail). */
    void publish(int added) {
        if (added > 0) {
            inRing += added;
            counters.add(UringStats.Counter.BUFFERS_PROVIDED, added);
            BufRing.publishTail(bufRing, tail);
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
        beforeArm();
        refill();
        if (!armed && inRing > 0) {
            Ring ring = backend.ring();
            long sqe = backend.trySqe();
            if (sqe < 0) {
                return; // SQ full and the kernel pushes back: the next cycle arms
            }
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
            if (bid >= entries) {
                stats.increment(BackendStats.Counter.RECEIVE_ERRORS); // cannot happen: a bid we never provided
                return;
            }
            inRing--;
            onBuffer(bid, res);
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
}
