package io.zgrnet.io.mmsg;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.BackendStats.Counter;
import io.zgrnet.io.CloseGuard;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.GsoLimit;
import io.zgrnet.io.GsoRuns;
import io.zgrnet.io.PacketPool;
import io.zgrnet.io.PoolStarvation;
import io.zgrnet.config.SocketOptions;
import io.zgrnet.sys.SocketOptionsReport;
import io.zgrnet.sys.Cmsghdr;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.EventFd;
import io.zgrnet.sys.Iovec;
import io.zgrnet.sys.Libc;
import io.zgrnet.sys.Mmsghdr;
import io.zgrnet.sys.Msghdr;
import io.zgrnet.sys.NativeException;
import io.zgrnet.sys.Net;
import io.zgrnet.sys.Poll;
import io.zgrnet.sys.Pollfd;
import io.zgrnet.sys.SockAddr;
import io.zgrnet.sys.Syscall;
import io.zgrnet.sys.Timespec;
import io.zgrnet.sys.UdpSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;

/*
 * Concurrency design. One I/O thread calls receive() and send(); wakeup() and close() may come from
 * any thread. The mmsghdr/iovec arrays, the armed receive slots and the poll set belong to the I/O
 * thread. A CloseGuard counts calls inside the backend: close() marks it closed and signals the
 * eventfd (waking a receiver blocked in ppoll); the cleanup (armed slots back to the pool, socket,
 * eventfd and arena closed, the pool's memory let go) runs once nobody is inside: on the closing
 * thread, or on the last caller as it leaves if one is stalled inside. So no thread ever uses a
 * closed (possibly recycled) fd or freed memory, and no lock is taken on the packet path.
 */

/**
 * Linux datagram backend over {@code recvmmsg(2)}/{@code sendmmsg(2)}: up to {@code batchSize}
 * datagrams per system call, straight into and out of {@link PacketPool} slots.
 *
 * <p>Receive: each {@code mmsghdr} keeps an "armed" pool slot across calls: {@code iov_base}
 * points at the slot's data and {@code msg_name} at the slot's address area, so the kernel writes
 * payload and source address in place (zero copy); only entries consumed by the previous call are
 * re-armed. Calls use {@code MSG_DONTWAIT | MSG_TRUNC}: with {@code MSG_TRUNC} {@code msg_len} is
 * the datagram's real length and {@code msg_flags} has {@code MSG_TRUNC} set when it did not fit;
 * such datagrams are counted ({@link Counter#DATAGRAMS_TRUNCATED}) and their slot stays armed,
 * they are never delivered. Waiting is {@code ppoll} on the socket and an eventfd that
 * {@link #wakeup()} and {@link #close()} signal (nanosecond timeouts, no busy loop).
 *
 * <p>Large datagrams: when the pool has large slots, each entry has a second iovec after its
 * slot, a spill area of {@code maxDatagram() - slotSize} bytes, so a datagram of any size up to
 * {@link #maxDatagram()} lands whole; one that spilled is copied (slot part, then spill) into a
 * large slot and handed out, and its small slot stays armed. No large slot free: that datagram is
 * dropped and counted ({@link Counter#LARGE_NO_SLOT}); the small ones around it are delivered.
 * The spill areas are {@code batchSize x (maxDatagram - slotSize)} bytes of address space
 * ({@link Syscall#reserve}: pages become memory only once a datagram spilled into them; 3.9 MiB
 * at most for 64 entries of 2 KiB slots and 64 KiB large slots), so small traffic costs nothing
 * more and stays zero-copy.
 *
 * <p>Send: one {@code sendmmsg(MSG_DONTWAIT)} per batch; a short count means the next datagram
 * failed, so the rest is retried and the failing datagram is counted by errno and dropped. If the
 * socket buffer is full ({@code EAGAIN}) the sender waits for {@code POLLOUT} up to one second,
 * then drops the rest counted as EAGAIN. Slots are released as soon as the kernel has copied them.
 * With UDP GSO (on unless {@code SocketOptions.udpGso} is off), a run of consecutive datagrams to
 * one destination with one length ({@link GsoRuns}) is one entry: an iovec per slot and a
 * {@code SOL_UDP/UDP_SEGMENT} control message, one trip through the stack for up to 64 datagrams.
 * If the kernel refuses such an entry, the refused datagrams are sent again one per entry (nothing
 * is lost to it) and {@link GsoLimit} decides what follows: a refusal for a destination's path MTU
 * lowers the largest datagram grouped for that destination; anything else turns GSO off.
 *
 * <p>No allocation per datagram or per call on either path (the errno capture segment is the
 * thread's own; slices of the vectors are precomputed).
 *
 * <p>With {@code SocketOptions.udpGro} on (and accepted by the kernel), receive goes through a
 * {@link GroReceiver}: the kernel coalesces up to 64 datagrams of a flow into one buffer, received
 * into a pool slot plus 64 KiB of staging; the first datagram stays in the slot, the others are
 * copied into slots of their own. It costs ~1 MiB of staging per backend and a copy per coalesced
 * datagram, and saves the kernel's per-datagram trip through the stack. (io_uring's multishot
 * receive does the same with a ring of 64 KiB buffers.)
 */
