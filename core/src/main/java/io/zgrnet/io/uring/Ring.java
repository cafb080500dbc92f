package io.zgrnet.io.uring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zgrnet.sys.Cqe;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.IoUringParams;
import io.zgrnet.sys.Libc;
import io.zgrnet.sys.NativeException;
import io.zgrnet.sys.Sqe;
import io.zgrnet.sys.Syscall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance: the ring fd, the mapped SQ and CQ rings and the SQE array.
 *
 * <p>Concurrency design: a ring has exactly one owner thread that fills SQEs, enters the kernel and
 * reaps CQEs ({@link #enable()} names it when the ring was set up with SINGLE_ISSUER; the kernel
 * then refuses every other task with EEXIST). The only cross-thread operations are with the kernel,
 * through the shared mappings, and each access states its memory order:
 * <ul>
 *   <li>SQ tail: written by us, published with a <b>release</b> store after the SQEs are filled;
 *   <li>SQ head: advanced by the kernel (or its SQPOLL thread), read with an <b>acquire</b> load;
 *   <li>CQ tail: advanced by the kernel after writing CQEs, read with an <b>acquire</b> load;
 *   <li>CQ head: written by us after reading CQEs, published with a <b>release</b> store;
 *   <li>SQ flags (CQ_OVERFLOW, TASKRUN, NEED_WAKEUP): written by the kernel, read with acquire
 *       (preceded by a full fence for NEED_WAKEUP, as liburing does).
 * </ul>
 * {@link #close()} may be called from another thread only once the owner has stopped using the
 * ring (the backend that owns the ring guarantees that). Even if it were not, the mappings belong
 * to a shared arena: any access after close throws IllegalStateException instead of faulting, and
 * {@link #enter} refuses a closed fd, so a recycled fd number is never entered.
 *
 * <p>Setup flags are chosen by what the kernel accepts, trying the richest set first and falling
 * back on EINVAL: SINGLE_ISSUER|DEFER_TASKRUN (6.1), SINGLE_ISSUER|COOP_TASKRUN (6.0),
 * COOP_TASKRUN|TASKRUN_FLAG (5.19), SUBMIT_ALL (5.18), R_DISABLED (5.10), CQSIZE (5.5). Optional
 * SQPOLL (off by default): a kernel thread polls the SQ so submitting needs no syscall; it helps
 * only with a core to spare for that thread (on a 2-core machine it competes with the sender and
 * the application, and receive-side task work still needs the owner to enter the kernel to wait).
 */
public final class Ring implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Ring.class.getName());
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    /** How to set up a ring. */
    public record Options(int sqEntries, int cqEntries, boolean singleIssuer, boolean sqpoll, int sqpollIdleMillis) {
        /** Validates the sizes (powers of two are not required: the kernel rounds up). */
        public Options {
            if (sqEntries < 1 || sqEntries > 32768) {
                throw new IllegalArgumentException("sqEntries must be 1..32768, got " + sqEntries);
            }
            if (cqEntries < sqEntries || cqEntries > 65536) {
                throw new IllegalArgumentException("cqEntries must be sqEntries..65536, got " + cqEntries);
            }
            if (sqpollIdleMillis < 0) {
                throw new IllegalArgumentException("sqpollIdleMillis must be >= 0, got " + sqpollIdleMillis);
            }
        }

        /** SQ and CQ sizes, single issuer, no SQPOLL. */
        public static Options of(int sqEntries, int cqEntries) {
            return new Options(sqEntries, cqEntries, true, false, 0);
        }
    }

    /** Flag sets tried in order; the first the kernel accepts wins (EINVAL = not supported). */
    private static final int[] FLAG_CHOICES = {
            IoUring.IORING_SETUP_SINGLE_ISSUER | IoUring.IORING_SETUP_DEFER_TASKRUN | IoUring.IORING_SETUP_SUBMIT_ALL
                    | IoUring.IORING_SETUP_CQSIZE | IoUring.IORING_SETUP_R_DISABLED,
            IoUring.IORING_SETUP_SINGLE_ISSUER | IoUring.IORING_SETUP_COOP_TASKRUN | IoUring.IORING_SETUP_TASKRUN_FLAG
                    | IoUring.IORING_SETUP_SUBMIT_ALL | IoUring.IORING_SETUP_CQSIZE | IoUring.IORING_SETUP_R_DISABLED,
            IoUring.IORING_SETUP_COOP_TASKRUN | IoUring.IORING_SETUP_TASKRUN_FLAG | IoUring.IORING_SETUP_SUBMIT_ALL
                    | IoUring.IORING_SETUP_CQSIZE,
            IoUring.IORING_SETUP_SUBMIT_ALL | IoUring.IORING_SETUP_CQSIZE,
            IoUring.IORING_SETUP_CQSIZE,
    };
    private static final int[] SQPOLL_FLAG_CHOICES = {
            IoUring.IORING_SETUP_SQPOLL | IoUring.IORING_SETUP_SUBMIT_ALL | IoUring.IORING_SETUP_CQSIZE,
            IoUring.IORING_SETUP_SQPOLL | IoUring.IORING_SETUP_CQSIZE,
    };
    private static final int SINGLE_ISSUER_FLAGS = IoUring.IORING_SETUP_SINGLE_ISSUER
            | IoUring.IORING_SETUP_DEFER_TASKRUN;

    private final int fd;
    private final int setupFlags;
    private final int features;
    private final int sqEntries;
    private final int cqEntries;
    private final int sqMask;
    private final int cqMask;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing; // == sqRing with IORING_FEAT_SINGLE_MMAP
    private final MemorySegment sqes;
    private final long sqHeadOff;
    private final long sqTailOff;
    private final long sqFlagsOff;
    private final long cqHeadOff;
    private final long cqTailOff;
    private final long cqesOff;
    private final long cqOverflowOff;
    private final boolean sqpoll;
    private final Arena mappings;

    private int sqTail; // next SQE to fill (owner only)
    private int sqHeadCache; // last SQ head read from the kernel (owner only)
    private int cqHead; // next CQE to read (owner only)
    private boolean enabled;
    private long enterCalls;
    private long overflowFlushes;
    private long eintrRetries;
    private volatile boolean closed;

    private Ring(int fd, int setupFlags, MemorySegment params, MemorySegment sqRing, MemorySegment cqRing,
            MemorySegment sqes, Arena mappings) {
        this.fd = fd;
        this.mappings = mappings;
        this.setupFlags = setupFlags;
        this.features = IoUringParams.get(params, IoUringParams.FEATURES);
        this.sqEntries = IoUringParams.get(params, IoUringParams.SQ_ENTRIES);
        this.cqEntries = IoUringParams.get(params, IoUringParams.CQ_ENTRIES);
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.sqes = sqes;
        long sq = IoUringParams.SQ_OFF;
        long cq = IoUringParams.CQ_OFF;
        this.sqHeadOff = IoUringParams.get(params, sq + IoUringParams.SQ_OFF_HEAD);
        this.sqTailOff = IoUringParams.get(params, sq + IoUringParams.SQ_OFF_TAIL);
        this.sqFlagsOff = IoUringParams.get(params, sq + IoUringParams.SQ_OFF_FLAGS);
        this.sqMask = sqRing.get(JAVA_INT, IoUringParams.get(params, sq + IoUringParams.SQ_OFF_RING_MASK));
        this.cqHeadOff = IoUringParams.get(params, cq + IoUringParams.CQ_OFF_HEAD);
        this.cqTailOff = IoUringParams.get(params, cq + IoUringParams.CQ_OFF_TAIL);
        this.cqesOff = IoUringParams.get(params, cq + IoUringParams.CQ_OFF_CQES);
        this.cqOverflowOff = IoUringParams.get(params, cq + IoUringParams.CQ_OFF_OVERFLOW);
        this.cqMask = cqRing.get(JAVA_INT, IoUringParams.get(params, cq + IoUringParams.CQ_OFF_RING_MASK));
        this.sqpoll = (setupFlags & IoUring.IORING_SETUP_SQPOLL) != 0;
        // Identity SQ index array: SQE i sits in slot i, so the array never changes after setup.
        long array = IoUringParams.get(params, sq + IoUringParams.SQ_OFF_ARRAY);
        for (int i = 0; i < sqEntries; i++) {
            sqRing.set(JAVA_INT, array + 4L * i, i);
        }
        // Plain reads are fine here: nothing has been submitted yet.
        this.sqTail = sqRing.get(JAVA_INT, sqTailOff);
        this.sqHeadCache = sqRing.get(JAVA_INT, sqHeadOff);
        this.cqHead = cqRing.get(JAVA_INT, cqHeadOff);
        this.enabled = (setupFlags & IoUring.IORING_SETUP_R_DISABLED) == 0;
    }

    /**
     * Sets up a ring, choosing the richest setup flags the kernel accepts.
     *
     * @throws NativeException naming io_uring_setup and its errno (ENOSYS: no io_uring in this
     *         kernel; EPERM: seccomp or kernel.io_uring_disabled; ENOMEM: locked-memory limit)
     */
    public static Ring open(Options options) throws NativeException {
        int[] choices = options.sqpoll() ? SQPOLL_FLAG_CHOICES : FLAG_CHOICES;
        MemorySegment slot = Libc.errnoSlot();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(IoUringParams.SIZE, 8);
            int lastErr = Errno.EINVAL;
            for (int flags : choices) {
                if (!options.singleIssuer()) {
                    flags &= ~(SINGLE_ISSUER_FLAGS | IoUring.IORING_SETUP_R_DISABLED);
                }
                params.fill((byte) 0);
                IoUringParams.set(params, IoUringParams.FLAGS, flags);
                IoUringParams.set(params, IoUringParams.CQ_ENTRIES, options.cqEntries());
                IoUringParams.set(params, IoUringParams.SQ_THREAD_IDLE, options.sqpollIdleMillis());
                int r = IoUring.setup(slot, options.sqEntries(), params);
                if (r >= 0) {
                    return map(r, flags, params);
                }
                lastErr = -r;
                if (lastErr != Errno.EINVAL) {
                    break; // ENOSYS, EPERM, ENOMEM...: no other flag set will help
                }
            }
            throw new NativeException("io_uring_setup(" + options.sqEntries() + " entries)", lastErr);
        }
    }

    private static Ring map(int fd, int flags, MemorySegment params) throws NativeException {
        // The mappings live in a shared arena whose cleanup unmaps them: a thread that touches the
        // ring after close() gets an IllegalStateException from the JDK, never a fault in freed
        // memory (closing a shared arena first makes every other thread's access in progress fail).
        Arena mappings = Arena.ofShared();
        try {
            int features = IoUringParams.get(params, IoUringParams.FEATURES);
            long sqSize = IoUringParams.get(params, IoUringParams.SQ_OFF + IoUringParams.SQ_OFF_ARRAY)
                    + 4L * IoUringParams.get(params, IoUringParams.SQ_ENTRIES);
            long cqSize = IoUringParams.get(params, IoUringParams.CQ_OFF + IoUringParams.CQ_OFF_CQES)
                    + Cqe.SIZE * IoUringParams.get(params, IoUringParams.CQ_ENTRIES);
            MemorySegment sqRing;
            MemorySegment cqRing;
            if ((features & IoUring.IORING_FEAT_SINGLE_MMAP) != 0) {
                sqRing = mapShared("io_uring rings", Math.max(sqSize, cqSize), fd, IoUring.IORING_OFF_SQ_RING, mappings);
                cqRing = sqRing;
            } else {
                sqRing = mapShared("io_uring SQ ring", sqSize, fd, IoUring.IORING_OFF_SQ_RING, mappings);
                cqRing = mapShared("io_uring CQ ring", cqSize, fd, IoUring.IORING_OFF_CQ_RING, mappings);
            }
            MemorySegment sqes = mapShared("io_uring SQEs",
                    Sqe.SIZE * IoUringParams.get(params, IoUringParams.SQ_ENTRIES), fd, IoUring.IORING_OFF_SQES,
                    mappings);
            return new Ring(fd, flags, params, sqRing, cqRing, sqes, mappings);
        } catch (NativeException e) {
            mappings.close(); // unmaps what was mapped
            Syscall.close(Libc.errnoSlot(), fd);
            throw e;
        }
    }

    /** Maps {@code length} bytes of the ring fd at {@code offset}; unmapped when {@code arena} closes. */
    private static MemorySegment mapShared(String what, long length, int fd, long offset, Arena arena)
            throws NativeException {
        MemorySegment raw = Syscall.mmapChecked(what, length, Syscall.PROT_READ_WRITE,
                Syscall.MAP_SHARED | Syscall.MAP_POPULATE, fd, offset);
        long address = raw.address();
        return raw.reinterpret(length, arena, ignored -> Syscall.munmap(Libc.errnoSlot(), address, length));
    }

    /** The ring fd. */
    public int fd() {
        return fd;
    }

    /** The setup flags the kernel accepted. */
    public int setupFlags() {
        return setupFlags;
    }

    /** True if the given setup flag is in effect. */
    public boolean hasSetupFlag(int flag) {
        return (setupFlags & flag) == flag;
    }

    /** The kernel's IORING_FEAT_* bits. */
    public int features() {
        return features;
    }

    /** True if the kernel has the given feature. */
    public boolean hasFeature(int feature) {
        return (features & feature) == feature;
    }

    /** SQ size the kernel gave. */
    public int sqEntries() {
        return sqEntries;
    }

    /** CQ size the kernel gave. */
    public int cqEntries() {
        return cqEntries;
    }

    /** The mapped SQE array; SQE offsets returned by {@link #nextSqe()} index into it. */
    public MemorySegment sqes() {
        return sqes;
    }

    /**
     * Enables a ring set up with R_DISABLED; with SINGLE_ISSUER the calling thread becomes the only
     * submitter. Idempotent.
     */
    public void enable() throws NativeException {
        if (closed) {
            throw new IllegalStateException("io_uring ring fd " + fd + " is closed");
        }
        if (!enabled) {
            int r = IoUring.register(Libc.errnoSlot(), fd, IoUring.IORING_REGISTER_ENABLE_RINGS, 0, 0);
            if (r < 0) {
                throw new NativeException("io_uring_register(ENABLE_RINGS)", -r);
            }
            enabled = true;
        }
    }

    /** True once the ring accepts submissions. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Reserves the next SQE. The caller fills it completely ({@link Sqe#prep} clears every field).
     *
     * @return the SQE's byte offset in {@link #sqes()}, or -1 when the SQ is full (submit first)
     */
    public long nextSqe() {
        if (closed) {
            throw new IllegalStateException("io_uring ring fd " + fd + " is closed");
        }
        if (sqTail - sqHeadCache >= sqEntries) {
            // Acquire: the kernel (or its SQPOLL thread) advanced the head after consuming SQEs.
            sqHeadCache = (int) INT.getAcquire(sqRing, sqHeadOff);
            if (sqTail - sqHeadCache >= sqEntries) {
                return -1;
            }
        }
        long base = (long) (sqTail & sqMask) * Sqe.SIZE;
        sqTail++;
        return base;
    }

    /** SQEs filled but not yet consumed by the kernel. */
    public int pendingSubmissions() {
        // Acquire: pairs with the kernel's store of the head after consuming SQEs.
        sqHeadCache = (int) INT.getAcquire(sqRing, sqHeadOff);
        return sqTail - sqHeadCache;
    }

    /**
     * Publishes the filled SQEs and enters the kernel once.
     *
     * @param minComplete wait for this many completions (0 = do not wait)
     * @param flags IORING_ENTER_* flags (GETEVENTS is added when {@code minComplete > 0})
     * @param arg io_uring_getevents_arg address with IORING_ENTER_EXT_ARG, else 0
     * @param argSize its size
     * @return SQEs consumed (>= 0), or {@code -ETIME} (the wait timed out), {@code -EBUSY} or
     *         {@code -EAGAIN} (the kernel wants CQEs reaped or memory freed before more
     *         submissions: reap and call again), or {@code -EINTR} for an interrupted wait
     *         ({@code minComplete > 0}: the caller recomputes its timeout); an interrupted
     *         submission without a wait is retried here
     * @throws NativeException for any other errno
     */
    public int enter(int minComplete, int flags, long arg, long argSize) throws NativeException {
        if (closed) {
            throw new IllegalStateException("io_uring ring fd " + fd + " is closed");
        }
        // Release: SQE contents written above are visible to the kernel before the new tail.
        INT.setRelease(sqRing, sqTailOff, sqTail);
        int toSubmit;
        if (sqpoll) {
            toSubmit = 0; // the SQPOLL thread consumes the SQ; enter only to wake it or to wait
            // Full fence between publishing the tail and reading NEED_WAKEUP (liburing sq_ring_needs_enter).
            VarHandle.fullFence();
            // Acquire: the SQPOLL thread sets NEED_WAKEUP before sleeping.
            int sqFlags = (int) INT.getAcquire(sqRing, sqFlagsOff);
            if ((sqFlags & IoUring.IORING_SQ_NEED_WAKEUP) != 0) {
                flags |= IoUring.IORING_ENTER_SQ_WAKEUP;
            } else if (minComplete == 0 && (flags & IoUring.IORING_ENTER_GETEVENTS) == 0) {
                return 0; // nothing to wait for, the poller is awake: no syscall
            }
        } else {
            toSubmit = pendingSubmissions();
        }
        if (minComplete > 0) {
            flags |= IoUring.IORING_ENTER_GETEVENTS;
        }
        MemorySegment slot = Libc.errnoSlot();
        while (true) {
            enterCalls++;
            int r = IoUring.enter(slot, fd, toSubmit, minComplete, flags, arg, argSize);
            if (r >= 0) {
                return r;
            }
            int errno = -r;
            if (errno == Errno.EINTR) {
                eintrRetries++;
                if (minComplete > 0) {
                    // A wait with a relative timeout: retrying would restart it. The caller
                    // recomputes what is left of its deadline.
                    return r;
                }
                if (!sqpoll) {
                    toSubmit = pendingSubmissions();
                }
                continue;
            }
            if (errno == Errno.ETIME || errno == Errno.EBUSY || errno == Errno.EAGAIN) {
                return r;
            }
            throw new NativeException("io_uring_enter(fd " + fd + ", submit " + toSubmit + ", wait " + minComplete
                    + ")", errno);
        }
    }

    /** Submits pending SQEs without waiting; runs deferred task work so completions get posted. */
    public int submit() throws NativeException {
        return enter(0, IoUring.IORING_ENTER_GETEVENTS, 0, 0);
    }

    /** CQEs posted and not yet consumed. */
    public int cqReady() {
        // Acquire: CQE contents written by the kernel are visible once we see the new tail.
        return (int) INT.getAcquire(cqRing, cqTailOff) - cqHead;
    }

    private long cqeBase(int i) {
        return cqesOff + (long) ((cqHead + i) & cqMask) * Cqe.SIZE;
    }

    /** user_data of the {@code i}-th ready CQE (0 = oldest). */
    public long cqeUserData(int i) {
        return cqRing.get(JAVA_LONG, cqeBase(i) + Cqe.USER_DATA);
    }

    /** res of the {@code i}-th ready CQE. */
    public int cqeRes(int i) {
        return cqRing.get(JAVA_INT, cqeBase(i) + Cqe.RES);
    }

    /** flags of the {@code i}-th ready CQE. */
    public int cqeFlags(int i) {
        return cqRing.get(JAVA_INT, cqeBase(i) + Cqe.FLAGS);
    }

    /** Marks {@code n} CQEs consumed. */
    public void cqAdvance(int n) {
        cqHead += n;
        // Release: our reads of these CQEs happen before the kernel may reuse their slots.
        INT.setRelease(cqRing, cqHeadOff, cqHead);
    }

    /** The SQ ring flags (IORING_SQ_*). */
    public int sqFlags() {
        // Acquire: the kernel sets CQ_OVERFLOW / TASKRUN / NEED_WAKEUP asynchronously.
        return (int) INT.getAcquire(sqRing, sqFlagsOff);
    }

    /** True if CQEs overflowed into the kernel's backlog (IORING_SQ_CQ_OVERFLOW). */
    public boolean cqOverflowed() {
        return (sqFlags() & IoUring.IORING_SQ_CQ_OVERFLOW) != 0;
    }

    /**
     * Flushes an overflowed CQ: enters with GETEVENTS so the kernel moves its backlog into the CQ
     * as space allows. Call after reaping. Counted.
     */
    public void flushOverflow() throws NativeException {
        overflowFlushes++;
        int r = enter(0, IoUring.IORING_ENTER_GETEVENTS, 0, 0);
        if (r < 0 && r != -Errno.EBUSY && r != -Errno.EAGAIN) {
            LOG.log(System.Logger.Level.DEBUG, "overflow flush returned {0}", r);
        }
    }

    /** CQEs the kernel dropped (cq_off.overflow; stays 0 with IORING_FEAT_NODROP). */
    public int cqDropped() {
        return (int) INT.getAcquire(cqRing, cqOverflowOff);
    }

    /** io_uring_enter calls made (owner thread's view). */
    public long enterCalls() {
        return enterCalls;
    }

    /** Overflow flushes performed. */
    public long overflowFlushes() {
        return overflowFlushes;
    }

    /** EINTR retries of io_uring_enter. */
    public long eintrRetries() {
        return eintrRetries;
    }

    /**
     * {@code io_uring_register}, throwing on failure.
     *
     * @return the kernel's non-negative result
     */
    public int register(String what, int opcode, long arg, int nrArgs) throws NativeException {
        if (closed) {
            throw new IllegalStateException("io_uring ring fd " + fd + " is closed");
        }
        int r = IoUring.register(Libc.errnoSlot(), fd, opcode, arg, nrArgs);
        if (r < 0) {
            throw new NativeException("io_uring_register(" + what + ")", -r);
        }
        return r;
    }

    /** {@code io_uring_register} returning {@code -errno} instead of throwing. */
    public int tryRegister(int opcode, long arg, int nrArgs) {
        if (closed) {
            throw new IllegalStateException("io_uring ring fd " + fd + " is closed");
        }
        return IoUring.register(Libc.errnoSlot(), fd, opcode, arg, nrArgs);
    }

    /** True once the ring fd is closed. */
    public boolean isClosed() {
        return closed;
    }

    /** True once the mappings are gone: every access then throws IllegalStateException. */
    public boolean isUnmapped() {
        return !mappings.scope().isAlive();
    }

    /**
     * Closes the ring fd, which makes the kernel cancel every request still in flight (in its own
     * time: the cancelled requests' completions may still be posted into the CQ afterwards, which
     * is why the mappings stay until {@link #unmap()}). Memory that requests referenced must be
     * freed only once their completions were seen. Idempotent.
     */
    public void closeFd() {
        if (closed) {
            return;
        }
        closed = true;
        MemorySegment slot = Libc.errnoSlot();
        if (Syscall.close(slot, fd) != 0) {
            LOG.log(System.Logger.Level.WARNING, "close(io_uring fd {0}): {1}", fd, Errno.describe(Libc.errno(slot)));
        }
    }

    /**
     * Unmaps the rings and SQEs (our view only; the kernel keeps its own reference to the pages
     * until the ring is gone). Any later access by any thread throws IllegalStateException. Call
     * after {@link #closeFd()}. Idempotent.
     */
    public void unmap() {
        if (mappings.scope().isAlive()) {
            mappings.close();
        }
    }

    /** {@link #closeFd()} then {@link #unmap()}. */
    @Override
    public void close() {
        closeFd();
        unmap();
    }

    @Override
    public String toString() {
        return "Ring[fd=" + fd + ", sq=" + sqEntries + ", cq=" + cqEntries + ", flags=0x"
                + Integer.toHexString(setupFlags) + ", features=0x" + Integer.toHexString(features) + "]";
    }
}
