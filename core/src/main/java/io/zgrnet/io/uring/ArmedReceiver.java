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
import io.zgrnet.sys.Syscall;
import java.lang.foreign.MemorySegment;

/**
 * Receive mode "armed": {@code depth} single-shot IORING_OP_RECVMSG kept in flight, each over its
 * own pool slot with its own msghdr and iovec in a backend-owned native array; {@code msg_name}
 * points at the slot's address area, so the kernel writes the source address there. A completed
 * operation hands its slot to the caller and is re-armed with a fresh slot on the next cycle (all
 * re-arms of a cycle go in with one io_uring_enter).
 *
 * <p>Large datagrams: when the pool has large slots, each operation's msghdr has a second iovec
 * after its slot, a spill area of {@code maxDatagram - slotSize} bytes; a datagram that spilled
 * is copied (slot part, then spill) into a large slot, the small slot stays with the operation and
 * is re-armed. No large slot free: that datagram is dropped and counted ({@code LARGE_NO_SLOT}).
 * The spill areas are {@code depth x (maxDatagram - slotSize)} bytes of reserved address space
 * ({@link Syscall#reserve}), memory only where a datagram spilled (at the default depth of 256,
 * 15.5 MiB of address space).
 *
 * <p>Truncation: RECVMSG is issued with MSG_TRUNC, so {@code res} is the datagram's real length;
 * {@code res} above the receive limit or MSG_TRUNC in the msghdr's {@code msg_flags} means the
 * datagram did not fit: counted, dropped, the slot re-armed.
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
    private final int iovsPerOp; // 2 with spill areas
    private final int slotSize;
    private final int limit; // largest datagram delivered
    private final int spillBytes; // per operation, 0 without large slots
    private final MemorySegment spill; // depth x spillBytes, or null

    /**
     * @param limit the largest datagram to deliver (above a slot: spill areas)
     * @throws NativeException if the spill areas' address space cannot be mapped
     */
    ArmedReceiver(UringBackend backend, int depth, int limit) throws NativeException {
        this.backend = backend;
        this.pool = backend.pool();
        this.stats = backend.backendStats();
        this.depth = depth;
        this.slotSize = pool.slotSize();
        this.limit = limit;
        this.spillBytes = limit > slotSize ? limit - slotSize : 0;
        this.iovsPerOp = spillBytes > 0 ? 2 : 1;
        this.slotOf = new int[depth];
        this.idle = new int[depth];
        this.busy = new boolean[depth];
        this.hdrs = backend.arena().allocate((long) Msghdr.SIZE * depth, 8);
        this.iovs = backend.arena().allocate((long) Iovec.SIZE * iovsPerOp * depth, 8);
        this.spill = spillBytes > 0
                ? Syscall.reserve("io_uring spill areas", (long) depth * spillBytes, backend.arena()) : null;
        for (int i = 0; i < depth; i++) {
            slotOf[i] = -1;
            idle[i] = depth - 1 - i;
            long h = (long) i * Msghdr.SIZE;
            hdrs.set(JAVA_LONG, h + Msghdr.MSG_IOV, iovs.address() + (long) i * iovsPerOp * Iovec.SIZE);
            hdrs.set(JAVA_LONG, h + Msghdr.MSG_IOVLEN, iovsPerOp);
            if (spillBytes > 0) {
                Iovec.set(iovs, ((long) i * 2 + 1) * Iovec.SIZE, spill.address() + (long) i * spillBytes, spillBytes);
            }
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
            Iovec.set(iovs, (long) i * iovsPerOp * Iovec.SIZE, pool.slotAddress(slot), slotSize);
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
            if (res > limit || (msgFlags & IoUring.MSG_TRUNC) != 0) {
                stats.increment(BackendStats.Counter.DATAGRAMS_TRUNCATED); // slot kept and re-armed
                return;
            }
            if (res > slotSize) {
                spilled(slot, i, res); // the small slot stays with the operation
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

    /**
     * Operation {@code i} received a datagram larger than its slot {@code small}: copies it (the
     * slot's part, then the spill area's) and the source address into a large slot and delivers
     * that, or counts the drop when no large slot is free.
     */
    private void spilled(int small, int i, int length) {
        int large = pool.acquireLargeFromSpill(small, spill, (long) i * spillBytes, length);
        if (large < 0) {
            stats.increment(BackendStats.Counter.LARGE_NO_SLOT);
            return;
        }
        pool.length(large, length);
        pool.dataOffset(large, 0);
        stats.increment(BackendStats.Counter.LARGE_RECEIVED);
        backend.deliver(large, length);
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