public final class MmsgBackend implements DatagramBackend {
    /** Default datagrams per system call. */
    public static final int DEFAULT_BATCH_SIZE = 64;
    /** Largest batch: the kernel caps vlen at {@code UIO_MAXIOV}. */
    public static final int MAX_BATCH_SIZE = 1024;

    private static final System.Logger LOG = System.getLogger(MmsgBackend.class.getName());
    private static final int RECV_FLAGS = Net.MSG_DONTWAIT | Net.MSG_TRUNC;
    private static final long SEND_WAIT_LIMIT_NANOS = 1_000_000_000L;
    private static final int SEND_POLL_MS = 10;
    private static final long CLOSE_WAIT_NANOS = 5_000_000_000L;
    /** One control message with a u16 segment size: CMSG_SPACE(2). */
    private static final int CMSG_BYTES = (int) Cmsghdr.space(2);

    private final UdpSocket socket;
    private final int fd;
    private final String where; // the socket's address, for error messages
    private final EventFd wake;
    private final PacketPool pool;
    private final int slotSize;
    private final int batchSize;
    /** Largest datagram received and sent ({@link #maxDatagram()}). */
    private final int limit;
    /** Bytes of each entry's spill area (0: small slots only, one iovec per entry). */
    private final int spillBytes;
    private final MemorySegment spill; // batchSize x spillBytes, or null
    private final SocketOptionsReport report;
    private final BackendStats stats = new BackendStats();
    private final CloseGuard guard = new CloseGuard();

    private final Arena arena;
    private final MemorySegment recvVec;
    private final MemorySegment recvIov;
    private final long recvIovStride; // bytes from one entry's iovecs to the next's
    private final MemorySegment sendVec;
    private final MemorySegment sendIov;
    private final MemorySegment[] sendVecFrom;
    private final MemorySegment pollSet;
    private final MemorySegment sendPoll;
    private final MemorySegment timeout;
    private final int[] armed;
    private final int[] sending; // the slots of one sendmmsg call, in order; sending[i] uses sendIov[i]
    private final int[] entryStart; // first index into sending[] of each mmsghdr entry
    private final int[] entryCount; // datagrams in each entry (more than 1: a UDP GSO send)
    private final MemorySegment sendCmsg; // one UDP_SEGMENT control message per entry
    private final GsoRuns.SlotCheck sendable = this::sendable;
    private final GsoLimit gso; // I/O thread only; lowered or turned off by the kernel's refusals
    private boolean drained; // the last recvmmsg found the socket empty (I/O thread only)
    private final GroReceiver gro; // null unless UDP_GRO is on

