package io.zgrnet.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.config.SocketOptions;
import io.zgrnet.sys.SocketOptionsReport;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class UdpSocketTest {
    private static final InetSocketAddress LOOPBACK4 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @BeforeEach
    void linuxOnly() {
        Assumptions.assumeTrue(Net.isAvailable(), () -> "native socket layer unavailable: " + Net.unavailabilityCause());
    }

    @Test
    void opensBindsAndReportsOptions() throws IOException {
        try (UdpSocket socket = UdpSocket.open(LOOPBACK4, SocketOptions.defaults())) {
            assertTrue(socket.fd() >= 0);
            assertEquals(Net.AF_INET, socket.family());
            assertEquals(InetAddress.getLoopbackAddress(), socket.localAddress().getAddress());
            assertNotEquals(0, socket.localAddress().getPort());
            SocketOptionsReport report = socket.report();
            SocketOptionsReport.Entry rcvbuf = entry(report, "SO_RCVBUF");
            assertTrue(rcvbuf.applied(), report::toString);
            // getsockopt reports at least the request when forced, or the sysctl cap doubled.
            assertTrue(Integer.parseInt(rcvbuf.actual().split(" ")[0]) > 0, rcvbuf::toString);
            assertEquals(socket.intOption(Net.SOL_SOCKET, Net.SO_RCVBUF) + "",
                    rcvbuf.actual().split(" ")[0]);
            SocketOptionsReport.Entry gro = entry(report, "UDP_GRO");
            assertEquals("on", gro.requested(), "UDP GRO is on by default");
            assertEquals(gro.applied() ? 1 : 0, socket.intOption(Net.SOL_UDP, Net.UDP_GRO), gro::toString);
        }
    }

    @Test
    void busyPollAndReusePortAreAppliedOrReportedWithErrno() throws IOException {
        SocketOptions options = SocketOptions.builder().busyPollMicros(50).reusePort(true).build();
        try (UdpSocket a = UdpSocket.open(LOOPBACK4, options);
             UdpSocket b = UdpSocket.open(a.localAddress(), options)) {
            assertEquals(a.localAddress(), b.localAddress(), "SO_REUSEPORT shares the port");
            SocketOptionsReport.Entry busy = entry(a.report(), "SO_BUSY_POLL");
            assertTrue(busy.applied() || busy.errno() == Errno.EPERM, busy::toString);
        }
    }

    @Test
    void bindConflictNamesTheAddressAndErrno() throws IOException {
        try (UdpSocket first = UdpSocket.open(LOOPBACK4, SocketOptions.defaults())) {
            NativeException e = assertThrows(NativeException.class,
                    () -> UdpSocket.open(first.localAddress(), SocketOptions.defaults()).close());
            assertEquals(Errno.EADDRINUSE, e.errno());
            assertTrue(e.getMessage().contains("127.0.0.1:" + first.localAddress().getPort()), e.getMessage());
            assertTrue(e.getMessage().contains("EADDRINUSE"), e.getMessage());
        }
    }

    @Test
    void ipv6WildcardIsDualStack() throws IOException {
        SocketOptions options = SocketOptions.builder().receiveBufferBytes(0).sendBufferBytes(0).build();
        UdpSocket socket;
        try {
            socket = UdpSocket.open(new InetSocketAddress(InetAddress.getByName("::"), 0), options);
        } catch (NativeException e) {
            Assumptions.abort("IPv6 unavailable: " + e.getMessage());
            return;
        }
        try (socket) {
            assertEquals(Net.AF_INET6, socket.family());
            assertEquals(0, socket.intOption(Net.IPPROTO_IPV6, Net.IPV6_V6ONLY));
            assertTrue(entry(socket.report(), "IPV6_V6ONLY").applied());
        }
    }

    @Test
    void invalidArgumentsNameTheArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UdpSocket.open(null, SocketOptions.defaults()));
        assertTrue(e.getMessage().contains("bind"));
        e = assertThrows(IllegalArgumentException.class, () -> UdpSocket.open(LOOPBACK4, null));
        assertTrue(e.getMessage().contains("options"));
    }

    @Test
    void closeReleasesTheDescriptor() throws IOException {
        UdpSocket.open(LOOPBACK4, SocketOptions.defaults()).close(); // warm up class loading
        long before = openFds();
        UdpSocket socket = UdpSocket.open(LOOPBACK4, SocketOptions.defaults());
        assertTrue(Files.exists(Path.of("/proc/self/fd/" + socket.fd())));
        socket.close();
        socket.close();
        assertTrue(socket.isClosed());
        assertEquals(before, openFds());
    }

    @Test
    void sockAddrRoundTripsAndComparesRawAddresses() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(64, 8);
            InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 51820);
            InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("fe80::1%1"), 443);
            assertEquals(16, SockAddr.write(a, 0, v4));
            assertEquals(28, SockAddr.write(a, 32, v6));
            assertEquals(v4, SockAddr.read(a, 0));
            assertEquals(v6.getAddress(), SockAddr.read(a, 32).getAddress());
            assertEquals(443, SockAddr.port(a, 32));
            assertEquals(Net.AF_INET6, SockAddr.family(a, 32));
            assertEquals(16, SockAddr.length(a, 0));
            assertEquals(28, SockAddr.length(a, 32));
            MemorySegment b = arena.allocate(32, 8);
            SockAddr.copy(a, 32, b, 0);
            assertTrue(SockAddr.equals(a, 32, b, 0));
            assertFalse(SockAddr.equals(a, 0, b, 0));
            SockAddr.write(b, 0, new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 51821));
            assertFalse(SockAddr.equals(a, 0, b, 0), "different port");
            SockAddr.write(b, 0, v4);
            assertTrue(SockAddr.equals(a, 0, b, 0));
            // An IPv4-mapped IPv6 source reads back as the IPv4 address.
            SockAddr.write(b, 0, new InetSocketAddress(InetAddress.getByName("::1"), 7));
            b.set(java.lang.foreign.ValueLayout.JAVA_LONG, SockaddrIn6.SIN6_ADDR, 0);
            b.set(java.lang.foreign.ValueLayout.JAVA_INT, SockaddrIn6.SIN6_ADDR + 8, 0xffff0000);
            b.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN),
                    SockaddrIn6.SIN6_ADDR + 12, 0x7f000001);
            assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 7), SockAddr.read(b, 0));
            assertEquals("[0:0:0:0:0:0:0:1]:9", SockAddr.format(new InetSocketAddress(InetAddress.getByName("::1"), 9)));
        }
    }

    @Test
    void kernelProbeParsesTheRelease() {
        KernelProbe.KernelInfo k = KernelProbe.kernel();
        assertTrue(k.isLinux(), k::toString);
        assertTrue(k.major() >= 3, k::toString);
        assertEquals(System.getProperty("os.version"), k.release());
        KernelProbe.KernelInfo parsed = KernelProbe.parse("Linux", "6.8.0-45-generic", "x86_64");
        assertEquals(6, parsed.major());
        assertEquals(8, parsed.minor());
        assertTrue(parsed.atLeast(6, 1));
        assertTrue(parsed.atLeast(5, 19));
        assertFalse(parsed.atLeast(6, 9));
        assertEquals(0, KernelProbe.parse("Linux", "weird", "x").major());
    }

    @Test
    void eventFdSignalsAndDrains() throws IOException {
        try (EventFd e = EventFd.open()) {
            assertFalse(e.drain());
            assertTrue(e.signal());
            assertTrue(e.signal());
            assertTrue(e.drain());
            assertFalse(e.drain());
        }
    }

    static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static SocketOptionsReport.Entry entry(SocketOptionsReport report, String option) {
        return report.entries().stream().filter(e -> e.option().equals(option)).findFirst()
                .orElseThrow(() -> new AssertionError(option + " missing from " + report));
    }
}
