package io.zgrnet.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.zgrnet.config.SocketOptions;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One bound UDP socket file descriptor, opened and configured through FFM.
 *
 * <p>The socket is blocking ({@code SOCK_CLOEXEC}, no {@code SOCK_NONBLOCK}): backends ask for
 * non-blocking behaviour per call with {@code MSG_DONTWAIT} and wait in {@code poll}, and io_uring
 * can use the same fd. Options are applied before {@code bind} (SO_REUSEPORT must be, to share a
 * port); each option's outcome, including the buffer sizes the kernel really gave, is in
 * {@link #report()}.
 *
 * <p>IPv6: a socket bound to the IPv6 wildcard {@code ::} gets {@code IPV6_V6ONLY=0} explicitly
 * (not left to {@code net.ipv6.bindv6only}), so one socket serves both families, IPv4 peers
 * appearing as IPv4-mapped addresses. A socket bound to a specific IPv6 address cannot see IPv4
 * traffic either way, so the option is left alone there.
 *
 * <p>Concurrency: the fd may be used from several threads; {@link #close()} is idempotent and
 * thread-safe, but whoever owns the socket must make sure no other thread is still using (or
 * about to use) the fd when it closes it, since Linux reuses fd numbers at once and a blocked
 * {@code recvmmsg} is not woken by {@code close}.
 */
public final class UdpSocket implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UdpSocket.class.getName());
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(UdpSocket.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    private final int family;
    private final InetSocketAddress localAddress;
    private final SocketOptionsReport report;
    @SuppressWarnings("unused") private volatile boolean closed;

    private UdpSocket(int fd, int family, InetSocketAddress localAddress, SocketOptionsReport report) {
        this.fd = fd;
        this.family = family;
        this.localAddress = localAddress;
        this.report = report;
    }

    /**
     * Opens a UDP socket, applies {@code options} and binds it.
     *
     * @param bind where to bind (port 0 for an ephemeral port); IPv4 or IPv6
     * @param options the socket options (refused ones are reported, not fatal)
     * @throws IllegalArgumentException if an argument is null or {@code bind} is unresolved
     * @throws NativeException if socket or bind fail (the message names the address, e.g.
     *         "bind(127.0.0.1:5000) failed: EADDRINUSE (address already in use)")
     * @throws IOException if this platform has no native socket layer ({@link Net#isAvailable()})
     */
    public static UdpSocket open(InetSocketAddress bind, SocketOptions options) throws IOException {
        if (bind == null) {
            throw new IllegalArgumentException("bind must not be null");
        }
        if (bind.isUnresolved()) {
            throw new IllegalArgumentException("bind is unresolved: " + bind);
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        if (!Net.isAvailable()) {
            throw new IOException("native UDP sockets unavailable: " + Net.unavailabilityCause());
        }
        boolean v6 = bind.getAddress() instanceof Inet6Address;
        int family = v6 ? Net.AF_INET6 : Net.AF_INET;
        MemorySegment errno = Libc.errnoSlot();
        int fd = Net.socket(errno, family, Net.SOCK_DGRAM | Net.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new NativeException("socket(" + (v6 ? "AF_INET6" : "AF_INET") + ", SOCK_DGRAM)",
                    Libc.errno(errno));
        }
        boolean ok = false;
        try (Arena arena = Arena.ofConfined()) {
            Options o = new Options(fd, arena);
            List<SocketOptionsReport.Entry> entries = new ArrayList<>();
            if (v6 && bind.getAddress().isAnyLocalAddress()) {
                entries.add(o.set("IPV6_V6ONLY", Net.IPPROTO_IPV6, Net.IPV6_V6ONLY, 0, "0 (dual stack)"));
            }
            if (options.receiveBufferBytes() > 0) {
                entries.add(o.buffer("SO_RCVBUF", Net.SO_RCVBUFFORCE, Net.SO_RCVBUF, options.receiveBufferBytes(),
                        "net.core.rmem_max"));
            }
            if (options.sendBufferBytes() > 0) {
                entries.add(o.buffer("SO_SNDBUF", Net.SO_SNDBUFFORCE, Net.SO_SNDBUF, options.sendBufferBytes(),
                        "net.core.wmem_max"));
            }
            if (options.reusePort()) {
                entries.add(o.set("SO_REUSEPORT", Net.SOL_SOCKET, Net.SO_REUSEPORT, 1, "1"));
            }
            if (options.busyPollMicros() > 0) {
                // EPERM without CAP_NET_ADMIN when raising it above net.core.busy_poll: reported, tolerated.
                entries.add(o.set("SO_BUSY_POLL", Net.SOL_SOCKET, Net.SO_BUSY_POLL, options.busyPollMicros(),
                        options.busyPollMicros() + " us"));
            }
            if (options.udpGro()) {
                entries.add(o.set("UDP_GRO", Net.SOL_UDP, Net.UDP_GRO, 1, "on"));
            } else {
                entries.add(new SocketOptionsReport.Entry("UDP_GRO", "off", "not set (kernel default off)", 0));
            }

            MemorySegment address = arena.allocate(SockAddr.MAX_SIZE, 8);
            int length = SockAddr.write(address, 0, bind);
            if (Net.bind(errno, fd, address, length) != 0) {
                throw new BindFailedException(SockAddr.format(bind), Libc.errno(errno));
            }
            MemorySegment lengthInOut = arena.allocate(JAVA_INT);
            address.fill((byte) 0);
            lengthInOut.set(JAVA_INT, 0, SockAddr.MAX_SIZE);
            if (Net.getsockname(errno, fd, address, lengthInOut) != 0) {
                throw new NativeException("getsockname(" + SockAddr.format(bind) + ")", Libc.errno(errno));
            }
            InetSocketAddress local = SockAddr.read(address, 0);
            SocketOptionsReport report = new SocketOptionsReport(entries);
            for (SocketOptionsReport.Entry e : entries) {
                if (!e.applied()) {
                    LOG.log(System.Logger.Level.INFO, "socket {0}: {1}", SockAddr.format(local), e);
                }
            }
            ok = true;
            return new UdpSocket(fd, family, local, report);
        } finally {
            if (!ok) {
                Syscall.close(Libc.errnoSlot(), fd);
            }
        }
    }

    /** Applies and reads back options during open. */
    private record Options(int fd, Arena arena) {
        SocketOptionsReport.Entry set(String name, int level, int option, int value, String requested) {
            MemorySegment errno = Libc.errnoSlot();
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            if (Net.setsockopt(errno, fd, level, option, v, 4) != 0) {
                return new SocketOptionsReport.Entry(name, requested, null, Libc.errno(errno));
            }
            int actual = get(level, option);
            return new SocketOptionsReport.Entry(name, requested, actual < 0 ? null : Integer.toString(actual), 0);
        }

        /** SO_*BUFFORCE first (root can exceed the sysctl cap), then the capped option. */
        SocketOptionsReport.Entry buffer(String name, int forceOption, int option, int bytes, String cap) {
            MemorySegment errno = Libc.errnoSlot();
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, bytes);
            String how;
            if (Net.setsockopt(errno, fd, Net.SOL_SOCKET, forceOption, v, 4) == 0) {
                how = "via " + name + "FORCE";
            } else if (Net.setsockopt(errno, fd, Net.SOL_SOCKET, option, v, 4) == 0) {
                how = "capped by " + cap;
            } else {
                return new SocketOptionsReport.Entry(name, Integer.toString(bytes), null, Libc.errno(errno));
            }
            int actual = get(Net.SOL_SOCKET, option);
            // The kernel doubles the request for its bookkeeping and reports the doubled value.
            return new SocketOptionsReport.Entry(name, Integer.toString(bytes),
                    actual + " bytes (getsockopt; the kernel doubles the request), " + how, 0);
        }

        int get(int level, int option) {
            MemorySegment errno = Libc.errnoSlot();
            MemorySegment v = arena.allocate(JAVA_INT);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 4);
            return Net.getsockopt(errno, fd, level, option, v, len) == 0 ? v.get(JAVA_INT, 0) : -1;
        }
    }

    /** The file descriptor. Valid until {@link #close()}. */
    public int fd() {
        return fd;
    }

    /** {@link Net#AF_INET} or {@link Net#AF_INET6}. */
    public int family() {
        return family;
    }

    /** The bound address, with the real port (from getsockname). */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** What became of each socket option. */
    public SocketOptionsReport report() {
        return report;
    }

    /** {@code getsockopt} of an int option (not for the packet path: allocates). */
    public int intOption(int level, int option) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoSlot();
            MemorySegment v = arena.allocate(JAVA_INT);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 4);
            if (Net.getsockopt(errno, fd, level, option, v, len) != 0) {
                throw new NativeException("getsockopt(" + level + ", " + option + ")", Libc.errno(errno));
            }
            return v.get(JAVA_INT, 0);
        }
    }

    /** {@code setsockopt} of an int option (not for the packet path: allocates). */
    public void intOption(int level, int option, int value) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoSlot();
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            if (Net.setsockopt(errno, fd, level, option, v, 4) != 0) {
                throw new NativeException("setsockopt(" + level + ", " + option + ", " + value + ")",
                        Libc.errno(errno));
            }
        }
    }

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the fd. Idempotent. */
    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, false, true)) {
            MemorySegment errno = Libc.errnoSlot();
            if (Syscall.close(errno, fd) != 0 && Libc.errno(errno) != Errno.EINTR) {
                LOG.log(System.Logger.Level.WARNING, "close(fd {0}) failed: {1}", fd,
                        Errno.describe(Libc.errno(errno)));
            }
        }
    }

    @Override
    public String toString() {
        return "UdpSocket[fd=" + fd + ", " + SockAddr.format(localAddress) + "]";
    }
}
