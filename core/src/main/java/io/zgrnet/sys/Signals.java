package io.zgrnet.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code kill(2)}: sends a signal to a process. The JDK can only terminate processes
 * ({@link ProcessHandle#destroy()} sends SIGTERM); tools such as {@code zgrnet bench} also need to
 * ask a child for a report (SIGUSR1) without ending it.
 */
public final class Signals {
    /** {@code SIGUSR1} on Linux. */
    public static final int SIGUSR1 = 10;
    /** {@code SIGTERM} on Linux. */
    public static final int SIGTERM = 15;

    private static final class Handles {
        static final MethodHandle KILL = Libc.downcall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

        private Handles() {
        }
    }

    private Signals() {
    }

    /**
     * Sends {@code signal} to process {@code pid}.
     *
     * @throws IllegalArgumentException if {@code pid} is not positive (0 and negative values address
     *     process groups, which this method refuses to do)
     * @throws NativeException with the errno of a refused call (ESRCH: no such process, EPERM)
     */
    public static void kill(long pid, int signal) throws NativeException {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pid must be a positive process id, got " + pid);
        }
        MemorySegment errno = Libc.errnoSlot();
        int r;
        try {
            r = (int) Handles.KILL.invokeExact(errno, (int) pid, signal);
        } catch (Throwable t) {
            throw new AssertionError("kill downcall failed", t);
        }
        if (r != 0) {
            throw new NativeException("kill(" + pid + ", " + signal + ")", Libc.errno(errno));
        }
    }
}
