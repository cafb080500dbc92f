package io.zgrnet.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs test code in a network namespace of its own, on a thread that {@code unshare(CLONE_NEWNET)}
 * moved there, with its loopback up at a chosen MTU: routes and MTUs a test may change without
 * touching the host. Sockets keep the namespace they were created in, so the body creates its
 * sockets itself; the namespace goes away with the thread and the last socket.
 *
 * <p>Needs CAP_SYS_ADMIN (root in CI); {@link #unavailabilityCause()} says why not otherwise.
 */
public final class PrivateNetns {
    private static final int CLONE_NEWNET = 0x40000000;
    // <linux/sockios.h>
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCSIFMTU = 0x8922;
    private static final short IFF_UP = 0x1;
    // struct ifreq (<net/if.h>): char ifr_name[16], then a union (short ifr_flags, int ifr_mtu); 40 bytes
    private static final int IFREQ_SIZE = 40;
    private static final int IFR_UNION = 16;

    private static final MethodHandle UNSHARE = Libc.downcall("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETTID = Libc.downcallNoErrno("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle IOCTL = Libc.downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));

    /** A test body that may throw. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private PrivateNetns() {
    }

    /** Why no private namespace can be made here (probing in one), or null. */
    public static String unavailabilityCause() {
        AtomicReference<String> cause = new AtomicReference<>();
        Thread t = Thread.ofPlatform().unstarted(() -> {
            MemorySegment errno = Libc.errnoSlot();
            if (unshare(errno) != 0) {
                cause.set("unshare(CLONE_NEWNET): " + Errno.describe(Libc.errno(errno)));
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return cause.get();
    }

    /** Runs {@code body} on a new thread in a new network namespace whose {@code lo} is up at {@code mtu}. */
    public static void run(int mtu, Body body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("private-netns").unstarted(() -> {
            try {
                MemorySegment errno = Libc.errnoSlot();
                if (unshare(errno) != 0) {
                    throw new NativeException("unshare(CLONE_NEWNET)", Libc.errno(errno));
                }
                loopbackUp(mtu);
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        Throwable e = failure.get();
        if (e instanceof Exception x) {
            throw x;
        }
        if (e instanceof Error x) {
            throw x;
        }
    }

    /**
     * From inside {@link #run}'s body: gives the local address {@code address} (in 127.0.0.0/8) a
     * route of its own with path MTU {@code mtu}, through {@code nsenter ... ip route}. Returns
     * why it could not (no nsenter or ip here, or ip failed), or null.
     */
    public static String routeMtu(String address, int mtu) throws InterruptedException {
        int tid;
        try {
            tid = (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError("gettid downcall failed", t);
        }
        String ns = "--net=/proc/" + ProcessHandle.current().pid() + "/task/" + tid + "/ns/net";
        try {
            Process p = new ProcessBuilder("nsenter", ns, "ip", "route", "replace", "local", address + "/32", "dev", "lo",
                    "table", "local", "mtu", Integer.toString(mtu)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? null : "ip route: " + out;
        } catch (java.io.IOException e) {
            return "nsenter/ip unavailable: " + e.getMessage();
        }
    }

    private static int unshare(MemorySegment errno) {
        try {
            return (int) UNSHARE.invokeExact(errno, CLONE_NEWNET);
        } catch (Throwable t) {
            throw new AssertionError("unshare downcall failed", t);
        }
    }

    private static void loopbackUp(int mtu) throws NativeException {
        MemorySegment errno = Libc.errnoSlot();
        int fd = Net.socket(errno, Net.AF_INET, Net.SOCK_DGRAM, 0);
        if (fd < 0) {
            throw new NativeException("socket", Libc.errno(errno));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IFREQ_SIZE, 8);
            ifr.copyFrom(MemorySegment.ofArray("lo\0".getBytes(StandardCharsets.US_ASCII)));
            ioctl(fd, SIOCGIFFLAGS, ifr, "SIOCGIFFLAGS lo");
            ifr.set(JAVA_SHORT, IFR_UNION, (short) (ifr.get(JAVA_SHORT, IFR_UNION) | IFF_UP));
            ioctl(fd, SIOCSIFFLAGS, ifr, "SIOCSIFFLAGS lo up");
            ifr.set(JAVA_INT, IFR_UNION, mtu);
            ioctl(fd, SIOCSIFMTU, ifr, "SIOCSIFMTU lo " + mtu);
        } finally {
            Syscall.close(Libc.errnoSlot(), fd);
        }
    }

    private static void ioctl(int fd, long request, MemorySegment ifr, String what) throws NativeException {
        MemorySegment errno = Libc.errnoSlot();
        int r;
        try {
            r = (int) IOCTL.invokeExact(errno, fd, request, ifr);
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall failed", t);
        }
        if (r != 0) {
            throw new NativeException("ioctl(" + what + ")", Libc.errno(errno));
        }
    }
}
