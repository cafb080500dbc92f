package io.zgrnet.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Raw system calls through libc's variadic {@code long syscall(long number, ...)}, plus the
 * memory-mapping and descriptor calls every backend needs.
 *
 * <p>Each method returns the raw result ({@code -1} on failure) and leaves errno in the caller's
 * {@link Libc#errnoSlot()}; {@code checked} variants throw {@link NativeException} instead.
 */
public final class Syscall {
    /** {@code PROT_READ | PROT_WRITE}. */
    public static final int PROT_READ_WRITE = 0x1 | 0x2;
    /** {@code MAP_SHARED}. */
    public static final int MAP_SHARED = 0x01;
    /** {@code MAP_PRIVATE}. */
    public static final int MAP_PRIVATE = 0x02;
    /** {@code MAP_ANONYMOUS}. */
    public static final int MAP_ANONYMOUS = 0x20;
    /** {@code MAP_NORESERVE}: no swap space reserved; pages exist once first touched. */
    public static final int MAP_NORESERVE = 0x4000;
    /** {@code MAP_POPULATE}: pre-fault the pages, so the ring's first use does not. */
    public static final int MAP_POPULATE = 0x8000;
    /** mmap's failure value. */
    public static final long MAP_FAILED = -1L;

    // syscall(long nr, ...): variadic after the first argument; all variadic args passed as long.
    private static final MethodHandle SYSCALL6 = Libc.downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                    JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle MMAP = Libc.downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Libc.downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = Libc.downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** glibc's {@code gettid()} (2.30+), linked on first use. */
    private static final class Gettid {
        static final MethodHandle GETTID = Libc.downcallNoErrno("gettid", FunctionDescriptor.of(JAVA_INT));

        private Gettid() {
        }
    }

    private Syscall() {
    }

    /** {@code syscall(nr, a1..a6)}: returns the kernel's result, or -1 with errno in {@code slot}. */
    public static long syscall(MemorySegment slot, long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            return (long) SYSCALL6.invokeExact(slot, nr, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall failed", t);
        }
    }

    /** {@code mmap}; returns the mapped address or {@link #MAP_FAILED}. */
    public static long mmap(MemorySegment slot, long addr, long length, int prot, int flags, int fd, long offset) {
        if (Faults.take(FaultSite.MMAP, slot) != 0) {
            return MAP_FAILED;
        }
        try {
            MemorySegment r = (MemorySegment) MMAP.invokeExact(slot, MemorySegment.ofAddress(addr), length, prot,
                    flags, fd, offset);
            return r.address();
        } catch (Throwable t) {
            throw new AssertionError("mmap downcall failed", t);
        }
    }

    /** {@code mmap} that throws; the returned segment has {@code length} bytes and global scope. */
    public static MemorySegment mmapChecked(String what, long length, int prot, int flags, int fd, long offset)
            throws NativeException {
        MemorySegment slot = Libc.errnoSlot();
        long address = mmap(slot, 0, length, prot, flags, fd, offset);
        if (address == MAP_FAILED) {
            throw new NativeException("mmap(" + what + ", " + length + " bytes)", Libc.errno(slot));
        }
        return MemorySegment.ofAddress(address).reinterpret(length);
    }

    /**
     * Anonymous private memory ({@code MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE}) whose pages the
     * kernel provides only when first touched: a buffer that is rarely filled to its end costs
     * address space, not memory. Zero-filled; unmapped when {@code arena} closes (so, like any
     * arena memory, only once nothing can use it any more).
     *
     * @param what names the buffer in the exception
     * @throws NativeException naming mmap and the errno (ENOMEM: address space or map count limit)
     */
    public static MemorySegment reserve(String what, long length, java.lang.foreign.Arena arena)
            throws NativeException {
        MemorySegment raw = mmapChecked(what, length, PROT_READ_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                -1, 0);
        long address = raw.address();
        return raw.reinterpret(length, arena, ignored -> munmap(Libc.errnoSlot(), address, length));
    }

    /** {@code munmap}; returns 0 or -1. */
    public static int munmap(MemorySegment slot, long addr, long length) {
        try {
            return (int) MUNMAP.invokeExact(slot, MemorySegment.ofAddress(addr), length);
        } catch (Throwable t) {
            throw new AssertionError("munmap downcall failed", t);
        }
    }

    /**
     * {@code gettid()}: the calling thread's kernel task id (what {@code /proc/self/task/} lists).
     * Cannot fail.
     */
    public static int gettid() {
        try {
            return (int) Gettid.GETTID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError("gettid downcall failed", t);
        }
    }

    /** {@code close}; returns 0 or -1. */
    public static int close(MemorySegment slot, int fd) {
        try {
            return (int) CLOSE.invokeExact(slot, fd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall failed", t);
        }
    }
}
