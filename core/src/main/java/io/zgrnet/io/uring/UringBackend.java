package io.zgrnet.io.uring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.io.SocketOptions;
import io.zgrnet.io.SocketOptionsReport;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.EventFd;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.Iovec;
import io.zgrnet.sys.NativeException;
import io.zgrnet.sys.Poll;
import io.zgrnet.sys.Sqe;
import io.zgrnet.sys.UdpSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The io_uring datagram backend: receives with N armed RECVMSG or one multishot RECVMSG over a
 * provided-buffer ring of pool slots, sends with SENDMSG (or SEND_ZC), waits and wakes through
 * the ring. With {@code SocketOptions.udpGro} in multishot mode, the ring's buffers are 64 KiB ones
 * of its own and coalesced datagrams are split into pool slots ({@link GroMultishotReceiver}).
 *
 * <p>Concurrency design: one <b>ring-owner thread</b> (the I/O agent) calls {@link #receive} and
 * {@link #send}; the first such call enables the ring (R_DISABLED + SINGLE_ISSUER make that
 * thread the only submitter, and DEFER_TASKRUN runs the kernel's completion work only when it
 * enters, in batches). Every loop ({@link #cycle}) writes the re-arms, enters the kernel once to
 * submit and wait, and reaps all CQEs; receive completions go to a bounded FIFO of filled slots
 * that {@code receive} hands out. Other threads only call {@link #wakeup()} (an eventfd write; the
 * ring keeps a POLL_ADD armed on it) and {@link #close()}. If a different thread later takes over
 * (allowed only while the previous owner is outside the backend), the ring is rebuilt for it
 * ({@link #migrate}): costly, rare, and counted.
 *
 * <p>Close order: {@code close()} sets {@code closing} and signals the eventfd; an owner blocked
 * in the kernel wakes, cancels its operations (ASYNC_CANCEL ANY) and reaps until nothing is in
 * flight (bounded), and leaves. The closing thread waits for the owner to be outside the backend
 * (Dekker handshake on two volatiles: the owner writes {@code inCall} then reads {@code closing};
 * close writes {@code closing} then reads {@code inCall}), then closes the ring fd (the kernel
 * cancels whatever is left), and only then frees the native memory, returns every slot the
 * backend holds to the pool and closes the eventfd and the socket.
 *
 * <p>Kernel: armed mode 5.11 (RECVMSG 5.3, FAST_POLL 5.7, EXT_ARG 5.11); multishot mode 6.0;
 * zero-copy send 6.0. {@link IoUringSupport} says what this kernel allows.
 */
public final class UringBackend implements DatagramBackend {
    private static final System.Logger LOG = System.getLogger(UringBackend.class.getName());

    // user_data = kind << 32 | index
    static final int KIND_RECV = 1;
    static final int KIND_MULTISHOT = 2;
    static final int KIND_SEND = 3;
    static final int KIND_WAKE = 4;
    static final int KIND_CANCEL = 5;

    /** Fixed-file indices when the socket and eventfd are registered. */
    private static final int FIXED_SOCKET = 0;
    private static final int FIXED_EVENTFD = 1;
    /** How long close() waits for the owner thread to leave receive/send. */
    private static final long OWNER_EXIT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How long the owner waits for cancelled operations to complete at close. */
    private static final long CANCEL_DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final PacketPool pool;
    private final UringOptions options;
    private final UdpSocket socket;
    /** The socket's options report plus what this backend refused to apply. */
    private final SocketOptionsReport report;
    private final EventFd eventFd;
    private final Arena arena;
    private final MemorySegment registerArgs; // fds[2] then one iovec, for (re-)registration
    // The ring and how its files are named in SQEs: confined to the owner thread (replaced when the
    // owner changes); the closing thread reads them only after the inCall handshake.
    private Ring ring;
    private int socketFd; // as written into SQEs: fixed index or raw fd
    private int eventFdForSqe;
    private int fileFlag; // IOSQE_FIXED_FILE or 0
    private final WaitArg waitArg;
    private final BackendStats stats = new BackendStats();
    private final UringStats uringStats = new UringStats();
    private final Receiver receiver;
    private final Sender sender;
    private final String name;

    // Filled slots waiting to be handed out by receive(); bounded by the pool size.
    private final int[] ready;
    private final int readyMask;
    private int readyHead;
    private int readyTail;

    private volatile Thread owner;
    private volatile boolean inCall;
    private volatile boolean closing;
    private volatile boolean closed;
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final AtomicInteger wakers = new AtomicInteger();
    private boolean wakeArmed;
    private boolean woken;
    private boolean cancelSent;
    private boolean receiving;

    private UringBackend(PacketPool pool, UringOptions options, UdpSocket socket, SocketOptionsReport report,
                         EventFd eventFd, Arena arena, boolean udpGso, boolean udpGro)
            throws IOException {
        this.pool = pool;
        this.options = options;
        this.socket = socket;
        this.report = report;
        this.eventFd = eventFd;
        this.arena = arena;
        this.registerArgs = arena.allocate(8 + Iovec.SIZE, 8);
        this.waitArg = new WaitArg();
        int cap = Integer.highestOneBit(Math.max(2, pool.capacity()) - 1) << 1;
        this.ready = new int[cap];
        this.readyMask = cap - 1;
        int depth = Math.max(1, Math.min(options.receiveDepth(), pool.capacity() / 2));
        boolean fixedBuffers = openRing();
        try {
            if (udpGro) {
                this.receiver = new GroMultishotReceiver(this);
                this.name = "uring-multishot";
            } else if (options.receiveMode() == UringOptions.ReceiveMode.MULTISHOT) {
                this.receiver = new MultishotReceiver(this, depth);
                this.name = "uring-multishot";
            } else {
                this.receiver = new ArmedReceiver(this, depth);
                this.name = "uring-armed";
            }
            receiver.register(ring);
        } catch (IOException | RuntimeException e) {
            ring.close();
            waitArg.close();
            throw e;
        }
        this.sender = new Sender(this, options.sendDepth(), options.zeroCopySend() && fixedBuffers,
                options.sendTo() && IoUringSupport.get().sendTo(), udpGso);
    }

    /**
     * Sets up a ring (disabled until the owner's first call) and registers the socket and eventfd
     * as fixed files and, for zero-copy send, the pool slab as fixed buffer 0.
     *
     * @return true if the slab is registered
     */
    private boolean openRing() throws NativeException {
        Ring r = Ring.open(new Ring.Options(options.sqEntries(), options.cqEntries(), true, options.sqpoll(),
                options.sqpollIdleMillis()));
        boolean fixedFiles = options.registerFiles() && registerFiles(r, registerArgs, socket.fd(), eventFd.fd());
        boolean fixedBuffers = options.zeroCopySend() && registerSlab(r, registerArgs.asSlice(8), pool);
        this.ring = r;
        this.socketFd = fixedFiles ? FIXED_SOCKET : socket.fd();
        this.eventFdForSqe = fixedFiles ? FIXED_EVENTFD : eventFd.fd();
        this.fileFlag = fixedFiles ? IoUring.IOSQE_FIXED_FILE : 0;
        return fixedBuffers;
    }

    /**
     * Opens a UDP socket and an io_uring over it.
     *
     * @param bind where to bind (port 0 for an ephemeral port)
     * @param socketOptions socket options
     * @param pool the pool to receive into and send from; the backend holds at most half of it in
     *        armed receives or in the buffer ring
     * @param options io_uring tuning
     * @throws NativeException if io_uring or the socket cannot be set up (naming the call and errno)
     * @throws IOException if the kernel lacks what the chosen receive mode needs
     */
    public static UringBackend open(InetSocketAddress bind, SocketOptions socketOptions, PacketPool pool,
            UringOptions options) throws IOException {
        if (options.receiveMode() == UringOptions.ReceiveMode.MULTISHOT) {
            IoUringSupport support = IoUringSupport.get();
            if (support.available() && !support.multishotReceive()) {
                throw new IOException("io_uring multishot receive unavailable: " + support.multishotCause());
            }
        }
        if (options.zeroCopySend() && !IoUringSupport.get().sendZc()) {
            throw new IOException("io_uring zero-copy send unavailable: " + IoUringSupport.get().sendZcCause());
        }
        // UDP_GRO coalesces datagrams into buffers of up to 64 KiB. Multishot receive splits them
        // (GroMultishotReceiver); armed receive reads into pool slots and would truncate every one,
        // so there it is not applied, and reported.
        boolean groRefused = socketOptions.udpGro() && options.receiveMode() != UringOptions.ReceiveMode.MULTISHOT;
        SocketOptions applied = groRefused ? socketOptions.withUdpGro(false) : socketOptions;
        UdpSocket socket = UdpSocket.open(bind, applied);
        EventFd eventFd = null;
        Arena arena = null;
        try {
            eventFd = EventFd.open();
            arena = Arena.ofShared();
            SocketOptionsReport report = !groRefused ? socket.report()
                    : socket.report().with(SocketOptionsReport.Entry.unsupported("UDP_GRO", "on",
                            "armed io_uring receive reads into pool slots and does not split coalesced datagrams"
                                    + " (multishot receive does); not applied"));
            boolean udpGro = socketOptions.udpGro() && !groRefused && report.entry("UDP_GRO").applied();
            return new UringBackend(pool, options, socket, report, eventFd, arena, socketOptions.udpGso(), udpGro);
        } catch (IOException | RuntimeException e) {
            if (arena != null) {
                arena.close();
            }
            if (eventFd != null) {
                eventFd.close();
            }
            socket.close();
            throw e;
        }
    }

    /** Opens with {@link UringOptions#defaults()}. */
    public static UringBackend open(InetSocketAddress bind, SocketOptions socketOptions, PacketPool pool)
            throws IOException {
        return open(bind, socketOptions, pool, UringOptions.defaults());
    }

    private static boolean registerFiles(Ring ring, MemorySegment fds, int socketFd, int eventFd) {
        fds.set(JAVA_INT, 0, socketFd);
        fds.set(JAVA_INT, 4, eventFd);
        int r = ring.tryRegister(IoUring.IORING_REGISTER_FILES, fds.address(), 2);
        if (r < 0) {
            LOG.log(System.Logger.Level.INFO, "io_uring: fixed files refused ({0}); using plain fds",
                    Errno.describe(-r));
            return false;
        }
        return true;
    }

    private static boolean registerSlab(Ring ring, MemorySegment iov, PacketPool pool) {
        Iovec.set(iov, 0, pool.slab().address(), pool.slab().byteSize());
        int r = ring.tryRegister(IoUring.IORING_REGISTER_BUFFERS, iov.address(), 1);
        if (r < 0) {
            LOG.log(System.Logger.Level.INFO, "io_uring: registering the pool slab refused ({0}); zero-copy send off",
                    Errno.describe(-r));
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- package-private context

    Ring ring() {
        return ring;
    }

    Arena arena() {
        return arena;
    }

    BackendStats backendStats() {
        return stats;
    }

    UringStats counters() {
        return uringStats;
    }

    int socketFd() {
        return socketFd;
    }

    /** The socket's real fd (socketFd() may be a fixed-file index), for tests that set options. */
    int rawSocketFd() {
        return socket.fd();
    }

    int fileFlag() {
        return fileFlag;
    }

    boolean closing() {
        return closing;
    }

    static long userData(int kind, int index) {
        return ((long) kind << 32) | (index & 0xffffffffL);
    }

    /**
     * Reserves an SQE, submitting the SQ when it is full (and reaping if the kernel pushes back).
     * Never called from a CQE handler.
     */
    long sqe() throws NativeException {
        long base = ring.nextSqe();
        while (base < 0) {
            uringStats.increment(UringStats.Counter.SQ_FULL_FLUSHES);
            uringStats.increment(UringStats.Counter.ENTER_CALLS);
            int r = ring.enter(0, 0, 0, 0);
            if (r < 0) {
                uringStats.increment(UringStats.Counter.ENTER_BUSY);
                reap();
            }
            base = ring.nextSqe();
        }
        return base;
    }

    /** Queues a filled slot for receive(). */
    void deliver(int slot, int length) {
        ready[readyTail++ & readyMask] = slot;
        stats.increment(BackendStats.Counter.DATAGRAMS_RECEIVED);
        stats.add(BackendStats.Counter.BYTES_RECEIVED, length);
    }

    // ---------------------------------------------------------------- DatagramBackend

    @Override
    public String name() {
        return name;
    }

    @Override
    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    @Override
    public PacketPool pool() {
        return pool;
    }

    @Override
    public BackendStats stats() {
        return stats;
    }

    /** io_uring-specific counters: enters, CQE batches, ENOBUFS, overflows, ... */
    public UringStats uringStats() {
        return uringStats;
    }

    /** The options this backend runs with. */
    public UringOptions options() {
        return options;
    }

    /** The ring's setup flags and features, for reports. */
    public String ringDescription() {
        return ring.toString() + (fileFlag != 0 ? " fixed-files" : "")
                + (sender.zeroCopy() ? " send-zc" : sender.sendTo() ? " send-to" : " sendmsg");
    }

    @Override
    public SocketOptionsReport socketOptionsReport() {
        return report;
    }

    @Override
    public int receive(int[] slots, int max, long timeoutNanos) throws IOException {
        if (max < 1 || max > slots.length) {
            throw new IllegalArgumentException("max must be 1.." + slots.length + ", got " + max);
        }
        enterCall();
        try {
            if (!receiving) {
                // Receive slots are taken from the pool only once receiving starts, so a backend
                // that only sends holds none.
                receiving = true;
                receiver.start();
            }
            int n = drainReady(slots, max);
            if (n > 0) {
                return n;
            }
            if (woken) {
                woken = false;
                return 0;
            }
            long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
            long wait = timeoutNanos;
            while (true) {
                stats.increment(BackendStats.Counter.RECEIVE_CALLS);
                boolean starved = cycle(wait);
                n = drainReady(slots, max);
                if (n > 0) {
                    return n;
                }
                if (closing) {
                    ownerShutdown();
                    throw new ClosedChannelException();
                }
                if (woken) {
                    woken = false;
                    return 0;
                }
                if (timeoutNanos == 0 || starved) {
                    return 0;
                }
                if (timeoutNanos > 0) {
                    wait = deadline - System.nanoTime();
                    if (wait <= 0) {
                        return 0;
                    }
                }
            }
        } finally {
            inCall = false;
        }
    }

    @Override
    public int send(int[] slots, int count) throws IOException {
        if (count < 0 || count > slots.length) {
            throw new IllegalArgumentException("count must be 0.." + slots.length + ", got " + count);
        }
        try {
            enterCall();
        } catch (IOException | RuntimeException e) {
            for (int i = 0; i < count; i++) {
                pool.release(slots[i]); // send owns the slots even when it fails
            }
            throw e;
        }
        try {
            int sent = sender.send(slots, count);
            if (closing) {
                ownerShutdown();
            }
            return sent;
        } finally {
            inCall = false;
        }
    }

    @Override
    public void wakeup() {
        if (closing) {
            return;
        }
        wakers.incrementAndGet();
        try {
            // Only the first wakeup since the owner last consumed one writes to the eventfd.
            if (!closing && wakePending.compareAndSet(false, true)) {
                eventFd.signal();
            }
        } finally {
            wakers.decrementAndGet();
        }
    }

    /**
     * Marks the owner as inside the backend; the first call makes the calling thread the owner and
     * enables the ring. Throws if closing (after the handshake) or called from another thread.
     */
    private void enterCall() throws IOException {
        Thread t = Thread.currentThread();
        Thread o = owner;
        if (o != t && o != null && inCall) {
            throw new IllegalStateException("io_uring backend: concurrent call from thread \"" + t.getName()
                    + "\" while \"" + o.getName() + "\" is inside; one I/O thread only");
        }
        inCall = true;
        if (closing) {
            inCall = false;
            throw new ClosedChannelException();
        }
        if (o != t) {
            try {
                if (o != null) {
                    migrate(o, t);
                }
                ring.enable();
                owner = t;
            } catch (IOException | RuntimeException e) {
                inCall = false;
                throw e;
            }
        }
    }

    /**
     * The owner changed (the previous owner is not inside the backend). A SINGLE_ISSUER ring
     * refuses every task but the one that enabled it, so the ring is rebuilt for the new owner:
     * reap what the kernel already posted, close the old ring (the kernel cancels everything still
     * in flight, so our memory and slots are ours again), reset the receive and send state and
     * set up a new ring. Costly and rare; the contract is one I/O thread.
     */
    private void migrate(Thread from, Thread to) throws IOException {
        LOG.log(System.Logger.Level.INFO, "io_uring backend {0}: owner thread changed from \"{1}\" to \"{2}\"; "
                + "rebuilding the ring", socket.localAddress(), from.getName(), to.getName());
        reap(); // CQEs in the mapped CQ are plain memory: readable by any thread
        ring.close();
        receiver.reset();
        sender.reset();
        wakeArmed = false;
        cancelSent = false;
        boolean fixedBuffers = openRing();
        if (sender.zeroCopy() && !fixedBuffers) {
            throw new IOException("io_uring: re-registering the pool slab for zero-copy send failed");
        }
        receiver.register(ring);
        if (receiving) {
            receiver.start();
        }
        counters().increment(UringStats.Counter.OWNER_CHANGES);
    }

    private int drainReady(int[] slots, int max) {
        int n = 0;
        while (n < max && readyHead != readyTail) {
            slots[n++] = ready[readyHead++ & readyMask];
        }
        return n;
    }

    /**
     * One duty cycle of the ring owner: write re-arms, enter the kernel once (submit + wait up to
     * {@code timeoutNanos}: 0 = no wait, negative = until a completion), reap every CQE.
     *
     * @return true if receiving is starved (no slot could be armed): the caller must not wait
     */
    private boolean cycle(long timeoutNanos) throws IOException {
        boolean starved = true;
        boolean closingNow = closing;
        if (!closingNow) {
            receiver.arm();
            starved = receiver.starved();
            sender.resubmitRefused(); // datagrams of a refused GSO send, one by one
        }
        // Always keep the wake poll armed, even once closing: close() signals the eventfd after
        // setting closing, and a poll armed after the signal still completes at once.
        armWake();
        int minComplete = (timeoutNanos == 0 || starved || ring.cqReady() > 0) ? 0 : 1;
        int flags = IoUring.IORING_ENTER_GETEVENTS;
        long arg = 0;
        long argSize = 0;
        if (minComplete > 0 && timeoutNanos > 0) {
            flags |= IoUring.IORING_ENTER_EXT_ARG;
            arg = waitArg.address(timeoutNanos);
            argSize = waitArg.size();
        }
        uringStats.increment(UringStats.Counter.ENTER_CALLS);
        int r = ring.enter(minComplete, flags, arg, argSize);
        if (r == -Errno.EBUSY || r == -Errno.EAGAIN) {
            uringStats.increment(UringStats.Counter.ENTER_BUSY);
        }
        reap();
        if (ring.cqOverflowed()) {
            uringStats.increment(UringStats.Counter.CQ_OVERFLOWS);
            ring.flushOverflow();
            reap();
        }
        return starved;
    }

    /** Consumes every ready CQE; handlers never submit. */
    int reap() {
        int n = ring.cqReady();
        if (n == 0) {
            return 0;
        }
        for (int i = 0; i < n; i++) {
            long ud = ring.cqeUserData(i);
            int res = ring.cqeRes(i);
            int flags = ring.cqeFlags(i);
            int index = (int) ud;
            switch ((int) (ud >>> 32)) {
                case KIND_RECV, KIND_MULTISHOT -> receiver.onCqe(index, res, flags);
                case KIND_SEND -> sender.onCqe(index, res, flags);
                case KIND_WAKE -> onWake(res);
                case KIND_CANCEL -> {
                    // result: number cancelled, or -ENOENT when nothing matched
                }
                default -> LOG.log(System.Logger.Level.WARNING, "io_uring: unknown completion 0x{0}",
                        Long.toHexString(ud));
            }
        }
        ring.cqAdvance(n);
        uringStats.batch(n);
        return n;
    }

    /** Enters to submit and waits for at least one completion (used by send when out of send slots). */
    void waitForCompletions(long timeoutNanos) throws IOException {
        uringStats.increment(UringStats.Counter.ENTER_CALLS);
        ring.enter(1, IoUring.IORING_ENTER_GETEVENTS | IoUring.IORING_ENTER_EXT_ARG, waitArg.address(timeoutNanos),
                waitArg.size());
        reap();
    }

    /** Submits pending SQEs without waiting, then reaps what completed inline. */
    void submitNow() throws IOException {
        uringStats.increment(UringStats.Counter.ENTER_CALLS);
        int r = ring.enter(0, IoUring.IORING_ENTER_GETEVENTS, 0, 0);
        if (r == -Errno.EBUSY || r == -Errno.EAGAIN) {
            uringStats.increment(UringStats.Counter.ENTER_BUSY);
        }
        reap();
    }

    /**
     * Keeps one POLL_ADD (POLLIN) armed on the eventfd. Not IORING_OP_READ: the eventfd is
     * non-blocking (EFD_NONBLOCK, shared with the other backends' poll loops), and a READ on an
     * O_NONBLOCK file may complete at once with -EAGAIN instead of waiting. The completion drains
     * the eventfd with one read(2) (wakeups are rare) and re-arms on the next cycle.
     */
    private void armWake() throws NativeException {
        if (wakeArmed) {
            return;
        }
        long sqe = sqe();
        Sqe.prep(ring.sqes(), sqe, IoUring.IORING_OP_POLL_ADD, fileFlag, eventFdForSqe, 0, 0, 0,
                userData(KIND_WAKE, 0));
        Sqe.opFlags(ring.sqes(), sqe, Poll.POLLIN);
        wakeArmed = true;
    }

    private void onWake(int res) {
        wakeArmed = false;
        if (res < 0 && res != -Errno.ECANCELED) {
            LOG.log(System.Logger.Level.WARNING, "io_uring: eventfd poll failed: {0}", Errno.describe(-res));
        }
        if (res >= 0) {
            uringStats.increment(UringStats.Counter.WAKE_COMPLETIONS);
            stats.increment(BackendStats.Counter.WAKEUPS);
            // Drain first, then allow the next wakeup to signal: a wakeup in between is absorbed
            // by this one (the receive it was meant to end is returning now).
            eventFd.drain();
            wakePending.set(false);
            woken = true;
        }
    }

    /**
     * Owner-side shutdown: cancel every in-flight operation and reap until none is left (bounded),
     * so that the kernel no longer touches our memory or slots when close() frees them.
     */
    private void ownerShutdown() {
        if (cancelSent || !ring.enabled()) {
            return;
        }
        cancelSent = true;
        try {
            long sqe = sqe();
            Sqe.prep(ring.sqes(), sqe, IoUring.IORING_OP_ASYNC_CANCEL, 0, -1, 0, 0, 0, userData(KIND_CANCEL, 0));
            Sqe.opFlags(ring.sqes(), sqe, IoUring.IORING_ASYNC_CANCEL_ANY | IoUring.IORING_ASYNC_CANCEL_ALL);
            long deadline = System.nanoTime() + CANCEL_DRAIN_NANOS;
            while (receiver.inFlight() + sender.inFlight() + (wakeArmed ? 1 : 0) > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.log(System.Logger.Level.DEBUG, "io_uring: {0} receive, {1} send ops still in flight at close",
                            receiver.inFlight(), sender.inFlight());
                    break;
                }
                waitForCompletions(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "io_uring: cancel at close failed", e);
        }
    }

    @Override
    public void close() {
        if (!closeStarted.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        boolean safe = true;
        if (Thread.currentThread() == owner) {
            ownerShutdown();
        } else {
            eventFd.signal(); // wakes an owner blocked in io_uring_enter
            long deadline = System.nanoTime() + OWNER_EXIT_WAIT_NANOS;
            while (inCall) {
                if (System.nanoTime() - deadline > 0) {
                    safe = false;
                    break;
                }
                LockSupport.parkNanos(100_000);
            }
        }
        while (wakers.get() != 0) {
            Thread.onSpinWait();
        }
        ring.close(); // the kernel cancels what is left; after this nothing references our memory
        if (!safe) {
            // The owner is still inside (stuck?): unmapping or freeing under it could crash the JVM.
            LOG.log(System.Logger.Level.ERROR, "io_uring backend closed while its owner thread is still inside; "
                    + "native memory and slots are leaked rather than freed under it");
            eventFd.close();
            socket.close();
            closed = true;
            return;
        }
        receiver.releaseAll();
        sender.releaseAll();
        while (readyHead != readyTail) {
            pool.release(ready[readyHead++ & readyMask]);
        }
        waitArg.close();
        arena.close();
        eventFd.close();
        socket.close();
        closed = true;
    }

    /** True once {@link #close()} has finished. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return name + "[" + socket.localAddress() + ", " + ring + "]";
    }

    // ---------------------------------------------------------------- parts

    /** A receive strategy; all methods run on the owner thread (releaseAll after the ring is closed). */
    interface Receiver {
        /** Registers what the receiver needs with a new (still disabled) ring. */
        void register(Ring ring) throws NativeException;

        /** Forgets every in-flight operation (the ring that held them is closed); slots are kept. */
        void reset();

        /** First arming, right after the ring is enabled. */
        void start() throws NativeException;

        /** Writes re-arm SQEs (and refills buffers). */
        void arm() throws NativeException;

        /** True when nothing can receive (pool exhausted). */
        boolean starved();

        /** Handles one completion. Must not submit. */
        void onCqe(int index, int res, int flags);

        /** Operations the kernel still holds. */
        int inFlight();

        /** Returns every slot held to the pool (after the ring is closed). */
        void releaseAll();
    }

}
