package io.zgrnet.io.uring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.GsoLimit;
import io.zgrnet.io.GsoRuns;
import io.zgrnet.io.PacketPool;
import io.zgrnet.sys.Cmsghdr;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.Iovec;
import io.zgrnet.sys.Msghdr;
import io.zgrnet.sys.Net;
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
 * <p>UDP GSO (SENDMSG mode, on unless {@code SocketOptions.udpGso} is off): a run of consecutive
 * datagrams to one destination with one length ({@link GsoRuns}) becomes one SENDMSG whose msghdr
 * has an iovec per slot (no copy) and a {@code SOL_UDP/UDP_SEGMENT} control message with the
 * segment size: one trip through the stack for up to 64 datagrams. If the kernel refuses such a
 * send, the refused datagrams wait in a retry queue that the next send or duty cycle submits one
 * per SENDMSG (completion handlers never submit): nothing is lost to it, though they may now
 * follow datagrams queued after them. {@link GsoLimit} decides what follows: a refusal for a
 * destination's path MTU lowers the largest datagram grouped for that destination; anything else
 * (EIO: a device that cannot checksum-offload, ENOPROTOOPT, EOPNOTSUPP) turns GSO off.
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
    private static final System.Logger LOG = System.getLogger(Sender.class.getName());
    private static final int SEGMENTS = GsoRuns.MAX_SEGMENTS;
    /** One control message with a u16 segment size: CMSG_SPACE(2). */
    private static final int CMSG_BYTES = (int) Cmsghdr.space(2);

    private final UringBackend backend;
    private final PacketPool pool;
    private final BackendStats stats;
    private final int depth;
    private final boolean zeroCopy;
    private final boolean sendTo;
    /** Datagrams in send op j (0: op free); its slots are groupSlots[j * SEGMENTS ..]. */
    private final int[] groupCount;
    private final int[] groupSlots;
    /** Slots (and iovecs) reserved per send op: 64 when GSO was on at start, else 1. */
    private final int perOp;
    private final int[] free;
    private int freeCount;
    private int inFlight;
    private final MemorySegment hdrs;
    private final MemorySegment iovs;
    private final MemorySegment cmsgs;
    private final GsoRuns.SlotCheck wellFormed = this::wellFormed;
    private final GsoLimit gso;
    /** Slots of refused GSO sends, to go out one by one (a ring: head and tail only grow). */
    private final int[] retry;
    private final int retryMask;
    private int retryHead;
    private int retryTail;
    private final int[] single = new int[1];

    Sender(UringBackend backend, int depth, boolean zeroCopy, boolean sendTo, boolean gso) {
        this.backend = backend;
        this.pool = backend.pool();
        this.stats = backend.backendStats();
        this.depth = depth;
        this.zeroCopy = zeroCopy;
        this.sendTo = sendTo;
        this.gso = new GsoLimit(gso && !zeroCopy && !sendTo); // GSO needs SENDMSG's control message
        this.perOp = this.gso.enabled() ? SEGMENTS : 1;
        this.groupCount = new int[depth];
        this.groupSlots = new int[depth * perOp];
        this.free = new int[depth];
        this.retry = new int[this.gso.enabled() ? Integer.highestOneBit(depth * perOp - 1) << 1 : 1];
        this.retryMask = retry.length - 1;
        this.hdrs = backend.arena().allocate((long) Msghdr.SIZE * depth, 8);
        this.iovs = backend.arena().allocate((long) Iovec.SIZE * depth * perOp, 8);
        this.cmsgs = backend.arena().allocate((long) CMSG_BYTES * depth, 8);
        for (int j = 0; j < depth; j++) {
            free[j] = depth - 1 - j;
            long h = (long) j * Msghdr.SIZE;
            hdrs.set(JAVA_LONG, h + Msghdr.MSG_IOV, iovs.address() + (long) j * perOp * Iovec.SIZE);
            hdrs.set(JAVA_LONG, h + Msghdr.MSG_IOVLEN, 1L);
            long c = (long) j * CMSG_BYTES;
            cmsgs.set(JAVA_LONG, c + Cmsghdr.CMSG_LEN, Cmsghdr.len(2));
            cmsgs.set(JAVA_INT, c + Cmsghdr.CMSG_LEVEL, Net.SOL_UDP);
            cmsgs.set(JAVA_INT, c + Cmsghdr.CMSG_TYPE, Net.UDP_SEGMENT);
        }
        this.freeCount = depth;
    }

    boolean zeroCopy() {
        return zeroCopy;
    }

    boolean sendTo() {
        return sendTo;
    }

    /** True while sends may carry several datagrams (UDP GSO). */
    boolean gso() {
        return gso.enabled();
    }

    private boolean wellFormed(int slot) {
        int offset = pool.dataOffset(slot);
        int length = pool.length(slot);
        return SockAddr.length(pool.addresses(), pool.addressOffset(slot)) != 0 && offset >= 0 && length >= 0
                && (long) offset + length <= pool.slotSize(slot);
    }

    int send(int[] slots, int count) throws IOException {
        int queued = 0;
        int k = 0;
        try {
            resubmitRefused();
            while (k < count) {
                int slot = slots[k];
                if (!wellFormed(slot)) {
                    stats.increment(BackendStats.Counter.SEND_MALFORMED); // dropped, never thrown
                    pool.release(slot);
                    k++;
                    continue;
                }
                int n = gso.enabled() ? GsoRuns.runLength(pool, slots, k, count, wellFormed,
                        gso.maxSegment(pool.addresses(), pool.addressOffset(slot))) : 1;
                while (freeCount == 0) {
                    if (backend.closing()) {
                        throw new ClosedChannelException();
                    }
                    backend.counters().increment(UringStats.Counter.SEND_WAITS);
                    backend.waitForCompletions(TimeUnit.MILLISECONDS.toNanos(10));
                }
                // May submit and reap (which only frees send ops); nothing is assigned yet.
                long sqe = backend.sqeForSend();
                queue(sqe, free[--freeCount], slots, k, n);
                queued += n;
                k += n;
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

    /**
     * Queues the datagrams of refused GSO sends again, one per SENDMSG, as far as send ops are
     * free (the rest waits for the next call). Called by send and by the backend's duty cycle.
     */
    void resubmitRefused() throws IOException {
        while (retryHead != retryTail && freeCount > 0 && !backend.closing()) {
            long sqe = backend.trySqe(); // never reaps: the retry ring cannot change under us
            if (sqe < 0) {
                return; // the SQ is full and the kernel pushes back: next cycle
            }
            single[0] = retry[retryHead++ & retryMask];
            queue(sqe, free[--freeCount], single, 0, 1);
        }
    }

    /** Writes SQE {@code sqe} as send op {@code j} for the {@code n} well-formed slots at src[k..]. */
    private void queue(long sqe, int j, int[] src, int k, int n) {
        MemorySegment sqes = backend.ring().sqes();
        int slot = src[k];
        int base = j * perOp;
        System.arraycopy(src, k, groupSlots, base, n);
        groupCount[j] = n;
        inFlight++;
        int addrLen = SockAddr.length(pool.addresses(), pool.addressOffset(slot));
        int length = pool.length(slot);
        long data = pool.slotAddress(slot) + pool.dataOffset(slot);
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
            long iov = (long) base * Iovec.SIZE;
            for (int i = 0; i < n; i++) {
                int s = groupSlots[base + i];
                Iovec.set(iovs, iov + (long) i * Iovec.SIZE, pool.slotAddress(s) + pool.dataOffset(s),
                        pool.length(s));
            }
            hdrs.set(JAVA_LONG, h + Msghdr.MSG_IOVLEN, n);
            if (n > 1) {
                long c = (long) j * CMSG_BYTES;
                cmsgs.set(JAVA_SHORT_UNALIGNED, c + Cmsghdr.DATA, (short) length); // the segment size
                hdrs.set(JAVA_LONG, h + Msghdr.MSG_CONTROL, cmsgs.address() + c);
                hdrs.set(JAVA_LONG, h + Msghdr.MSG_CONTROLLEN, CMSG_BYTES);
            } else {
                hdrs.set(JAVA_LONG, h + Msghdr.MSG_CONTROL, 0L);
                hdrs.set(JAVA_LONG, h + Msghdr.MSG_CONTROLLEN, 0L);
            }
            Sqe.prep(sqes, sqe, IoUring.IORING_OP_SENDMSG, backend.fileFlag(), backend.socketFd(),
                    hdrs.address() + h, 1, 0, ud);
        }
    }

    void onCqe(int j, int res, int flags) {
        if ((flags & IoUring.IORING_CQE_F_NOTIF) != 0) {
            backend.counters().increment(UringStats.Counter.ZC_NOTIFICATIONS);
            finish(j);
            return;
        }
        int n = groupCount[j];
        if (res >= 0) {
            stats.add(BackendStats.Counter.DATAGRAMS_SENT, n);
            stats.add(BackendStats.Counter.BYTES_SENT, res);
            if (n > 1) {
                stats.increment(BackendStats.Counter.GSO_SENDS);
                stats.add(BackendStats.Counter.GSO_DATAGRAMS, n);
            }
        } else if (n > 1 && GsoRuns.refusesGso(-res)) {
            stats.increment(BackendStats.Counter.GSO_REFUSED);
            int base = j * perOp;
            int lead = groupSlots[base];
            String change = gso.refused(-res, pool.length(lead), pool.addresses(), pool.addressOffset(lead));
            if (change != null) { // per destination (one per peer, at most): INFO; GSO off: WARNING
                LOG.log(gso.enabled() ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                        "io_uring: a UDP GSO send was refused ({0}); {1}",
                        Errno.describe(-res), change);
            }
            for (int i = 0; i < n; i++) {
                retry[retryTail++ & retryMask] = groupSlots[base + i]; // still ours: sent again later
            }
            groupCount[j] = 0;
            free[freeCount++] = j;
            inFlight--;
            return;
        } else if (res != -Errno.ECANCELED) {
            for (int i = 0; i < n; i++) {
                stats.sendError(-res);
            }
        }
        if ((flags & IoUring.IORING_CQE_F_MORE) == 0) {
            finish(j); // no notification will follow
        }
    }

    private void finish(int j) {
        int n = groupCount[j];
        int base = j * perOp;
        groupCount[j] = 0;
        free[freeCount++] = j;
        inFlight--;
        for (int i = 0; i < n; i++) {
            pool.release(groupSlots[base + i]);
        }
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

    /** Returns the slots waiting to be sent again (the kernel holds none of them). */
    void releaseRetries() {
        while (retryHead != retryTail) {
            pool.release(retry[retryHead++ & retryMask]);
        }
    }

    /** The user_data of every send in flight. */
    void forEachInFlight(java.util.function.LongConsumer userData) {
        for (int j = 0; j < groupCount.length; j++) {
            if (groupCount[j] > 0) {
                userData.accept(UringBackend.userData(UringBackend.KIND_SEND, j));
            }
        }
    }

    /** Returns every slot (every send has completed, or its ring was retired with all completions seen). */
    void releaseAll() {
        releaseRetries();
        for (int j = 0; j < groupCount.length; j++) {
            for (int i = 0; i < groupCount[j]; i++) {
                pool.release(groupSlots[j * perOp + i]);
            }
            groupCount[j] = 0;
        }
    }
}
