package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.config.SocketOptions;
import io.zgrnet.io.PacketPool;
import io.zgrnet.io.UdpLimits;
import io.zgrnet.sys.RecvmsgOut;
import io.zgrnet.wire.TransportHeader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole-message datagrams between two transports, on every backend, over IPv4 and IPv6:
 * {@link UDP#maxPayload()} is true (exactly that many bytes arrive, one more is refused with an
 * exception that names both numbers), the sizes applications send whole arrive intact both ways,
 * and small and large messages mix in order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LargeDatagramTransportTest {
    static java.util.stream.Stream<Arguments> backendsAndFamilies() {
        java.util.List<Arguments> out = new java.util.ArrayList<>();
        for (IOMode mode : new IOMode[] {IOMode.NIO, IOMode.MMSG, IOMode.URING}) {
            for (boolean gro : new boolean[] {true, false}) {
                if (mode == IOMode.NIO && gro) {
                    continue; // NIO has no GRO
                }
                out.add(Arguments.of(mode, gro, false));
                out.add(Arguments.of(mode, gro, true));
            }
        }
        return out.stream();
    }

    private static InetSocketAddress bind(boolean v6) throws IOException {
        return new InetSocketAddress(v6 ? InetAddress.getByName("::1") : InetAddress.getLoopbackAddress(), 0);
    }

    private static void assumeIpv6(boolean v6) {
        if (!v6) {
            return;
        }
        try (java.nio.channels.DatagramChannel c =
                     java.nio.channels.DatagramChannel.open(java.net.StandardProtocolFamily.INET6)) {
            c.bind(bind(true));
        } catch (IOException | UnsupportedOperationException e) {
            Assumptions.abort("no IPv6 loopback here: " + e);
        }
    }

    private static UDP open(IOMode mode, boolean gro, boolean v6, int largeSlots) throws IOException {
        return UDP.open(config(mode).bindAddress(bind(v6)).largeSlots(largeSlots)
                .socketOptions(SocketOptions.defaults().withUdpGro(gro)).build());
    }

    private static void connect(UDP a, UDP b) throws Exception {
        a.setPeerEndpoint(b.hostInfo().publicKey(), b.hostInfo().localAddress());
        b.setPeerEndpoint(a.hostInfo().publicKey(), a.hostInfo().localAddress());
        a.connect(b.hostInfo().publicKey(), Duration.ofSeconds(10));
    }

    private static byte[] payload(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 131 + i * 7 + (i >> 8));
        }
        return b;
    }

    /** Sends {@code data} from a to b (retrying while a send is refused) and checks what arrives. */
    private static void roundTrip(UDP from, UDP to, byte[] data, byte[] buf)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!from.writeTo(to.hostInfo().publicKey(), 129, data)) {
            assertTrue(System.nanoTime() - deadline < 0, "writeTo kept refusing: " + from.stats());
            Thread.sleep(1);
        }
        Message m = to.readFrom(buf, Duration.ofSeconds(10));
        assertNotNull(m, data.length + " B did not arrive; sender " + from.stats() + "; receiver " + to.stats()
                + " " + to.ioInfo().counters());
        assertEquals(from.hostInfo().publicKey(), m.sender());
        assertEquals(129, m.protocol());
        assertEquals(data.length, m.length(), "payload length");
        assertFalse(m.truncated());
        assertArrayEquals(data, Arrays.copyOf(buf, m.length()), data.length + " B byte for byte");
    }

    @ParameterizedTest(name = "{0} gro={1} ipv6={2}")
    @MethodSource("backendsAndFamilies")
    void maxPayloadIsTrueAndWholeMessagesArriveBothWays(IOMode mode, boolean gro, boolean v6) throws Exception {
        BackendAssumptions.assumeAvailable(mode);
        assumeIpv6(v6);
        try (UDP a = open(mode, gro, v6, TransportConfig.DEFAULT_LARGE_SLOTS);
             UDP b = open(mode, gro, v6, TransportConfig.DEFAULT_LARGE_SLOTS)) {
            int expected = (v6 ? UdpLimits.MAX_IPV6_PAYLOAD : UdpLimits.MAX_IPV4_PAYLOAD) - TransportHeader.OVERHEAD;
            assertEquals(expected, a.maxPayload(), "UDP's limit less zgrnet's 30 bytes");
            connect(a, b);
            byte[] buf = new byte[65536];
            for (int size : new int[] {2018, 2019, 4000, 16384, 60000, expected}) {
                roundTrip(a, b, payload(size, size), buf);
                roundTrip(b, a, payload(size, size + 1), buf);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> a.writeTo(b.hostInfo().publicKey(), new byte[expected + 1]));
            assertTrue(e.getMessage().startsWith("data: " + (expected + 1) + " bytes"), e.getMessage());
            assertTrue(e.getMessage().contains(String.valueOf(expected)), e.getMessage());
            assertEquals(0, b.stats().get(TransportCounter.DROP_DECRYPT_FAILED));
        }
    }

    /** Small and large messages interleaved arrive in order, every one of them. */
    @ParameterizedTest(name = "{0} gro={1} ipv6={2}")
    @MethodSource("backendsAndFamilies")
    void smallAndLargeMessagesMixInOrder(IOMode mode, boolean gro, boolean v6) throws Exception {
        BackendAssumptions.assumeAvailable(mode);
        assumeIpv6(v6);
        try (UDP a = open(mode, gro, v6, TransportConfig.DEFAULT_LARGE_SLOTS);
             UDP b = open(mode, gro, v6, TransportConfig.DEFAULT_LARGE_SLOTS)) {
            connect(a, b);
            byte[] buf = new byte[65536];
            int[] sizes = {100, 9000, 100, 100, 30000, 1400, 2019, 100};
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < sizes.length; i++) {
                    byte[] p = payload(sizes[i], i + round * 10);
                    p[0] = (byte) i;
                    assertTrue(a.writeTo(b.hostInfo().publicKey(), p));
                }
                for (int i = 0; i < sizes.length; i++) {
                    Message m = b.readFrom(buf, Duration.ofSeconds(10));
                    assertNotNull(m, "message " + i + " of round " + round + "; " + b.stats() + " "
                            + b.ioInfo().counters());
                    assertEquals(i, buf[0], "in order");
                    byte[] want = payload(sizes[i], i + round * 10);
                    want[0] = (byte) i;
                    assertArrayEquals(want, Arrays.copyOf(buf, m.length()));
                }
            }
        }
        // (close() checked every slot, large ones included, came back: outstandingSlots below)
    }

    /**
     * Without large slots the slot is the limit, and maxPayload() says exactly where: 2,018 bytes
     * with 2,048-byte slots on every backend (NIO used to drop datagrams that filled a slot), and
     * 48 bytes less on io_uring's zero-copy multishot ring, whose slots start with the kernel's header.
     */
    @ParameterizedTest(name = "{0} gro={1} ipv6={2}")
    @MethodSource("backendsAndFamilies")
    void withoutLargeSlotsMaxPayloadIsTheSlotsAndIsTrue(IOMode mode, boolean gro, boolean v6) throws Exception {
        BackendAssumptions.assumeAvailable(mode);
        assumeIpv6(v6);
        try (UDP a = open(mode, gro, v6, 0); UDP b = open(mode, gro, v6, 0)) {
            int max = a.maxPayload();
            boolean zeroCopyRing = a.ioInfo().backend().equals("uring-multishot") && !gro;
            int slot = PacketPool.DEFAULT_SLOT_SIZE;
            int ringHeader = RecvmsgOut.SIZE + PacketPool.ADDRESS_SIZE; // 48
            assertEquals((zeroCopyRing ? slot - ringHeader : slot) - TransportHeader.OVERHEAD, max,
                    a.ioInfo().backend());
            connect(a, b);
            byte[] buf = new byte[4096];
            for (int i = 0; i < 20; i++) {
                roundTrip(a, b, payload(max, i), buf);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> a.writeTo(b.hostInfo().publicKey(), new byte[max + 1]));
            assertTrue(e.getMessage().contains("no large slots") || e.getMessage().contains("io_uring"),
                    e.getMessage());
        }
    }

    /** A peer's datagram above our configured limit is counted by the backend and dropped. */
    @Test
    void aDatagramAboveTheConfiguredLimitIsCountedAndDropped() throws Exception {
        try (UDP a = UDP.open(config(IOMode.AUTO).build());
             UDP b = UDP.open(config(IOMode.AUTO).largeSlotSize(16384).build())) {
            connect(a, b);
            assertEquals(16384 - TransportHeader.OVERHEAD, b.maxPayload());
            byte[] buf = new byte[65536];
            assertTrue(a.writeTo(b.hostInfo().publicKey(), payload(20000, 1)));
            roundTrip(a, b, payload(16384 - TransportHeader.OVERHEAD, 2), buf); // the next one arrives; the first did not
            assertEquals(1, (long) b.ioInfo().counters().get("datagrams_truncated"));
        }
    }

    @Test
    void largeSlotOptionsAreValidatedNamingTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config(IOMode.NIO).largeSlots(-1).build());
        assertTrue(e.getMessage().startsWith("largeSlots"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config(IOMode.NIO).largeSlotSize(2048).build());
        assertTrue(e.getMessage().startsWith("largeSlotSize"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config(IOMode.NIO).largeSlotSize(10000).build());
        assertTrue(e.getMessage().startsWith("largeSlotSize"), e.getMessage());
        config(IOMode.NIO).largeSlots(0).largeSlotSize(1).build(); // ignored without large slots
    }
}