    private MmsgBackend(UdpSocket socket, EventFd wake, PacketPool pool, int batchSize, SocketOptionsReport report,
                        boolean gso, boolean udpGro) throws NativeException {
        this.gso = new GsoLimit(gso);
        this.socket = socket;
        this.fd = socket.fd();
        this.where = SockAddr.format(socket.localAddress());
        this.wake = wake;
        this.pool = pool;
        this.slotSize = pool.slotSize();
        this.batchSize = batchSize;
        this.report = report;
        this.limit = io.zgrnet.io.UdpLimits.maxDatagram(pool, socket.localAddress());
        this.spillBytes = !udpGro && limit > slotSize ? limit - slotSize : 0;
        this.arena = Arena.ofShared();
        this.recvVec = arena.allocate((long) batchSize * Mmsghdr.SIZE, 64);
        int recvIovs = spillBytes > 0 ? 2 : 1;
        MemorySegment recvIov = arena.allocate((long) batchSize * recvIovs * Iovec.SIZE, 64);
        MemorySegment spillArea = null;
        if (spillBytes > 0) {
            try {
                spillArea = Syscall.reserve("mmsg spill areas", (long) batchSize * spillBytes, arena);
            } catch (NativeException e) {
                arena.close();
                throw e;
            }
        }
        this.spill = spillArea;
        this.sendVec = arena.allocate((long) batchSize * Mmsghdr.SIZE, 64);
        this.sendIov = arena.allocate((long) batchSize * Iovec.SIZE, 64);
        this.sendVecFrom = new MemorySegment[batchSize];
        for (int i = 0; i < batchSize; i++) {
            long r = (long) i * Mmsghdr.SIZE + Mmsghdr.MSG_HDR;
            recvVec.set(JAVA_LONG, r + Msghdr.MSG_IOV, recvIov.address() + (long) i * recvIovs * Iovec.SIZE);
            recvVec.set(JAVA_LONG, r + Msghdr.MSG_IOVLEN, recvIovs);
            if (spillBytes > 0) { // the second iovec: this entry's spill area, for the rest of a large datagram
                Iovec.set(recvIov, ((long) i * 2 + 1) * Iovec.SIZE, spillArea.address() + (long) i * spillBytes,
                        spillBytes);
            }
            sendVec.set(JAVA_LONG, r + Msghdr.MSG_IOV, sendIov.address() + (long) i * Iovec.SIZE);
            sendVec.set(JAVA_LONG, r + Msghdr.MSG_IOVLEN, 1);
            sendVecFrom[i] = sendVec.asSlice((long) i * Mmsghdr.SIZE);
        }
        this.pollSet = arena.allocate(2L * Pollfd.SIZE, 8);
        pollSet.set(JAVA_INT, Pollfd.FD, fd);
        pollSet.set(JAVA_SHORT, Pollfd.EVENTS, Poll.POLLIN);
        pollSet.set(JAVA_INT, Pollfd.SIZE + Pollfd.FD, wake.fd());
        pollSet.set(JAVA_SHORT, Pollfd.SIZE + Pollfd.EVENTS, Poll.POLLIN);
        this.sendPoll = arena.allocate(Pollfd.SIZE, 8);
        sendPoll.set(JAVA_INT, Pollfd.FD, fd);
        sendPoll.set(JAVA_SHORT, Pollfd.EVENTS, Poll.POLLOUT);
        this.timeout = arena.allocate(Timespec.SIZE, 8);
        this.armed = new int[batchSize];
        java.util.Arrays.fill(armed, -1);
        this.sending = new int[batchSize];
        this.entryStart = new int[batchSize];
        this.entryCount = new int[batchSize];
        this.sendCmsg = arena.allocate((long) batchSize * CMSG_BYTES, 8);
        for (int i = 0; i < batchSize; i++) {
            long c = (long) i * CMSG_BYTES;
            sendCmsg.set(JAVA_LONG, c + Cmsghdr.CMSG_LEN, Cmsghdr.len(2));
            sendCmsg.set(JAVA_INT, c + Cmsghdr.CMSG_LEVEL, Net.SOL_UDP);
            sendCmsg.set(JAVA_INT, c + Cmsghdr.CMSG_TYPE, Net.UDP_SEGMENT);
        }
        this.recvIov = recvIov;
        this.recvIovStride = (long) recvIovs * Iovec.SIZE;
        this.gro = udpGro
                ? new GroReceiver(fd, where, pool, limit, stats, batchSize, arena) : null;
        pool.retainMemory(); // until no call of ours can hand a slot address to the kernel
    }

    /** True when this backend can run here (Linux x86-64/arm64 with recvmmsg). */
    public static boolean isAvailable() {
        return Net.isAvailable();
    }

    /** Why {@link #isAvailable()} is false, or null. */
    public static String unavailabilityCause() {
        return Net.unavailabilityCause();
    }

