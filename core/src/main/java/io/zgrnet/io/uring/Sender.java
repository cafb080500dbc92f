package io.zgrnet.io.uring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.PacketPool;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.Iovec;
import io.zgrnet.sys.Msghdr;
import io.zgrnet.sys.SockAddr;
import io.zgrnet.sys.Sqe;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/**
 * The send path: one IORING_OP_SENDMSG per datagram (msghdr per in-flight send, msg_name pointing
 * at the slot's address area, one iovec over the slot's data), or IORING_OP_SEND_ZC from the
 * registered pool slab (destination in addr2/addr_len).
 *
 * <p>A batch is written into the SQ and submitted with one io_uring_enter; completions are reaped
 * lazily (the same enter often reaps them, since UDP sends complete inline). A slot is released
 * only when its completion arrives, and for zero-copy only after the IORING_CQE_F_NOTIF
 * completion: never while the kernel may still read it. Refused sends are counted by errno. Sends
 * are not MSG_DONTWAIT: a full socket buffer makes io_uring wait for space (poll) instead of
 * dropping; when all {@code depth} send operations are in flight, send() waits for completions.
 *
 * <p>Concurrency: owner thread only.
 */
final class Sender {
    private final UringBackend backend;
    private final PacketPool pool;
    private final BackendStats stats;
    private final int depth;
    private final boolean zeroCopy;
    private final boolean sendTo;
    private final int[] slotOf;
    private final int[] free;
    private int freeCount;
    private int inFlight;
    private final MemorySegment hdrs;
    private final MemorySegment iovs;

    Sender(UringBackend backend, int depth, boolean zeroCopy, boolean sendTo) {
        this.backend = backend;
        this.pool = backend.pool();
        this.stats = backend.backendStats();
        this.depth = depth;
        this.zeroCopy = zeroCopy;
        this.sendTo = sendTo;
        this.slotOf = new int[depth];
        this.free = new int[depth];
        this.hdrs = backend.arena().allocate((long) Msghdr.SIZE * depth, 8);
        this.iovs = backend.arena().allocate((long) Iovec.SIZE * depth, 8);
        for (int j = 0; j < depth; j++) {
            slotOf[j] = -1;
            free[j] = depth - 1 - j;
            long h = (long) j * Msghdr.SIZE;
            hdrs.set(JAVA_LONG, h + Msghdr.MSG_IOV, iovs.address() + (long) j * Iovec.SIZE);
            hdrs.set(JAVA_LONG, h + Msghdr.MSG_IOVLEN, 1L);
        }
        this.freeCount = depth;
    }

    boolean zeroCopy() {
        return zeroCopy;
    }

    boolean sendTo() {
        return sendTo;
    }

    int send(int[] slots, int count) throws IOException {
        Ring ring = backend.ring();
        MemorySegment sqes = ring.sqes();
        MemorySegment addresses = pool.addresses();
        int queued = 0;
        int k = 0;
        try {
            for (; k < count; k++) {
                int slot = slots[k];
                int addrLen = SockAddr.length(addresses, pool.addressOffset(slot));
                int offset = pool.dataOffset(slot);
                int length = pool.length(slot);
                if (addrLen == 0 || offset < 0 || length < 0 || (long) offset + length > pool.slotSize()) {
                    stats.increment(BackendStats.Counter.SEND_MALFORMED); // dropped, never thrown
                    pool.release(slot);
                    continue;
                }
                while (freeCount == 0) {
                    if (backend.closing()) {
                        throw new ClosedChannelException();
                    }
                    backend.counters().increment(UringStats.Counter.SEND_WAITS);
                    backend.waitForCompletions(TimeUnit.MILLISECONDS.toNanos(10));
                }
                // May submit and reap (which only frees send ops); nothing is assigned yet.
                long sqe = backend.sqe();
                int j = free[--freeCount];
                slotOf[j] = slot;
                inFlight++;
                long data = pool.slotAddress(slot) + offset;
                long ud = UringBackend.userData(UringBackend.KIND_SEND, j);
                if (zeroCopy) {
                    Sqe.prep(sqes, sqe, IoUring.IORING_OP_SEND_ZC, backend.fileFlag(), backend.socketFd(), data,
                            length, pool.addressAddress(slot), ud);
                    Sqe.addrLen(sqes, sqe, addrLen);
                    Sqe.ioprio(sqes, sqe, IoUring.IORING_RECVSEND_FIXED_BUF);
                    Sqe.bufIndex(sqes, sqe, 0);
                } else if (sendTo) {
                    // sendto(2) semantics: destination in addr2/addr_len, no msghdr or iovec to copy in.
                    Sqe.prep(sqes, sqe, IoUring.IORING_OP_SEND, backend.fileFlag(), backend.socketFd(), data, length,
                            pool.addressAddress(slot), ud);
                    Sqe.addrLen(sqes, sqe, addrLen);
                } else {
                    long h = (long) j * Msghdr.SIZE;
                    hdrs.set(JAVA_LONG, h + Msghdr.MSG_NAME, pool.addressAddress(slot));
                    hdrs.set(JAVA_INT, h + Msghdr.MSG_NAMELEN, addrLen);
                    Iovec.set(iovs, (long) j * Iovec.SIZE, data, length);
                    Sqe.prep(sqes, sqe, IoUring.IORING_OP_SENDMSG, backend.fileFlag(), backend.socketFd(),
                            hdrs.address() + h, 1, 0, ud);
                }
                queued++;
            }
        } finally {
            // Slots not queued (closed mid-batch, or a native failure) still belong to us: release them.
            for (int r = k; r < count; r++) {
                pool.release(slots[r]);
            }
        }
        stats.increment(BackendStats.Counter.SEND_CALLS);
        backend.submitNow();
        return queued;
    }

    void onCqe(int j, int res, int flags) {
        if ((flags & IoUring.IORING_CQE_F_NOTIF) != 0) {
            backend.counters().increment(UringStats.Counter.ZC_NOTIFICATIONS);
            finish(j);
            return;
        }
        if (res >= 0) {
            stats.increment(BackendStats.Counter.DATAGRAMS_SENT);
            stats.add(BackendStats.Counter.BYTES_SENT, res);
        } else if (res != -Errno.ECANCELED) {
            stats.sendError(-res);
        }
        if ((flags & IoUring.IORING_CQE_F_MORE) == 0) {
            finish(j); // no notification will follow
        }
    }

    private void finish(int j) {
        int slot = slotOf[j];
        slotOf[j] = -1;
        free[freeCount++] = j;
        inFlight--;
        pool.release(slot);
    }

    int inFlight() {
        return inFlight;
    }

    /**
     * The ring holding our sends is closed: their slots come back (a zero-copy send whose
     * notification never came may still be read by an skb in flight; the pages stay valid, the
     * data may change, which is the caller's loss, not memory unsafety).
     */
    void reset() {
        releaseAll();
        freeCount = 0;
        for (int j = depth - 1; j >= 0; j--) {
            free[freeCount++] = j;
        }
        inFlight = 0;
    }

    void releaseAll() {
        for (int j = 0; j < depth; j++) {
            if (slotOf[j] >= 0) {
                pool.release(slotOf[j]);
                slotOf[j] = -1;
            }
        }
    }
}
