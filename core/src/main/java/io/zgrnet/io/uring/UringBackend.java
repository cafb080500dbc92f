package io.zgrnet.io.uring;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.CloseGuard;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.io.UdpLimits;
import io.zgrnet.config.SocketOptions;
import io.zgrnet.sys.SocketOptionsReport;
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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.concurrent.locks.LockSupport;

/**
 * The io_uring datagram backend: receives with N armed RECVMSG or one multishot RECVMSG over a
 * provided-buffer ring of pool slots, sends with SENDMSG (or SEND_ZC), waits and wakes through
 * the ring. With {@code SocketOptions.udpGro} in multishot mode, the ring's buffers are 64 KiB ones
 * of its own and coalesced datagrams are split into pool slots ({@link GroMultishotReceiver}); so
 * they are, without GRO, when the pool has large slots (a provided buffer must hold any datagram).
 * Armed receive gives each RECVMSG a spill area after its slot for large datagrams
 * ({@link ArmedReceiver}).
 *
 * <p>Concurrency design: one <b>ring-owner thread</b> (the I/O agent) calls {@link #receive} and
 * {@link #send}; the first such call enables the ring (R_DISABLED + SINGLE_ISSUER make that
 * thread the only submitter, and DEFER_TASKRUN runs the kernel's completion work only when it
 * enters, in batches). Every loop ({@link #cycle}) writes the re-arms, enters the kernel once to
 * submit and wait, and reaps all CQEs; receive completions go to a bounded FIFO of filled slots
 * that {@code receive} hands out. Other threads only call {@link #wakeup()} (an eventfd write; the
 * ring keeps a POLL_ADD armed on it) and {@link #close()}. A call from a second thread while one
 * is inside is refused; a new thread may take over once the previous owner has ended
 * ({@link #migrate}): the new ring is set up and registered first, and only then is the old one
 * retired, so a failure keeps the old ring; costly, rare, and counted.
 *
 * <p>Teardown, "the last one out turns off the lights" ({@link CloseGuard}): {@code close()} marks
 * the backend closed and signals the eventfd; the cleanup runs once nobody is inside, on the
 * closing thread or, if the owner is still inside (woken, or stalled: a GC pause, a blocked log
 * appender), on the owner when it leaves. {@code close()} waits for it up to
 * {@value #OWNER_EXIT_WAIT_MILLIS} ms and then returns, leaving the cleanup to the owner (counted,
 * logged). The cleanup retires the ring ({@link #retire}) and frees native memory, returns slots
 * and lets go of the pool's memory only when no kernel operation can still write into them: the
 * owner proves it by cancelling everything in flight (ASYNC_CANCEL ANY|ALL, 5.19; one cancel per
 * operation before) and reaping every completion; another thread can prove it only when nothing
 * was in flight or the owner's kernel task has exited ({@link OwnerTask}). Otherwise the memory
 * and slots are leaked, counted and logged, never freed under the kernel. The I/O agent closes its
 * backend on its own thread, so a transport's close takes the owner's path. The ring mappings
 * live in a shared arena: any access after unmapping throws instead of faulting.
 *
 * <p>Kernel: armed mode 5.11 (RECVMSG 5.3, FAST_POLL 5.7, EXT_ARG 5.11); multishot mode 6.0;
 * zero-copy send 6.0; cancel-any at close 5.19 (per-operation cancel before). {@link IoUringSupport}
 * says what this kernel allows.
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
    static final long OWNER_EXIT_WAIT_MILLIS = 2000;
    /** How long close() waits for an owner inside to leave and clean up. */
    private static final long OWNER_EXIT_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(OWNER_EXIT_WAIT_MILLIS);
    /** How long the owner waits for cancelled operations to complete. */
    private static final long CANCEL_DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** How long a foreign thread waits for an ended owner's kernel task to be gone. */
    private static final long OWNER_GONE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a receive waits when no slot can be armed before it tries again. */
    static final long STARVED_WAIT_NANOS = io.zgrnet.io.PoolStarvation.WAIT_NANOS;
    /** Submits tried (with reaping and short waits) for an SQE before a send gives up. */
    private static final int SQE_ATTEMPTS = 100;

    private static final VarHandle CALLER;

    static {
        try {
            CALLER = MethodHandles.lookup().findVarHandle(UringBackend.class, "caller", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Test hook: behave as a kernel before 5.19 and cancel operation by operation at close. */
    static volatile boolean cancelByUserDataOnly;

    private final PacketPool pool;
    private final UringOptions options;
    private final UdpSocket socket;
    /** The socket's options report plus what this backend refused to apply. */
    private final SocketOptionsReport report;
    private final EventFd eventFd;
    private final Arena arena;
    private final MemorySegment registerArgs; // fds[2] then one iovec, for (re-)registration
    // The ring and how its files are named in SQEs: confined to the owner thread (replaced when the
    // owner changes); the cleanup reads them only once nobody is inside.
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
    private final int maxDatagram;
    private final CloseGuard guard = new CloseGuard();

    // Filled slots waiting to be handed out by receive(); bounded by the pool size.
    private final int[] ready;
    private final int readyMask;
    private int readyHead;
    private int readyTail;
    /** Counted by deliver(), not yet added to {@link #stats}; owner thread only. */
    private long unpublishedDatagrams;
    private long unpublishedBytes;

    /** The ring's owner (its thread and kernel task), null until the first call. */
    private volatile OwnerTask owner;
    /** The thread inside receive/send right now (CAS from null: one at a time). */
    @SuppressWarnings("unused") private volatile Thread caller;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private boolean wakeArmed;
    private boolean woken;
    private boolean receiving;
    private boolean reaping;
    private boolean cancelAnyRefused;
    private boolean handlerFailureLogged;
    private volatile boolean released;
    /** Closed while the owner was alive between calls with operations in flight: its next call tears down. */
    private volatile boolean ownerMustTearDown;
    private final AtomicBoolean tornDown = new AtomicBoolean();
    private volatile boolean tearDownFinished;

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
        int depth = Math.max(1, Math.min(options.receiveDepth(), pool.smallCapacity() / 2));
        Setup setup;
        try {
            setup = openRing();
        } catch (IOException | RuntimeException e) {
            waitArg.close();
            throw e;
        }
        try {
            int limit = UdpLimits.maxDatagram(pool, socket.localAddress());
            if (udpGro) {
                this.receiver = new GroMultishotReceiver(this, GroMultishotReceiver.BUFFERS, limit);
                this.name = "uring-multishot";
            } else if (options.receiveMode() == UringOptions.ReceiveMode.MULTISHOT) {
                // Datagrams beyond a small slot need provided buffers that hold any of them.
                this.receiver = limit > pool.slotSize()
                        ? new GroMultishotReceiver(this,
                                Integer.highestOneBit(Math.min(depth, GroMultishotReceiver.LARGE_BUFFERS)), limit)
                        : new MultishotReceiver(this, depth);
                this.name = "uring-multishot";
            } else {
                this.receiver = new ArmedReceiver(this, depth, limit);
                this.name = "uring-armed";
            }
            // The zero-copy ring's buffers are pool slots that start with the kernel's header.
            this.maxDatagram = receiver instanceof MultishotReceiver
                    ? Math.min(limit, pool.slotSize() - MultishotReceiver.HEADER_BYTES) : limit;
            receiver.prepare(setup.ring());
        } catch (IOException | RuntimeException e) {
            setup.ring().close();
            waitArg.close();
            throw e;
        }
        install(setup);
        receiver.commit();
        this.sender = new Sender(this, options.sendDepth(), options.zeroCopySend() && setup.fixedBuffers(),
                options.sendTo() && IoUringSupport.get().sendTo(), udpGso);
        pool.retainMemory(); // until every operation that may write into a slot has completed
    }

    /** A ring set up and registered, not yet installed. */
    private record Setup(Ring ring, boolean fixedFiles, boolean fixedBuffers) {
    }

    /**
     * Sets up a ring (disabled until the owner's first call) and registers the socket and eventfd
     * as fixed files and, for zero-copy send, the pool slab as fixed buffer 0. Installs nothing:
     * on failure the ring in use (if any) is untouched.
     */
    private Setup openRing() throws NativeException {
        Ring r = Ring.open(new Ring.Options(options.sqEntries(), options.cqEntries(), true, options.sqpoll(),
                options.sqpollIdleMillis()));
        try {
            boolean fixedFiles = options.registerFiles() && registerFiles(r, registerArgs, socket.fd(), eventFd.fd());
            boolean fixedBuffers = options.zeroCopySend() && registerSlab(r, registerArgs.asSlice(8), pool);
            return new Setup(r, fixedFiles, fixedBuffers);
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private void install(Setup setup) {
        this.ring = setup.ring();
        this.socketFd = setup.fixedFiles() ? FIXED_SOCKET : socket.fd();
        this.eventFdForSqe = setup.fixedFiles() ? FIXED_EVENTFD : eventFd.fd();
        this.fileFlag = setup.fixedFiles() ? IoUring.IOSQE_FIXED_FILE : 0;
    }

    /**
     * Opens a UDP socket and an io_uring over it.
     *
     * @param bind where to bind (port 0 for an ephemeral port)
     * @param socketOptions socket options
     * @param pool the pool to receive into and send from; the backend holds at most half of it in
     *        armed receives or in the buffer ring, and keeps its memory alive until every kernel
     *        operation on it has completed
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

    /** True once close() began: nothing new is armed or submitted. */
    boolean closing() {
        return guard.isClosed();
    }

    static long userData(int kind, int index) {
        return ((long) kind << 32) | (index & 0xffffffffL);
    }

    /**
     * Reserves an SQE without ever reaping: when the SQ is full it submits once; if the kernel
     * pushes back (EBUSY/EAGAIN: completions must be reaped first) it returns -1 and the caller
     * puts its work off to the next cycle. Because nothing is reaped here, no completion handler
     * runs while the caller is half-way through its own bookkeeping (arming cannot be re-entered).
     *
     * @return the SQE's offset in {@code ring().sqes()}, or -1
     */
    long trySqe() throws NativeException {
        if (reaping) {
            throw new IllegalStateException("io_uring: a completion handler tried to submit");
        }
        long base = ring.nextSqe();
        if (base >= 0) {
            return base;
        }
        uringStats.increment(UringStats.Counter.SQ_FULL_FLUSHES);
        uringStats.increment(UringStats.Counter.ENTER_CALLS);
        int r = ring.enter(0, IoUring.IORING_ENTER_GETEVENTS, 0, 0);
        if (r < 0) {
            uringStats.increment(UringStats.Counter.ENTER_BUSY);
            uringStats.increment(UringStats.Counter.SQ_FULL_DEFERRED);
            return -1;
        }
        return ring.nextSqe();
    }

    /**
     * Reserves an SQE for the send path, reaping and waiting briefly while the kernel pushes back.
     * Only called where the caller's state is consistent (between two queued sends).
     *
     * @throws NativeException (EBUSY) when no SQE came free after {@value #SQE_ATTEMPTS} tries
     */
    long sqeForSend() throws IOException {
        for (int attempt = 0; attempt < SQE_ATTEMPTS; attempt++) {
            long base = trySqe();
            if (base >= 0) {
                return base;
            }
            if (guard.isClosed()) {
                throw new ClosedChannelException();
            }
            if (reap() == 0 && attempt > 0) {
                waitForCompletions(STARVED_WAIT_NANOS); // back off instead of spinning on EBUSY
            }
        }
        throw new NativeException("io_uring_enter (no free SQE for a send after " + SQE_ATTEMPTS + " tries)",
                Errno.EBUSY);
    }

    /**
     * Queues a filled slot for receive(). The received counters are summed here and published once
     * per receive() (in {@link #drainReady}), before the caller sees the slots: two fewer
     * read-modify-writes of shared counters per datagram.
     */
    void deliver(int slot, int length) {
        ready[readyTail++ & readyMask] = slot;
        unpublishedDatagrams++;
        unpublishedBytes += length;
    }

    private void publishReceivedCounters() {
        if (unpublishedDatagrams != 0) {
            stats.add(BackendStats.Counter.DATAGRAMS_RECEIVED, unpublishedDatagrams);
            stats.add(BackendStats.Counter.BYTES_RECEIVED, unpublishedBytes);
            unpublishedDatagrams = 0;
            unpublishedBytes = 0;
        }
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

    /**
     * As {@link DatagramBackend#maxDatagram()}; with the zero-copy multishot ring (a pool without
     * large slots, no GRO) the kernel's 48-byte header shares each slot, so datagrams are 48 bytes
     * shorter than a slot.
     */
    @Override
    public int maxDatagram() {
        return maxDatagram;
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
        if (slots == null) {
            throw new IllegalArgumentException("slots must not be null");
        }
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
                cycle(wait);
                n = drainReady(slots, max);
                if (n > 0) {
                    return n;
                }
                if (guard.isClosed()) {
                    throw new ClosedChannelException(); // the cleanup runs as we leave
                }
                if (woken) {
                    woken = false;
                    return 0;
                }
                if (timeoutNanos == 0) {
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
            exitCall();
        }
    }

    @Override
    public int send(int[] slots, int count) throws IOException {
        if (slots == null) {
            throw new IllegalArgumentException("slots must not be null");
        }
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
            return sender.send(slots, count);
        } finally {
            exitCall();
        }
    }

    @Override
    public void wakeup() {
        if (!guard.enter()) {
            return; // closed: the eventfd may be gone; the owner is being woken by close()
        }
        try {
            // Only the first wakeup since the owner last consumed one writes to the eventfd.
            if (wakePending.compareAndSet(false, true)) {
                eventFd.signal();
            }
        } finally {
            guard.exit();
        }
    }

    /**
     * Admits the calling thread: one call at a time (a second thread gets an exception), not after
     * close, not from a virtual thread (a SINGLE_ISSUER ring belongs to one kernel task, and a
     * virtual thread moves between carriers). The first call makes the caller the owner and enables
     * the ring; a call from another thread later rebuilds the ring for it.
     */
    private void enterCall() throws IOException {
        Thread t = Thread.currentThread();
        if (!CALLER.compareAndSet(this, null, t)) {
            Thread inside = caller;
            throw new IllegalStateException("io_uring backend: concurrent call from thread \"" + t.getName()
                    + "\" while \"" + (inside == null ? "?" : inside.getName()) + "\" is inside; one I/O thread only");
        }
        if (!guard.enter()) {
            CALLER.setRelease(this, null);
            OwnerTask o = owner;
            if (ownerMustTearDown && o != null && o.thread() == t) {
                tearDown(true); // closed while we were between calls: only we can cancel
            }
            throw new ClosedChannelException();
        }
        OwnerTask o = owner;
        if (o == null || o.thread() != t) {
            try {
                if (t.isVirtual()) {
                    throw new IllegalStateException("io_uring backend: a virtual thread (\"" + t
                            + "\") cannot own the ring: SINGLE_ISSUER binds it to one kernel task and a virtual"
                            + " thread moves between carrier threads; call receive/send from a platform thread");
                }
                OwnerTask me = OwnerTask.current();
                if (o != null) {
                    migrate(o, me);
                } else {
                    ring.enable();
                }
                owner = me;
            } catch (IOException | RuntimeException e) {
                exitCall();
                throw e;
            }
        }
    }

    /** Leaves a call; the last one out of a closed backend runs the cleanup (here, on this thread). */
    private void exitCall() {
        CALLER.setRelease(this, null);
        guard.exit();
        if (guard.isClosed() && !tornDown.get()) {
            OwnerTask o = owner;
            // Closed while we were inside, and the closing thread left last (right after its
            // wake-up signal): the teardown is ours, since only the owner can cancel.
            if (o != null && o.thread() == Thread.currentThread()
                    && guard.awaitCleaned(TimeUnit.MILLISECONDS.toNanos(100)) && ownerMustTearDown) {
                tearDown(true);
            }
        }
    }

    /**
     * The owner changed (the previous owner is not inside the backend). A SINGLE_ISSUER ring
     * refuses every task but the one that enabled it, so the ring is rebuilt for the new owner.
     * Only the previous owner could cancel the old ring's operations, so it must have ended (its
     * kernel task cancels them as it exits, see {@link OwnerTask}); while it lives, the change is
     * refused. Order: set up and register the new ring first (a failure here, e.g. ENOMEM or
     * EMFILE from io_uring_setup, throws and leaves the old ring in place: the next call tries
     * again); then retire the old one; then install the new ring and re-arm.
     */
    private void migrate(OwnerTask from, OwnerTask to) throws IOException {
        if (inFlight() > 0 && !from.awaitExit(OWNER_GONE_WAIT_NANOS)) {
            throw new IllegalStateException("io_uring backend: thread \"" + to.thread().getName()
                    + "\" cannot take over the ring while its owner " + from + " is alive: only the owner can "
                    + "cancel the ring's operations. Call receive/send from one thread, or after the owner ended");
        }
        LOG.log(System.Logger.Level.INFO, "io_uring backend {0}: owner thread changed from {1} to {2}; "
                + "rebuilding the ring", socket.localAddress(), from, to);
        Setup fresh;
        try {
            fresh = openRing();
        } catch (NativeException e) {
            uringStats.increment(UringStats.Counter.OWNER_CHANGE_FAILURES);
            throw new NativeException("io_uring owner change: " + e.call() + " (old ring kept)", e.errno());
        }
        try {
            if (sender.zeroCopy() && !fresh.fixedBuffers()) {
                throw new NativeException("io_uring owner change: registering the pool slab for zero-copy send"
                        + " (old ring kept)", Errno.ENOMEM);
            }
            receiver.prepare(fresh.ring());
        } catch (NativeException | RuntimeException e) {
            fresh.ring().close();
            uringStats.increment(UringStats.Counter.OWNER_CHANGE_FAILURES);
            throw e;
        }
        reap(); // CQEs in the mapped CQ are plain memory: readable by any thread
        retire(ring, false); // proven complete: the old owner's task is gone
        install(fresh);
        receiver.commit();
        sender.reset();
        wakeArmed = false;
        cancelAnyRefused = false;
        ring.enable();
        if (receiving) {
            receiver.start();
        }
        uringStats.increment(UringStats.Counter.OWNER_CHANGES);
    }

    private int drainReady(int[] slots, int max) {
        publishReceivedCounters();
        int n = 0;
        while (n < max && readyHead != readyTail) {
            slots[n++] = ready[readyHead++ & readyMask];
        }
        return n;
    }

    /**
     * One duty cycle of the ring owner: write re-arms, enter the kernel once (submit + wait up to
     * {@code timeoutNanos}: 0 = no wait, negative = until a completion), reap every CQE. When no
     * slot could be armed (the pool is exhausted: slots come back from other threads, not from the
     * kernel), or the wake poll could not be armed, the wait is cut to {@link #STARVED_WAIT_NANOS}
     * so the next cycle tries again: neither a busy loop nor a missed wake-up.
     */
    private void cycle(long timeoutNanos) throws IOException {
        boolean starved = false;
        if (!guard.isClosed()) {
            receiver.arm();
            starved = receiver.starved();
            sender.resubmitRefused(); // datagrams of a refused GSO send, one by one
        }
        armWake();
        long wait = timeoutNanos;
        if ((starved || !wakeArmed) && (wait < 0 || wait > STARVED_WAIT_NANOS)) {
            wait = STARVED_WAIT_NANOS;
            if (starved) {
                uringStats.increment(UringStats.Counter.STARVED_WAITS);
            }
        }
        int minComplete = (wait == 0 || ring.cqReady() > 0) ? 0 : 1;
        int flags = IoUring.IORING_ENTER_GETEVENTS;
        long arg = 0;
        long argSize = 0;
        if (minComplete > 0 && wait > 0) {
            flags |= IoUring.IORING_ENTER_EXT_ARG;
            arg = waitArg.address(wait);
            argSize = waitArg.size();
        }
        uringStats.increment(UringStats.Counter.ENTER_CALLS);
        int r = ring.enter(minComplete, flags, arg, argSize);
        boolean busy = r == -Errno.EBUSY || r == -Errno.EAGAIN;
        if (busy) {
            uringStats.increment(UringStats.Counter.ENTER_BUSY);
        }
        int reaped = reap();
        if (ring.cqOverflowed()) {
            uringStats.increment(UringStats.Counter.CQ_OVERFLOWS);
            ring.flushOverflow();
            reaped += reap();
        }
        if (busy && reaped == 0 && minComplete > 0) {
            // The kernel pushed back and nothing was there to reap: wait briefly, do not spin.
            LockSupport.parkNanos(STARVED_WAIT_NANOS);
        }
    }

    /**
     * Consumes every ready CQE. The CQ head moves past a CQE whatever its handler does: a handler
     * that throws is counted and logged, and the batch goes on, so a CQE is never handled twice.
     * Handlers never submit ({@link #trySqe} refuses while reaping).
     */
    int reap() {
        int n = ring.cqReady();
        if (n == 0) {
            return 0;
        }
        reaping = true;
        int done = 0;
        try {
            for (int i = 0; i < n; i++) {
                long ud = ring.cqeUserData(i);
                int res = ring.cqeRes(i);
                int flags = ring.cqeFlags(i);
                done = i + 1;
                try {
                    dispatch(ud, res, flags);
                } catch (RuntimeException e) {
                    handlerFailed(ud, res, flags, e);
                }
            }
        } finally {
            ring.cqAdvance(done);
            reaping = false;
        }
        uringStats.batch(n);
        return n;
    }

    private void dispatch(long ud, int res, int flags) {
        int index = (int) ud;
        switch ((int) (ud >>> 32)) {
            case KIND_RECV, KIND_MULTISHOT -> receiver.onCqe(index, res, flags);
            case KIND_SEND -> sender.onCqe(index, res, flags);
            case KIND_WAKE -> onWake(res);
            case KIND_CANCEL -> onCancel(index, res);
            default -> LOG.log(System.Logger.Level.WARNING, "io_uring: unknown completion 0x{0}",
                    Long.toHexString(ud));
        }
    }

    private void handlerFailed(long ud, int res, int flags, RuntimeException e) {
        uringStats.increment(UringStats.Counter.HANDLER_FAILURES);
        if (!handlerFailureLogged) {
            handlerFailureLogged = true;
            LOG.log(System.Logger.Level.ERROR, "io_uring: the handler of completion user_data=0x" + Long.toHexString(ud)
                    + " res=" + res + " flags=0x" + Integer.toHexString(flags)
                    + " threw; counted (HANDLER_FAILURES) and skipped; later ones are logged at DEBUG", e);
        } else {
            LOG.log(System.Logger.Level.DEBUG, "io_uring: completion handler threw: {0}", e.toString());
        }
    }

    /** Enters to submit and waits for at least one completion (bounded), then reaps. */
    void waitForCompletions(long timeoutNanos) throws IOException {
        uringStats.increment(UringStats.Counter.ENTER_CALLS);
        int r = ring.enter(1, IoUring.IORING_ENTER_GETEVENTS | IoUring.IORING_ENTER_EXT_ARG,
                waitArg.address(timeoutNanos), waitArg.size());
        if ((r == -Errno.EBUSY || r == -Errno.EAGAIN) && reap() == 0) {
            LockSupport.parkNanos(Math.min(timeoutNanos, STARVED_WAIT_NANOS));
        }
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
        long sqe = trySqe();
        if (sqe < 0) {
            return; // the cycle waits briefly instead and tries again
        }
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

    private void onCancel(int index, int res) {
        // res: number cancelled, -ENOENT (nothing matched), -EALREADY (running), or -EINVAL: this
        // kernel (< 5.19) has no IORING_ASYNC_CANCEL_ANY; the owner then cancels one by one.
        if (index == 0 && res == -Errno.EINVAL) {
            cancelAnyRefused = true;
        }
    }

    /** Operations the kernel holds (receives, sends, the wake poll). */
    private int inFlight() {
        return receiver.inFlight() + sender.inFlight() + (wakeArmed ? 1 : 0);
    }

    /**
     * Takes {@code old} out of service and says whether any of its operations may still touch our
     * memory. From the owner thread: cancel everything and reap until nothing is in flight
     * (bounded). From another thread nothing can be cancelled or reaped (SINGLE_ISSUER, and a
     * closed ring posts no completions): the operations are known gone only if nothing was in
     * flight or the owner's kernel task has exited ({@link OwnerTask}). Then the fd is closed and
     * the rings unmapped.
     *
     * @param ownerThread true if the calling thread may submit to {@code old}
     * @return true if no operation can touch our memory or slots any more (they may be reused or
     *         freed); false if they must be leaked
     */
    private boolean retire(Ring old, boolean ownerThread) {
        boolean done = inFlight() == 0;
        if (!done && ownerThread) {
            try {
                cancelAll();
                long deadline = System.nanoTime() + CANCEL_DRAIN_NANOS;
                while (inFlight() > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    if (cancelAnyRefused) {
                        cancelAnyRefused = false;
                        cancelEach();
                    }
                    waitForCompletions(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "io_uring: cancel at teardown failed", e);
            }
            done = inFlight() == 0;
            if (done && fileFlag != 0) {
                // The fixed-file table holds a reference to the socket until the ring is freed,
                // which the kernel does in its own time after the fd closes: the port would stay
                // bound for a while after close().
                old.tryRegister(IoUring.IORING_UNREGISTER_FILES, 0, 0);
            }
        }
        OwnerTask o = owner;
        if (!done && !ownerThread && o != null && o.awaitExit(OWNER_GONE_WAIT_NANOS)) {
            done = true; // the exited task's requests were cancelled and waited for by the kernel
        }
        int left = inFlight();
        old.closeFd();
        old.unmap();
        if (done) {
            return true;
        }
        uringStats.add(UringStats.Counter.OPERATIONS_LEAKED, left);
        LOG.log(System.Logger.Level.ERROR, "io_uring backend {0}: {1} operation(s) still in flight at teardown "
                + (ownerThread ? "did not complete within " + TimeUnit.NANOSECONDS.toMillis(CANCEL_DRAIN_NANOS)
                        + " ms of their cancellation"
                        : "and the owner " + o + " is alive (only it can cancel them: close the backend from the "
                                + "owner thread, or after it ended)")
                + "; their buffers and slots are leaked, not freed under the kernel", socket.localAddress(), left);
        return false;
    }

    /** Submits ASYNC_CANCEL for everything (ANY|ALL, 5.19), or one per operation where that is refused. */
    private void cancelAll() throws IOException {
        if (cancelByUserDataOnly) {
            cancelEach();
            return;
        }
        long sqe = trySqe();
        if (sqe < 0) {
            return; // the fd close below cancels instead
        }
        Sqe.prep(ring.sqes(), sqe, IoUring.IORING_OP_ASYNC_CANCEL, 0, -1, 0, 0, 0, userData(KIND_CANCEL, 0));
        Sqe.opFlags(ring.sqes(), sqe, IoUring.IORING_ASYNC_CANCEL_ANY | IoUring.IORING_ASYNC_CANCEL_ALL);
        submitNow();
    }

    /** One ASYNC_CANCEL by user_data per operation in flight (IORING_OP_ASYNC_CANCEL: 5.5). */
    private void cancelEach() throws IOException {
        LongConsumer cancel = ud -> {
            try {
                long sqe = trySqe();
                if (sqe >= 0) {
                    Sqe.prep(ring.sqes(), sqe, IoUring.IORING_OP_ASYNC_CANCEL, 0, -1, ud, 0, 0,
                            userData(KIND_CANCEL, 1));
                    uringStats.increment(UringStats.Counter.CANCEL_BY_USER_DATA);
                }
            } catch (NativeException e) {
                LOG.log(System.Logger.Level.DEBUG, "io_uring: cancel of 0x{0} not submitted: {1}",
                        Long.toHexString(ud), e.getMessage());
            }
        };
        receiver.forEachInFlight(cancel);
        sender.forEachInFlight(cancel);
        if (wakeArmed) {
            cancel.accept(userData(KIND_WAKE, 0));
        }
        submitNow();
    }

    /**
     * Closes the backend from any thread. Idempotent. Returns once the backend's resources are
     * released, or after {@value #OWNER_EXIT_WAIT_MILLIS} ms if only the owner can release them (it
     * is stalled inside, or alive between two calls with operations in flight): then it does so on
     * its next call, or this method's successors never do and they stay allocated (counted, logged).
     */
    @Override
    public void close() {
        // The eventfd signal wakes an owner blocked in io_uring_enter.
        if (!guard.closeAndWake(this::onLastExit, eventFd::signal)) {
            return;
        }
        long deadline = System.nanoTime() + OWNER_EXIT_WAIT_NANOS;
        while (!tearDownFinished) {
            OwnerTask o = owner;
            if (ownerMustTearDown && o != null && !o.thread().isAlive() && o.awaitExit(OWNER_GONE_WAIT_NANOS)) {
                tearDown(false); // its kernel task is gone, and its operations with it
                continue; // (or the owner's teardown, begun meanwhile, finishes)
            }
            if (System.nanoTime() - deadline > 0) {
                uringStats.increment(UringStats.Counter.CLEANUPS_DEFERRED); // the owner writes other counters only
                LOG.log(System.Logger.Level.WARNING, "io_uring backend {0}: only the owner {1} can cancel the ring''s "
                        + "operations and it has not {2} within {3} ms of close; the ring, socket and buffers stay "
                        + "allocated until it does (never freed under the kernel)", socket.localAddress(), o,
                        guard.isCleaned() ? "called again" : "left", OWNER_EXIT_WAIT_MILLIS);
                break;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
    }

    /**
     * Runs once, when the backend is closed and nobody is inside. Tears down at once when this is
     * the owner or nothing is in flight; otherwise only the owner can cancel the operations, so the
     * teardown waits for its next call (or for its kernel task to exit, see {@link #close()}).
     */
    private void onLastExit() {
        OwnerTask o = owner;
        boolean ownerThread = o != null && Thread.currentThread() == o.thread();
        if (ownerThread || o == null || inFlight() == 0) {
            tearDown(ownerThread);
        } else {
            ownerMustTearDown = true;
        }
    }

    /** Retires the ring and frees or (when that cannot be proven safe) leaks: see the class comment. */
    private void tearDown(boolean ownerThread) {
        if (!tornDown.compareAndSet(false, true)) {
            return;
        }
        boolean drained = retire(ring, ownerThread && ring.enabled());
        sender.releaseRetries();
        if (ownerThread) {
            publishReceivedCounters();
        }
        while (readyHead != readyTail) {
            pool.release(ready[readyHead++ & readyMask]);
        }
        if (drained) {
            receiver.releaseAll();
            sender.releaseAll();
            receiver.freeRingMemory();
            waitArg.close();
            arena.close();
            pool.releaseMemory();
            released = true;
        }
        eventFd.close();
        socket.close();
        tearDownFinished = true;
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /** True once the cleanup freed every native resource (false while deferred, or if leaked). */
    public boolean isReleased() {
        return released;
    }

    @Override
    public String toString() {
        return name + "[" + socket.localAddress() + ", " + ring + "]";
    }

    // ---------------------------------------------------------------- parts

    /** A receive strategy; all methods run on the owner thread (or in the cleanup, once nobody is inside). */
    interface Receiver {
        /**
         * Registers what the receiver needs with a new, not yet enabled ring; on failure nothing
         * changes (the ring in use, if any, keeps its registration).
         */
        void prepare(Ring ring) throws NativeException;

        /** The ring prepared last is now the one in use; the previous one retired with every operation complete. */
        void commit();

        /** The ring prepared last is closed unused: free what {@link #prepare} allocated. */
        void abort();

        /** First arming, right after the ring is enabled. */
        void start() throws NativeException;

        /** Writes re-arm SQEs (and refills buffers) with {@link #trySqe}: it never reaps. */
        void arm() throws NativeException;

        /** True when nothing can receive (pool exhausted). */
        boolean starved();

        /** Handles one completion. Must not submit. */
        void onCqe(int index, int res, int flags);

        /** Operations the kernel still holds. */
        int inFlight();

        /** The user_data of every operation in flight (for per-operation cancels). */
        void forEachInFlight(LongConsumer userData);

        /** Returns every slot held to the pool (every operation has completed). */
        void releaseAll();

        /** Frees memory allocated per ring (every operation has completed). */
        void freeRingMemory();
    }
}
