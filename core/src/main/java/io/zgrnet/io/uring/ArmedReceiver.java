package io.zgrnet.io.uring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.PacketPool;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.Iovec;
import io.zgrnet.sys.Msghdr;
import io.zgrnet.sys.NativeException;
import io.zgrnet.sys.Sqe;
import java.lang.foreign.MemorySegment;

/**
 * Receive mode "armed": {@code depth} single-shot IORING_OP_RECVMSG kept in flight, each over its
 * own pool slot with its own msghdr and iovec in a backend-owned native array; {@code msg_name}
 * points at the slot's address area, so the kernel writes the source address there. A completed
 * operation hands its slot to the caller and is re-armed with a fresh slot on the next cycle (all
 * re-arms of a cycle go in with one io_uring_enter).
 *
 * <p>Truncation: RECVMSG is issued with MSG_TRUNC, so {@code res} is the datagram's real length;
 * {@code res > slotSize} or MSG_TRUNC in the msghdr's {@code msg_flags} means the datagram did not
 * fit: counted, dropped, the slot re-armed.
 *
 * <p>Concurrency: owner thread only. The kernel reads the msghdr at submission and writes
 * {@code msg_namelen}/{@code msg_flags} back at completion, so each msghdr stays untouched while
 * its operation is in flight.
 */
final class ArmedReceiver implements UringBackend.Receiver {
    private final UringBackend backend;
    private final PacketPool pool;
    private final BackendStats stats;
    private final int depth;
    private final int[] slotOf; // slot held by op i, or -1
    private final int[] idle; // stack of ops not in flight
    private final boolean[] busy; // op i is in flight
    private int idleCount;
    private int inFlight;
    private final MemorySegment hdrs;
    private final MemorySegment iovs;

    ArmedReceiver(UringBackend backend, int depth) {
        this.backend = backend;
        this.pool = backend.pool();
        this.stats = backend.backendStats();
        this.depth = depth;
        this.slotOf = new int[depth];
        this.idle = new int[depth];
        this.busy = new boolean[depth];
        this.hdrs = backend.arena().allocate((long) Msghdr.SIZE * depth, 8);
        this.iovs = backend.arena().allocate((long) Iovec.SIZE * depth, 8);
        for (int i = 0; i < depth; i++) {
            slotOf[i] = -1;
            idle[i] = depth - 1 - i;
            long h = (long) i * Msghdr.SIZE;
            hdrs.set(JAVA_LONG, h + Msghdr.MSG_IOV, iovs.address() + (long) i * Iovec.SIZE);
            hdrs.set(JAVA_LONG, h + Msghdr.MSG_IOVLEN, 1L);
            hdrs.set(JAVA_LONG, h + Msghdr.MSG_CONTROL, 0L);
            hdrs.set(JAVA_LONG, h + Msghdr.MSG_CONTROLLEN, 0L);
        }
        this.idleCount = depth;
    }

    @Override
    public void prepare(Ring ring) {
        // nothing to register: each RECVMSG carries its own buffer
    }

    /** Every operation completed with the old ring: all are idle again, each keeping its slot, if any. */
    @Override
    public void commit() {
        idleCount = 0;
        for (int i = depth - 1; i >= 0; i--) {
            idle[idleCount++] = i;
            busy[i] = false;
        }
        inFlight = 0;
    }

    @Override
    public void abort() {
    }

    @Override
    public void start() throws NativeException {
        arm();
    }

    /**
     * Arms idle operations. {@link UringBackend#trySqe} never reaps, so no completion can push an
     * idle operation while one is being taken off the stack.
     */
    @Override
    public void arm() throws NativeException {
        if (backend.closing()) {
            return;
        }
        Ring ring = backend.ring();
        MemorySegment sqes = ring.sqes();
        while (idleCount > 0) {
            int i = idle[idleCount - 1];
            int slot = slotOf[i];
            if (slot < 0) {
                slot = pool.acquire();
                if (slot < 0) {
                    stats.increment(BackendStats.Counter.RECEIVE_NO_SLOT);
                    return;
                }
                slotOf[i] = slot;
            }
            long sqe = backend.trySqe();
            if (sqe < 0) {
                return; // SQ full and the kernel pushes back: the next cycle arms the rest
            }
            long h = (long) i * Msghdr.SIZE;
            hdrs.set(JAVA_LONG, h + Msghdr.MSG_NAME, pool.addressAddress(slot));
            hdrs.set(JAVA_INT, h + Msghdr.MSG_NAMELEN, PacketPool.ADDRESS_SIZE);
            hdrs.set(JAVA_INT, h + Msghdr.MSG_FLAGS, 0);
            Iovec.set(iovs, (long) i * Iovec.SIZE, pool.slotAddress(slot), pool.slotSize());
            Sqe.prep(sqes, sqe, IoUring.IORING_OP_RECVMSG, backend.fileFlag(), backend.socketFd(),
                    hdrs.address() + h, 1, 0, UringBackend.userData(UringBackend.KIND_RECV, i));
            Sqe.opFlags(sqes, sqe, IoUring.MSG_TRUNC);
            idleCount--;
            busy[i] = true;
            inFlight++;
        }
    }

    @Override
    public boolean starved() {
        return inFlight == 0;
    }

    @Override
    public void onCqe(int i, int res, int flags) {
        if (i < 0 || i >= depth || !busy[i]) {
            stats.increment(BackendStats.Counter.RECEIVE_ERRORS); // not an operation of ours in flight
            return;
        }
        busy[i] = false;
        inFlight--;
        idle[idleCount++] = i;
        backend.counters().increment(UringStats.Counter.RECEIVE_CQES);
        int slot = slotOf[i];
        if (res >= 0) {
            int msgFlags = hdrs.get(JAVA_INT, (long) i * Msghdr.SIZE + Msghdr.MSG_FLAGS);
            if (res > pool.slotSize() || (msgFlags & IoUring.MSG_TRUNC) != 0) {
                stats.increment(BackendStats.Counter.DATAGRAMS_TRUNCATED); // slot kept and re-armed
                return;
            }
            pool.length(slot, res);
            pool.dataOffset(slot, 0);
            slotOf[i] = -1;
            backend.deliver(slot, res);
        } else if (res != -Errno.ECANCELED) {
            stats.increment(BackendStats.Counter.RECEIVE_ERRORS); // slot kept and re-armed
        }
    }

    @Override
    public int inFlight() {
        return inFlight;
    }

    @Override
    public void forEachInFlight(java.util.function.LongConsumer userData) {
        for (int i = 0; i < depth; i++) {
            if (busy[i]) {
                userData.accept(UringBackend.userData(UringBackend.KIND_RECV, i));
            }
        }
    }

    @Override
    public void freeRingMemory() {
        // the msghdr and iovec arrays belong to the backend's arena
    }

    @Override
    public void releaseAll() {
        for (int i = 0; i < depth; i++) {
            if (slotOf[i] >= 0) {
                pool.release(slotOf[i]);
                slotOf[i] = -1;
            }
        }
    }
}