    /**
     * Opens a UDP socket bound to {@code bind} and a backend over it.
     *
     * @param batchSize datagrams per system call, 1..{@link #MAX_BATCH_SIZE}
     * @throws IllegalArgumentException naming the argument that is invalid
     * @throws IOException if the socket cannot be opened or bound (the message names the address)
     */
    public static MmsgBackend open(InetSocketAddress bind, SocketOptions options, PacketPool pool, int batchSize)
            throws IOException {
        if (pool == null) {
            throw new IllegalArgumentException("pool must not be null");
        }
        if (pool.isClosed()) {
            throw new IllegalArgumentException("pool is closed");
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize must be 1.." + MAX_BATCH_SIZE + ", got " + batchSize);
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        UdpSocket socket = UdpSocket.open(bind, options);
        EventFd wake = null;
        try {
            wake = EventFd.open();
            SocketOptionsReport report = socket.report();
            boolean udpGro = options.udpGro() && report.entry("UDP_GRO").applied(); // refused before Linux 5.0
            return new MmsgBackend(socket, wake, pool, batchSize, report, options.udpGso(), udpGro);
        } catch (IOException | RuntimeException | Error e) { // (the constructor frees what it allocated)
            if (wake != null) {
                wake.close();
            }
            socket.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "mmsg";
    }

    @Override
    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    @Override
    public PacketPool pool() {
        return pool;
    }

    /** The socket's fd, for tests that set an option the backend does not expose. */
    int socketFd() {
        return fd;
    }

    /** Datagrams per system call. */
    public int batchSize() {
        return batchSize;
    }

    @Override
    public int receive(int[] slots, int max, long timeoutNanos) throws IOException {
        if (slots == null) {
            throw new IllegalArgumentException("slots must not be null");
        }
        if (max < 1 || max > slots.length) {
            throw new IllegalArgumentException("max must be 1..slots.length (" + slots.length + "), got " + max);
        }
        if (!guard.enter()) {
            throw new ClosedChannelException();
        }
        try {
            int vlen = Math.min(max, batchSize);
            long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
            // The last call left the socket empty: wait first rather than spend a system call on
            // EAGAIN (ppoll returns at once if data arrived since).
            boolean waitFirst = (gro != null ? gro.drained() : drained) && timeoutNanos != 0;
            while (true) {
                if (!waitFirst) {
                    int n = gro != null ? gro.receiveNow(slots, vlen) : receiveNow(slots, vlen);
                    if (n > 0) {
                        return n;
                    }
                    if (timeoutNanos == 0) {
                        return 0;
                    }
                    if (n < 0) { // the pool is exhausted (counted)
                        if (!PoolStarvation.await(timeoutNanos, deadline, guard)) {
                            return 0;
                        }
                        continue;
                    }
                }
                waitFirst = false;
                long waitNanos = -1;
                if (timeoutNanos > 0) {
                    waitNanos = deadline - System.nanoTime();
                    if (waitNanos <= 0) {
                        return 0;
                    }
                }
                if (!await(waitNanos)) {
                    return 0; // woken up
                }
            }
        } finally {
            guard.exit();
        }
    }

    /** One recvmmsg: number delivered (0 if none or all dropped), or -1 when no slot could be armed. */
    private int receiveNow(int[] slots, int vlen) throws IOException {
        int v = arm(pool, armed, recvVec, recvIov, recvIovStride, vlen);
        if (v == 0) {
            stats.increment(Counter.RECEIVE_NO_SLOT);
            return -1;
        }
        int n = recvmmsg(fd, recvVec, v, stats, where);
        drained = n < v;
        int out = 0;
        long bytes = 0;
        int truncated = 0;
        for (int i = 0; i < n; i++) {
            long e = (long) i * Mmsghdr.SIZE;
            int length = recvVec.get(JAVA_INT, e + Mmsghdr.MSG_LEN);
            int flags = recvVec.get(JAVA_INT, e + Mmsghdr.MSG_HDR + Msghdr.MSG_FLAGS);
            if ((flags & Net.MSG_TRUNC) != 0 || length < 0 || length > limit) {
                truncated++; // the slot stays armed for the next call
                continue;
            }
            int s = armed[i];
            if (length > slotSize) {
                s = spilled(s, i, length); // the small slot stays armed
                if (s < 0) {
                    continue;
                }
            } else {
                armed[i] = -1;
            }
            pool.length(s, length);
            pool.dataOffset(s, 0);
            slots[out++] = s;
            bytes += length;
        }
        if (truncated != 0) {
            stats.add(Counter.DATAGRAMS_TRUNCATED, truncated);
        }
        stats.add(Counter.DATAGRAMS_RECEIVED, out);
        stats.add(Counter.BYTES_RECEIVED, bytes);
        return out;
    }

    /**
     * Entry {@code i} received a datagram larger than its slot {@code small}: copies it (the slot's
     * part, then the spill area's) and the source address into a large slot. Returns that slot, or
     * -1 when none is free (counted; the datagram is dropped).
     */
    private int spilled(int small, int i, int length) {
        int large = pool.acquireLargeFromSpill(small, spill, (long) i * spillBytes, length);
        stats.increment(large < 0 ? Counter.LARGE_NO_SLOT : Counter.LARGE_RECEIVED);
        return large;
    }

    /**
     * Gives entries 0.. of {@code vec} a pool slot each where they have none (their first iovec,
     * {@code iovStride} bytes apart in {@code iov}, and msg_name, the slot's address area) and resets
     * msg_namelen: how many entries, up to {@code count}, have one (fewer when the pool runs dry).
     */
    static int arm(PacketPool pool, int[] armed, MemorySegment vec, MemorySegment iov, long iovStride, int count) {
        int v = 0;
        for (; v < count; v++) {
            long e = (long) v * Mmsghdr.SIZE + Mmsghdr.MSG_HDR;
            if (armed[v] < 0) {
                int s = pool.acquire();
                if (s < 0) {
                    break;
                }
                armed[v] = s;
                Iovec.set(iov, v * iovStride, pool.slotAddress(s), pool.slotSize());
                vec.set(JAVA_LONG, e + Msghdr.MSG_NAME, pool.addressAddress(s));
            }
            vec.set(JAVA_INT, e + Msghdr.MSG_NAMELEN, PacketPool.ADDRESS_SIZE);
        }
        return v;
    }

    /**
     * One non-blocking recvmmsg of up to {@code vlen} entries, retried on EINTR and counted: the
     * entries filled, 0 when the socket was empty.
     *
     * @param where the socket's address, for the exception's message
     */
    static int recvmmsg(int fd, MemorySegment vec, int vlen, BackendStats stats, String where)
            throws NativeException {
        MemorySegment errno = Libc.errnoSlot();
        int n;
        int err = 0;
        do {
            n = Net.recvmmsg(errno, fd, vec, vlen, RECV_FLAGS, MemorySegment.NULL);
        } while (n < 0 && (err = Libc.errno(errno)) == Errno.EINTR);
        stats.increment(Counter.RECEIVE_CALLS);
        if (n < 0) {
            if (err == Errno.EAGAIN) {
                return 0;
            }
            stats.increment(Counter.RECEIVE_ERRORS);
            throw new NativeException("recvmmsg(" + where + ")", err);
        }
        return n;
    }

    /**
     * Waits in ppoll for the socket or the eventfd. Returns true when the socket may be readable
     * (or the timeout expired), false on a wakeup.
     */
    private boolean await(long waitNanos) throws IOException {
        MemorySegment errno = Libc.errnoSlot();
        MemorySegment tmo = MemorySegment.NULL;
        if (waitNanos >= 0) {
            Timespec.set(timeout, 0, waitNanos);
            tmo = timeout;
        }
        pollSet.set(JAVA_SHORT, Pollfd.REVENTS, (short) 0);
        pollSet.set(JAVA_SHORT, Pollfd.SIZE + Pollfd.REVENTS, (short) 0);
        int r = Poll.ppoll(errno, pollSet, 2, tmo);
        if (r < 0) {
            int err = Libc.errno(errno);
            if (err == Errno.EINTR) {
                return true; // retry: the caller re-checks its deadline
            }
            throw new NativeException("ppoll(" + SockAddr.format(socket.localAddress()) + ")", err);
        }
        if (pollSet.get(JAVA_SHORT, Pollfd.SIZE + Pollfd.REVENTS) != 0) {
            wake.drain();
            if (guard.isClosed()) {
                throw new ClosedChannelException();
            }
            stats.increment(Counter.WAKEUPS);
            return false;
        }
        return true;
    }

    @Override
    public int send(int[] slots, int count) throws IOException {
        if (slots == null) {
            throw new IllegalArgumentException("slots must not be null");
        }
        if (count < 0 || count > slots.length) {
            throw new IllegalArgumentException("count must be 0..slots.length (" + slots.length + "), got " + count);
        }
        if (!guard.enter()) {
            releaseAll(slots, 0, count);
            throw new ClosedChannelException();
        }
        try {
            MemorySegment errno = Libc.errnoSlot();
            int next = 0;
            int accepted = 0;
            long bytes = 0;
            while (next < count) {
                // Build one call: up to batchSize datagrams in entries of one (or, with GSO, a run).
                int v = 0;
                int d = 0;
                while (d < batchSize && next < count) {
                    int s = slots[next];
                    if (!sendable(s)) {
                        stats.increment(Counter.SEND_MALFORMED);
                        pool.release(s);
                        next++;
                        continue;
                    }
                    int n = gso.enabled() ? GsoRuns.runLength(pool, slots, next,
                            Math.min(count, next + batchSize - d), sendable,
                            gso.maxSegment(pool.addresses(), pool.addressOffset(s))) : 1;
                    System.arraycopy(slots, next, sending, d, n);
                    setEntry(v++, d, n);
                    d += n;
                    next += n;
                }
                int first = 0;
                long waitDeadline = 0;
                while (first < v) {
                    int n = Net.sendmmsg(errno, fd, sendVecFrom[first], v - first, Net.MSG_DONTWAIT);
                    stats.increment(Counter.SEND_CALLS);
                    if (n > 0) {
                        for (int e = first; e < first + n; e++) {
                            int c = entryCount[e];
                            for (int i = entryStart[e]; i < entryStart[e] + c; i++) {
                                bytes += pool.length(sending[i]);
                                pool.release(sending[i]);
                            }
                            accepted += c;
                            if (c > 1) {
                                stats.increment(Counter.GSO_SENDS);
                                stats.add(Counter.GSO_DATAGRAMS, c);
                            }
                        }
                        first += n;
                        waitDeadline = 0;
                        continue;
                    }
                    int err = n == 0 ? 0 : Libc.errno(errno); // 0: cannot happen with vlen > 0
                    if (err == Errno.EINTR) {
                        continue;
                    }
                    if (err == Errno.EAGAIN) {
                        if (waitDeadline == 0) {
                            waitDeadline = System.nanoTime() + SEND_WAIT_LIMIT_NANOS;
                        }
                        if (awaitWritable(waitDeadline)) {
                            continue;
                        }
                        if (guard.isClosed()) {
                            releaseAll(sending, entryStart[first], d);
                            releaseAll(slots, next, count);
                            throw new ClosedChannelException();
                        }
                        for (int k = entryStart[first]; k < d; k++) { // still full after the limit: drop
                            stats.sendError(Errno.EAGAIN);
                            pool.release(sending[k]);
                        }
                        break;
                    }
                    if (entryCount[first] > 1 && GsoRuns.refusesGso(err)) {
                        // This kernel, socket or device cannot segment: send the rest one by one.
                        stats.increment(Counter.GSO_REFUSED);
                        int lead = sending[entryStart[first]];
                        String change = gso.refused(err, pool.length(lead), pool.addresses(), pool.addressOffset(lead));
                        if (change != null) { // per destination (one per peer, at most): INFO; GSO off: WARNING
                            LOG.log(gso.enabled() ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                                    "mmsg {0}: a UDP GSO send was refused ({1}); {2}",
                                    where, Errno.describe(err), change);
                        }
                        v = splitIntoSingles(first, d);
                        continue;
                    }
                    // This entry is refused (each of its datagrams counted); go on with the rest.
                    for (int k = entryStart[first]; k < entryStart[first] + entryCount[first]; k++) {
                        stats.sendError(err);
                        pool.release(sending[k]);
                    }
                    first++;
                }
            }
            stats.add(Counter.DATAGRAMS_SENT, accepted);
            stats.add(Counter.BYTES_SENT, bytes);
            return accepted;
        } finally {
            guard.exit();
        }
    }

    /** True when slot {@code s} has a valid length, offset and destination. */
    private boolean sendable(int s) {
        int length = pool.length(s);
        int offset = pool.dataOffset(s);
        return length >= 0 && offset >= 0 && offset <= pool.slotSize(s) - length
                && SockAddr.length(pool.addresses(), pool.addressOffset(s)) != 0;
    }

    /** Fills mmsghdr entry {@code e} with the {@code n} datagrams at sending[from..]: iovecs, name, GSO cmsg. */
    private void setEntry(int e, int from, int n) {
        for (int i = from; i < from + n; i++) {
            int s = sending[i];
            Iovec.set(sendIov, (long) i * Iovec.SIZE, pool.slotAddress(s) + pool.dataOffset(s), pool.length(s));
        }
        int head = sending[from];
        long h = (long) e * Mmsghdr.SIZE + Mmsghdr.MSG_HDR;
        sendVec.set(JAVA_LONG, h + Msghdr.MSG_NAME, pool.addressAddress(head));
        sendVec.set(JAVA_INT, h + Msghdr.MSG_NAMELEN, SockAddr.length(pool.addresses(), pool.addressOffset(head)));
        sendVec.set(JAVA_LONG, h + Msghdr.MSG_IOV, sendIov.address() + (long) from * Iovec.SIZE);
        sendVec.set(JAVA_LONG, h + Msghdr.MSG_IOVLEN, n);
        if (n > 1) {
            long c = (long) e * CMSG_BYTES;
            sendCmsg.set(JAVA_SHORT_UNALIGNED, c + Cmsghdr.DATA, (short) pool.length(head)); // the segment size
            sendVec.set(JAVA_LONG, h + Msghdr.MSG_CONTROL, sendCmsg.address() + c);
            sendVec.set(JAVA_LONG, h + Msghdr.MSG_CONTROLLEN, CMSG_BYTES);
        } else {
            sendVec.set(JAVA_LONG, h + Msghdr.MSG_CONTROL, 0L);
            sendVec.set(JAVA_LONG, h + Msghdr.MSG_CONTROLLEN, 0L);
        }
        entryStart[e] = from;
        entryCount[e] = n;
    }

    /**
     * Rewrites the entries from {@code first} on as one datagram each (the datagrams at
     * sending[entryStart[first]..end)); returns the new entry count. Entry indices never pass
     * datagram indices (every entry holds at least one), so the vectors are large enough.
     */
    private int splitIntoSingles(int first, int end) {
        int e = first;
        for (int i = entryStart[first]; i < end; i++) {
            setEntry(e++, i, 1);
        }
        return e;
    }

    /** Polls for POLLOUT in short steps (so close() is seen); false at the deadline or on close. */
    private boolean awaitWritable(long deadline) {
        MemorySegment errno = Libc.errnoSlot();
        while (!guard.isClosed() && deadline - System.nanoTime() > 0) {
            sendPoll.set(JAVA_SHORT, Pollfd.REVENTS, (short) 0);
            int r = Poll.poll(errno, sendPoll, 1, SEND_POLL_MS);
            if (r > 0) {
                return true;
            }
            if (r < 0 && Libc.errno(errno) != Errno.EINTR) {
                return true; // let sendmmsg report the error with its own errno
            }
        }
        return false;
    }

    private void releaseAll(int[] slots, int from, int to) {
        for (int i = from; i < to; i++) {
            pool.release(slots[i]);
        }
    }

    @Override
    public void wakeup() {
        if (guard.enter()) { // closed: the eventfd may be gone (close() woke the receiver itself)
            try {
                wake.signal();
            } finally {
                guard.exit();
            }
        }
    }

    @Override
    public BackendStats stats() {
        return stats;
    }

    @Override
    public SocketOptionsReport socketOptionsReport() {
        return report;
    }

    /**
     * Closes from any thread. Returns once the cleanup ran, or after 5 s if a call is still inside
     * (stalled): the cleanup then runs when that call leaves, never under it. Idempotent.
     */
    @Override
    public void close() {
        if (!guard.closeAndWake(this::cleanup, wake::signal)) {
            return;
        }
        if (!guard.awaitCleaned(CLOSE_WAIT_NANOS)) {
            LOG.log(System.Logger.Level.WARNING, "mmsg backend {0}: a call did not return within {1} ms of close; "
                    + "its socket and buffers are freed when it returns, never under it", where,
                    CLOSE_WAIT_NANOS / 1_000_000);
        }
    }

    /** Runs once, when the backend is closed and no call is inside. */
    private void cleanup() {
        if (gro != null) {
            if (gro.stagedDatagrams() > 0) {
                LOG.log(System.Logger.Level.DEBUG, "mmsg backend {0}: {1} received datagrams were still staged at close",
                        where, gro.stagedDatagrams());
            }
            gro.releaseAll();
        }
        for (int i = 0; i < armed.length; i++) {
            if (armed[i] >= 0) {
                pool.release(armed[i]);
                armed[i] = -1;
            }
        }
        socket.close();
        wake.close();
        arena.close();
        pool.releaseMemory();
    }

    @Override
    public String toString() {
        return "MmsgBackend[" + SockAddr.format(socket.localAddress()) + ", batch " + batchSize + "]";
    }
}
