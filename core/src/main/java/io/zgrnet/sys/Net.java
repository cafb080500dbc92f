package io.zgrnet.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Socket system calls (glibc wrappers, none variadic) and the constants they take.
 *
 * <p>Constants are the Linux values for x86-64 and arm64 (the generic ABI), from
 * {@code <bits/socket.h>}, {@code <asm-generic/socket.h>}, {@code <netinet/in.h>},
 * {@code <linux/udp.h>}, {@code <bits/socket_type.h>}; {@code SocketStructLayoutTest} compares each
 * with the compiler's value. Other architectures (mips, sparc, parisc, alpha) differ and are not
 * supported: {@link #isAvailable()} says so.
 *
 * <p>Each call returns the raw result ({@code -1} on failure) and leaves errno in the capture
 * segment passed first ({@link Libc#errnoSlot()}); callers decide what EAGAIN/EINTR mean. Calls are
 * thread-safe; the handles live in a holder class that links on first use.
 */
public final class Net {
    /** {@code AF_INET}. */
    public static final int AF_INET = 2;
    /** {@code AF_INET6}. */
    public static final int AF_INET6 = 10;
    /** {@code SOCK_DGRAM}. */
    public static final int SOCK_DGRAM = 2;
    /** {@code SOCK_NONBLOCK} (= {@code O_NONBLOCK}). */
    public static final int SOCK_NONBLOCK = 0x800;
    /** {@code SOCK_CLOEXEC} (= {@code O_CLOEXEC}). */
    public static final int SOCK_CLOEXEC = 0x80000;

    /** {@code SOL_SOCKET}. */
    public static final int SOL_SOCKET = 1;
    /** {@code SO_REUSEADDR}. */
    public static final int SO_REUSEADDR = 2;
    /** {@code SO_SNDBUF}. */
    public static final int SO_SNDBUF = 7;
    /** {@code SO_RCVBUF}. */
    public static final int SO_RCVBUF = 8;
    /** {@code SO_REUSEPORT}. */
    public static final int SO_REUSEPORT = 15;
    /** {@code SO_SNDBUFFORCE}: like SO_SNDBUF but past {@code net.core.wmem_max}; needs CAP_NET_ADMIN. */
    public static final int SO_SNDBUFFORCE = 32;
    /** {@code SO_RCVBUFFORCE}: like SO_RCVBUF but past {@code net.core.rmem_max}; needs CAP_NET_ADMIN. */
    public static final int SO_RCVBUFFORCE = 33;
    /** {@code SO_BUSY_POLL} (microseconds; raising it needs CAP_NET_ADMIN). */
    public static final int SO_BUSY_POLL = 46;

    /** {@code IPPROTO_UDP}. */
    public static final int IPPROTO_UDP = 17;
    /** {@code SOL_UDP} (= IPPROTO_UDP). */
    public static final int SOL_UDP = 17;
    /** {@code UDP_SEGMENT}: GSO segment size (send, cmsg or sockopt), Linux 4.18. */
    public static final int UDP_SEGMENT = 103;
    /** {@code UDP_GRO}: coalesced receive with a segment-size cmsg, Linux 5.0. */
    public static final int UDP_GRO = 104;
    /** {@code IPPROTO_IPV6}. */
    public static final int IPPROTO_IPV6 = 41;
    /** {@code IPV6_V6ONLY}. */
    public static final int IPV6_V6ONLY = 26;

    /** {@code MSG_TRUNC}: in recv flags, return the real datagram length; in msg_flags, "was truncated". */
    public static final int MSG_TRUNC = 0x20;
    /** {@code MSG_CTRUNC}: in msg_flags, "control data was cut short" (the buffer was too small). */
    public static final int MSG_CTRUNC = 0x08;
    /** {@code MSG_DONTWAIT}: this call does not block. */
    public static final int MSG_DONTWAIT = 0x40;
    /** {@code MSG_WAITFORONE}: recvmmsg blocks for the first datagram only. */
    public static final int MSG_WAITFORONE = 0x10000;

    private static final String UNAVAILABLE = computeUnavailability();

    private Net() {
    }

    /** Linked on first use, so that loading the constants never touches the linker. */
    private static final class Handles {
        static final MethodHandle SOCKET = Libc.downcall("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle BIND = Libc.downcall("bind",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle GETSOCKNAME = Libc.downcall("getsockname",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle SETSOCKOPT = Libc.downcall("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle GETSOCKOPT = Libc.downcall("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        // int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout)
        static final MethodHandle RECVMMSG = Libc.downcall("recvmmsg",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        // int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
        static final MethodHandle SENDMMSG = Libc.downcall("sendmmsg",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

        private Handles() {
        }
    }

    /**
     * True when this layer can run here: Linux on x86-64 or arm64 with the mmsg calls in libc.
     * Probed once; {@link #unavailabilityCause()} keeps the reason.
     */
    public static boolean isAvailable() {
        return UNAVAILABLE == null;
    }

    /** Why {@link #isAvailable()} is false, or null when it is true. */
    public static String unavailabilityCause() {
        return UNAVAILABLE;
    }

    private static String computeUnavailability() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "not Linux (os.name=" + os + ")";
        }
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            return "unsupported architecture " + arch + " (struct layouts and constants are for x86-64/arm64)";
        }
        for (String symbol : new String[] {"recvmmsg", "sendmmsg", "ppoll", "eventfd"}) {
            if (Libc.LOOKUP.find(symbol).isEmpty()) {
                return "libc has no " + symbol;
            }
        }
        return null;
    }

    /** {@code socket(domain, type, protocol)}: the new fd or -1. */
    public static int socket(MemorySegment errno, int domain, int type, int protocol) {
        if (Faults.take(FaultSite.SOCKET, errno) != 0) {
            return -1;
        }
        try {
            return (int) Handles.SOCKET.invokeExact(errno, domain, type, protocol);
        } catch (Throwable t) {
            throw new AssertionError("socket downcall failed", t);
        }
    }

    /** {@code bind(fd, addr, addrlen)}: 0 or -1. */
    public static int bind(MemorySegment errno, int fd, MemorySegment addr, int addrlen) {
        if (Faults.take(FaultSite.BIND, errno) != 0) {
            return -1;
        }
        try {
            return (int) Handles.BIND.invokeExact(errno, fd, addr, addrlen);
        } catch (Throwable t) {
            throw new AssertionError("bind downcall failed", t);
        }
    }

    /** {@code getsockname(fd, addr, addrlenInOut)}: 0 or -1; {@code addrlenInOut} is a u32. */
    public static int getsockname(MemorySegment errno, int fd, MemorySegment addr, MemorySegment addrlenInOut) {
        try {
            return (int) Handles.GETSOCKNAME.invokeExact(errno, fd, addr, addrlenInOut);
        } catch (Throwable t) {
            throw new AssertionError("getsockname downcall failed", t);
        }
    }

    /** {@code setsockopt(fd, level, name, value, valueLength)}: 0 or -1. */
    public static int setsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value,
                                 int valueLength) {
        if (Faults.take(FaultSite.SETSOCKOPT, errno) != 0) {
            return -1;
        }
        try {
            return (int) Handles.SETSOCKOPT.invokeExact(errno, fd, level, name, value, valueLength);
        } catch (Throwable t) {
            throw new AssertionError("setsockopt downcall failed", t);
        }
    }

    /** {@code getsockopt(fd, level, name, value, valueLengthInOut)}: 0 or -1. */
    public static int getsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value,
                                 MemorySegment valueLengthInOut) {
        try {
            return (int) Handles.GETSOCKOPT.invokeExact(errno, fd, level, name, value, valueLengthInOut);
        } catch (Throwable t) {
            throw new AssertionError("getsockopt downcall failed", t);
        }
    }

    /**
     * {@code recvmmsg(fd, vec, vlen, flags, timeout)}: the number of messages received or -1.
     * {@code timeout} is usually {@link MemorySegment#NULL} (its semantics are broken: it is only
     * checked after each datagram, see the man page's BUGS).
     */
    public static int recvmmsg(MemorySegment errno, int fd, MemorySegment vec, int vlen, int flags,
                               MemorySegment timeout) {
        if (Faults.take(FaultSite.RECVMMSG, errno) != 0) {
            return -1;
        }
        try {
            return (int) Handles.RECVMMSG.invokeExact(errno, fd, vec, vlen, flags, timeout);
        } catch (Throwable t) {
            throw new AssertionError("recvmmsg downcall failed", t);
        }
    }

    /** {@code sendmmsg(fd, vec, vlen, flags)}: the number of messages sent or -1 (error on the first). */
    public static int sendmmsg(MemorySegment errno, int fd, MemorySegment vec, int vlen, int flags) {
        if (Faults.take(FaultSite.SENDMMSG, errno) != 0) {
            return -1;
        }
        try {
            return (int) Handles.SENDMMSG.invokeExact(errno, fd, vec, vlen, flags);
        } catch (Throwable t) {
            throw new AssertionError("sendmmsg downcall failed", t);
        }
    }
}
