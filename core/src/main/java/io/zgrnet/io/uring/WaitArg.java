package io.zgrnet.io.uring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zgrnet.sys.GeteventsArg;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A preallocated {@code io_uring_getevents_arg} and its {@code __kernel_timespec}, for timed waits
 * with {@code IORING_ENTER_EXT_ARG} (kernel 5.11). Rewritten before each wait: no allocation per
 * call.
 *
 * <p>Concurrency: owned by the ring's owner thread; its memory is freed by {@link #close()} after
 * the ring is closed (the kernel reads it only during io_uring_enter).
 */
final class WaitArg implements AutoCloseable {
    /** Signal-set size the kernel expects in sigmask_sz (_NSIG / 8). */
    private static final int KERNEL_SIGSET_BYTES = 8;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment arg = arena.allocate(GeteventsArg.SIZE + GeteventsArg.TIMESPEC_SIZE, 8);

    WaitArg() {
        arg.set(JAVA_LONG, GeteventsArg.SIGMASK, 0L);
        arg.set(JAVA_INT, GeteventsArg.SIGMASK_SZ, KERNEL_SIGSET_BYTES);
    }

    /**
     * Points the argument at a relative timeout.
     *
     * @param timeoutNanos the timeout; negative = wait without a timeout
     * @return the argument's address for io_uring_enter
     */
    long address(long timeoutNanos) {
        if (timeoutNanos < 0) {
            arg.set(JAVA_LONG, GeteventsArg.TS, 0L);
        } else {
            long ts = GeteventsArg.SIZE;
            arg.set(JAVA_LONG, ts + GeteventsArg.TV_SEC, timeoutNanos / 1_000_000_000L);
            arg.set(JAVA_LONG, ts + GeteventsArg.TV_NSEC, timeoutNanos % 1_000_000_000L);
            arg.set(JAVA_LONG, GeteventsArg.TS, arg.address() + ts);
        }
        return arg.address();
    }

    /** The argument's size for io_uring_enter. */
    long size() {
        return GeteventsArg.SIZE;
    }

    @Override
    public void close() {
        arena.close();
    }
}
