package io.zgrnet.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A non-blocking {@code eventfd(2)} used to wake a thread blocked in {@code poll}: any thread
 * {@link #signal()}s, the owner polls the fd for {@code POLLIN} and {@link #drain()}s it.
 *
 * <p>Concurrency: {@code signal} may be called from any thread (it writes a constant 8-byte value
 * from a buffer nobody modifies); {@code drain} only by the owner. {@link #close()} frees the fd and
 * the buffers; the owner must make sure no {@code signal} or {@code drain} runs concurrently with or
 * after it (backends guard this with their closed/in-use state), otherwise a recycled fd number
 * could be written to.
 */
public final class EventFd implements AutoCloseable {
    /** {@code EFD_SEMAPHORE}. */
    public static final int EFD_SEMAPHORE = 0x1;
    /** {@code EFD_NONBLOCK} (= {@code O_NONBLOCK}). */
    public static final int EFD_NONBLOCK = 0x800;
    /** {@code EFD_CLOEXEC} (= {@code O_CLOEXEC}). */
    public static final int EFD_CLOEXEC = 0x80000;

    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(EventFd.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final class Handles {
        static final MethodHandle EVENTFD = Libc.downcall("eventfd",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle READ = Libc.downcall("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
        static final MethodHandle WRITE = Libc.downcall("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

        private Handles() {
        }
    }

    private final int fd;
    private final Arena arena;
    private final MemorySegment one;
    private final MemorySegment drainBuffer;
    @SuppressWarnings("unused") private volatile boolean closed;

    private EventFd(int fd, Arena arena) {
        this.fd = fd;
        this.arena = arena;
        this.one = arena.allocate(JAVA_LONG);
        this.one.set(JAVA_LONG, 0, 1L);
        this.drainBuffer = arena.allocate(JAVA_LONG);
    }

    /** Creates an eventfd with counter 0, {@code EFD_NONBLOCK | EFD_CLOEXEC}. */
    public static EventFd open() throws NativeException {
        MemorySegment errno = Libc.errnoSlot();
        int fd;
        if (Faults.take(FaultSite.EVENTFD, errno) != 0) {
            throw new NativeException("eventfd(0, EFD_NONBLOCK|EFD_CLOEXEC)", Libc.errno(errno));
        }
        try {
            fd = (int) Handles.EVENTFD.invokeExact(errno, 0, EFD_NONBLOCK | EFD_CLOEXEC);
        } catch (Throwable t) {
            throw new AssertionError("eventfd downcall failed", t);
        }
        if (fd < 0) {
            throw new NativeException("eventfd(0, EFD_NONBLOCK|EFD_CLOEXEC)", Libc.errno(errno));
        }
        return new EventFd(fd, Arena.ofShared());
    }

    /** The descriptor, to poll for {@code POLLIN}. */
    public int fd() {
        return fd;
    }

    /**
     * Adds one to the counter, making the fd readable. Never blocks; a saturated counter (EAGAIN)
     * is already readable, so that is success too. Returns false only if the write failed otherwise.
     */
    public boolean signal() {
        if (closed) {
            return false;
        }
        MemorySegment errno = Libc.errnoSlot();
        long n;
        try {
            n = (long) Handles.WRITE.invokeExact(errno, fd, one, 8L);
        } catch (Throwable t) {
            throw new AssertionError("write downcall failed", t);
        }
        return n == 8 || Libc.errno(errno) == Errno.EAGAIN;
    }

    /** Resets the counter to 0 (owner only); returns true if it was signalled. */
    public boolean drain() {
        MemorySegment errno = Libc.errnoSlot();
        while (true) {
            long n;
            try {
                n = (long) Handles.READ.invokeExact(errno, fd, drainBuffer, 8L);
            } catch (Throwable t) {
                throw new AssertionError("read downcall failed", t);
            }
            if (n == 8) {
                return true;
            }
            if (Libc.errno(errno) != Errno.EINTR) {
                return false; // EAGAIN: counter already 0
            }
        }
    }

    /** Closes the fd and frees the buffers. Idempotent. */
    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, false, true)) {
            Syscall.close(Libc.errnoSlot(), fd);
            arena.close();
        }
    }
}
