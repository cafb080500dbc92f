package io.zgrnet.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code poll}/{@code ppoll} over {@link Pollfd} arrays, and the event bits from
 * {@code <asm-generic/poll.h>}. Returns raw results; errno in the capture segment.
 */
public final class Poll {
    /** {@code POLLIN}: readable. */
    public static final short POLLIN = 0x1;
    /** {@code POLLOUT}: writable. */
    public static final short POLLOUT = 0x4;
    /** {@code POLLERR}. */
    public static final short POLLERR = 0x8;
    /** {@code POLLHUP}. */
    public static final short POLLHUP = 0x10;
    /** {@code POLLNVAL}: the fd is not open. */
    public static final short POLLNVAL = 0x20;

    private Poll() {
    }

    private static final class Handles {
        // int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms)
        static final MethodHandle POLL = Libc.downcall("poll",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        // int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo, const sigset_t *sigmask)
        static final MethodHandle PPOLL = Libc.downcall("ppoll",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));

        private Handles() {
        }
    }

    /** {@code poll(fds, nfds, timeoutMs)}: number of ready fds, 0 on timeout, -1 on error. */
    public static int poll(MemorySegment errno, MemorySegment fds, long nfds, int timeoutMs) {
        if (Faults.take(FaultSite.POLL, errno) != 0) {
            return -1;
        }
        try {
            return (int) Handles.POLL.invokeExact(errno, fds, nfds, timeoutMs);
        } catch (Throwable t) {
            throw new AssertionError("poll downcall failed", t);
        }
    }

    /**
     * {@code ppoll(fds, nfds, timeout, NULL)} with nanosecond precision; {@code timeout} is a
     * {@link Timespec} or {@link MemorySegment#NULL} to wait without limit.
     */
    public static int ppoll(MemorySegment errno, MemorySegment fds, long nfds, MemorySegment timeout) {
        if (Faults.take(FaultSite.POLL, errno) != 0) {
            return -1;
        }
        try {
            return (int) Handles.PPOLL.invokeExact(errno, fds, nfds, timeout, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new AssertionError("ppoll downcall failed", t);
        }
    }
}
