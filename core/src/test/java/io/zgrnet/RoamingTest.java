package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.peer.Session;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Roaming: a peer's endpoint follows the source of authenticated packets, and only those. The
 * peer keeps its session keys and speaks from a new socket (a NAT rebinding, a new interface);
 * an attacker on a third port sends a forgery and a replay of a genuine packet.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RoamingTest {
    private static final MessageHandler IGNORE = (sender, protocol, payload, offset, length) -> { };

    private static DatagramSocket socket() throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setSoTimeout(5000);
        return s;
    }

    private static byte[] seal(Session session, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] wire = new byte[payload.length + 30];
        int n = session.seal(0, MemorySegment.ofArray(payload), 0, payload.length, MemorySegment.ofArray(wire), 0);
        return Arrays.copyOf(wire, n);
    }

    private static void send(DatagramSocket from, byte[] wire, UDP to) throws IOException {
        from.send(new DatagramPacket(wire, wire.length, to.hostInfo().localAddress()));
    }

    /** Receives on {@code socket} until a data message opens under {@code session}; returns its payload. */
    private static String receive(DatagramSocket socket, Session session) throws IOException {
        byte[] buf = new byte[2048];
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            socket.receive(p);
            byte[] plain = new byte[p.getLength()];
            int n = session.open(MemorySegment.ofArray(buf), 0, p.getLength(), MemorySegment.ofArray(plain), 0);
            if (n > 0) {
                return new String(plain, 1, n - 1, StandardCharsets.UTF_8);
            }
        }
    }

    /** Lets the reader consume until {@code counter} passed {@code before} (drops are counted there). */
    private static void consumeUntil(UDP udp, TransportCounter counter, long before) {
        TransportLifecycleTest.await(counter.label(), () -> {
            TransportTestSupport.poll(udp, IGNORE, 16);
            return udp.stats().get(counter) > before;
        });
    }

    @ParameterizedTest
    @EnumSource(value = IOMode.class, names = {"NIO", "MMSG"})
    void theEndpointFollowsAuthenticatedPacketsOnly(IOMode mode) throws Exception {
        BackendAssumptions.assumeAvailable(mode);
        try (UDP udp = UDP.open(config(mode).build());
             ManualPeer peer = TransportLifecycleTest.connectedPeer(udp);
             DatagramSocket roamed = socket();
             DatagramSocket attacker = socket()) {
            PeerKey key = peer.key();
            assertEquals(peer.address(), udp.peerInfo(key).endpoint());

            // Same session, new source port: a genuine packet moves the endpoint.
            byte[] genuine = seal(peer.session, "from the new port");
            send(roamed, genuine, udp);
            byte[] buf = new byte[2048];
            Message m = udp.readFrom(buf, Duration.ofSeconds(10));
            assertNotNull(m, "stats " + udp.stats());
            assertEquals("from the new port", new String(buf, 0, m.length(), StandardCharsets.UTF_8));
            assertEquals(roamed.getLocalSocketAddress(), udp.peerInfo(key).endpoint());
            assertEquals(1, udp.stats().get(TransportCounter.ROAMING_UPDATES));
            // Replies go to the new port, and only there.
            assertTrue(udp.writeTo(key, "reply".getBytes(StandardCharsets.UTF_8)));
            assertEquals("reply", receive(roamed, peer.session));
            assertTrue(peer.silentFor(200), "a reply went to the old port");

            // A forgery from a third port (right index, a fresh counter, a bad tag) moves nothing.
            byte[] forged = ByteBuffer.allocate(13 + 32).order(ByteOrder.LITTLE_ENDIAN).put((byte) 4)
                    .putInt(peer.session.remoteIndex()).putLong(1_000_000).array();
            long failed = udp.stats().get(TransportCounter.DROP_DECRYPT_FAILED);
            send(attacker, forged, udp);
            consumeUntil(udp, TransportCounter.DROP_DECRYPT_FAILED, failed);
            assertEquals(roamed.getLocalSocketAddress(), udp.peerInfo(key).endpoint());

            // Nor does a replay of a genuine packet from the third port (it authenticates, but is old).
            long replayed = udp.stats().get(TransportCounter.DROP_REPLAYED);
            send(attacker, genuine, udp);
            consumeUntil(udp, TransportCounter.DROP_REPLAYED, replayed);
            assertEquals(roamed.getLocalSocketAddress(), udp.peerInfo(key).endpoint());
            assertEquals(1, udp.stats().get(TransportCounter.ROAMING_UPDATES));

            assertTrue(udp.writeTo(key, "still here".getBytes(StandardCharsets.UTF_8)));
            assertEquals("still here", receive(roamed, peer.session));
            attacker.setSoTimeout(200);
            assertTrue(silent(attacker), "traffic went to the attacker");

            // Roaming back works the same way.
            peer.send(udp, 0, "home again".getBytes(StandardCharsets.UTF_8));
            m = udp.readFrom(buf, Duration.ofSeconds(10));
            assertNotNull(m);
            assertEquals(peer.address(), udp.peerInfo(key).endpoint());
            assertEquals(2, udp.stats().get(TransportCounter.ROAMING_UPDATES));
        }
    }

    private static boolean silent(DatagramSocket s) throws IOException {
        try {
            s.receive(new DatagramPacket(new byte[64], 64));
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return true;
        }
    }
}
