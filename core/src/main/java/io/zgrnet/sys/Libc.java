package io.zgrnet.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The one place that creates libc downcall handles ({@link Sodium} links libsodium the same way,
 * in this package). Every handle captures {@code errno} through
 * {@link Linker.Option#captureCallState}, so errno is read right at the binding boundary, never
 * later and never guessed.
 *
 * <p>Calls take the calling thread's capture segment ({@link #errnoSlot()}) as their first argument.
 */
public final class Libc {
    /** The native linker for this platform. */
    public static final Linker LINKER = Linker.nativeLinker();
    /** libc's symbols (the linker's default lookup). */
    public static final SymbolLookup LOOKUP = LINKER.defaultLookup();

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /*
     * One capture segment per thread, allocated once per thread (an auto arena, freed with the
     * thread's last reference): the hot path never allocates for errno.
     */
    private static final ThreadLocal<MemorySegment> SLOT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private Libc() {
    }

    /** The calling thread's errno capture segment; pass it as the first argument of every call. */
    public static MemorySegment errnoSlot() {
        return SLOT.get();
    }

    /** The errno captured by the last call that used {@code slot}. */
    public static int errno(MemorySegment slot) {
        return (int) ERRNO.get(slot, 0L);
    }

    /** Stores {@code errno} in a capture segment, as a failed downcall would (fault injection). */
    static void setErrno(MemorySegment slot, int errno) {
        ERRNO.set(slot, 0L, errno);
    }

    /** A downcall handle for libc function {@code name} that captures errno. */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        MemorySegment symbol = LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name));
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** A downcall handle without errno capture, for calls that cannot fail (e.g. getpid). */
    public static MethodHandle downcallNoErrno(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    /** Size of a C {@code long} and of pointers: this layer supports only LP64 Linux. */
    static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
}
