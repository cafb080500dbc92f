package io.zgrnet.cli.bench;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zgrnet.sys.Libc;
import io.zgrnet.sys.Syscall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Pins the calling thread to one CPU (sched_setaffinity on the thread itself), best effort. */
public final class Affinity {
    /** {@code __NR_sched_setaffinity} on x86-64. */
    private static final long NR_SCHED_SETAFFINITY = 203;

    private Affinity() {
    }

    /** Returns true if the calling thread now runs only on {@code cpu}; false (unpinned) otherwise. */
    public static boolean pin(int cpu) {
        if (cpu < 0 || cpu >= 64 || !"amd64".equals(System.getProperty("os.arch"))) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(8, 8);
            mask.set(JAVA_LONG, 0, 1L << cpu);
            return Syscall.syscall(Libc.errnoSlot(), NR_SCHED_SETAFFINITY, 0, 8, mask.address(), 0, 0, 0) == 0;
        }
    }
}
