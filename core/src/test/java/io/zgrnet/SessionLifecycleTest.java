package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions as the transport manages them: installed, promoted, retired, keys destroyed. Some tests
 * hold a {@link Peer}'s monitor (the lock under which sessions are installed) to stop the control
 * agent at a known point; that is how an interleaving becomes deterministic without sleeping.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionLifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static String read(UDP udp) throws Exception {
        byte[] buf = new byte[2048];
        Message m = udp.readFrom(buf, WAIT);
        assertNotNull(m, "nothing read; stats " + udp.stats());
        return new String(buf, 0, m.length(), StandardCharsets.UTF_8);
    }

    private static String payload(byte[] plain) {
        return new String(plain, 1, plain.length - 1, StandardCharsets.UTF_8);
    }

    @Test
    void theResponseLeavesOnlyAfterItsSessionIsInstalled() throws Exception {
        try (UDP udp = UDP.open(config(IOMode.AUTO).build());
             ManualPeer peer = new ManualPeer(TransportTestSupport.randomKey())) {
            udp.setPeerEndpoint(peer.key(), peer.address());
            Peer p = udp.peerTable().get(peer.key());
            synchronized (p) { // the control agent cannot install the session while we hold this
                peer.sendRaw(peer.initFor(udp, 1), udp);
                assertTrue(peer.silentFor(500), "the response left before its session was installed: a peer that "
                        + "answers at once finds no session");
            }
            peer.finish(peer.receiveRaw());
            // A responder session waits for proof: the peer's first packet.
            assertEquals(PeerInfo.State.CONNECTING, udp.peerInfo(peer.key()).state());
            peer.send(udp, 0, "first".getBytes(StandardCharsets.UTF_8));
            assertEquals("first", read(udp));
            assertEquals(PeerInfo.State.ESTABLISHED, udp.peerInfo(peer.key()).state());
        }
    }

    @Test
    void aRestartedPeerIsReachableTheMomentItHasTheResponse() throws Exception {
        try (UDP udp = UDP.open(config(IOMode.AUTO).build());
             ManualPeer peer = new ManualPeer(TransportTestSupport.randomKey());
             ManualPeer restarted = peer.restartOnNewPort()) {
            udp.setPeerEndpoint(peer.key(), peer.address());
            peer.connect(udp, 1);
            peer.send(udp, 0, "hello".getBytes(StandardCharsets.UTF_8));
            assertEquals("hello", read(udp)); // the live session is confirmed
            Peer p = udp.peerTable().get(peer.key());
            synchronized (p) {
                restarted.sendRaw(restarted.initFor(udp, 2), udp);
                assertTrue(restarted.silentFor(500), "the response left before the new session was installed");
            }
            restarted.finish(restarted.receiveRaw());
            // The restarted peer waits for us to speak first (as zgrnet initiators do): the very next
            // message must reach it on the new session, at its new port.
            assertTrue(udp.writeTo(peer.key(), "are you there".getBytes(StandardCharsets.UTF_8)));
            assertEquals("are you there", payload(restarted.receiveMessage()));
            // Its first packet confirms the new session: the transport switches to it.
            restarted.send(udp, 0, "yes".getBytes(StandardCharsets.UTF_8));
            assertEquals("yes", read(udp));
            assertEquals(restarted.address(), udp.peerInfo(peer.key()).endpoint());
            assertTrue(p.candidates.length == 0 && p.current.localIndex == restarted.session.remoteIndex(),
                    "the confirmed session was not promoted");
        }
    }

    /**
     * A connect (or the one writeTo asks for) that read the peer just before removePeer and reaches
     * the control agent after the peer was forgotten: it must fail its waiter, not handshake with a
     * peer that no longer exists (its session would never be ticked, expired or retired).
     */
    @Test
    void aConnectForARemovedPeerFailsAndSendsNothing() throws Exception {
        try (UDP udp = UDP.open(config(IOMode.AUTO).build());
             ManualPeer silent = new ManualPeer(TransportTestSupport.randomKey())) {
            udp.setPeerEndpoint(silent.key(), silent.address());
            Peer stale = udp.peerTable().get(silent.key());
            udp.removePeer(silent.key());
            CompletableFuture<Void> f = new CompletableFuture<>();
            udp.commands().submit(ControlCommands.Kind.CONNECT, stale, f);
            udp.commands().submit(ControlCommands.Kind.CONNECT, stale, null);
            udp.commands().submit(ControlCommands.Kind.REKEY, stale, null);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS),
                    "the waiter of a removed peer must fail, not hang");
            assertTrue(e.getCause().getMessage().contains("removed"), e.getCause().getMessage());
            assertTrue(silent.silentFor(300), "a handshake was started with a removed peer");
            assertEquals(0, udp.stats().get(TransportCounter.HANDSHAKES_INITIATED));
        }
    }

    /**
     * removePeer while data flows both ways and a handshake with another peer is in flight: the
     * sessions are retired (keys erased, indices gone), the peer's later packets are unknown
     * indices, writeTo throws, the pending connect fails, and no datagram that left was sealed
     * under an erased key.
     */
    @Test
    void removePeerDuringTraffic() throws Exception {
        try (UDP udp = UDP.open(config(IOMode.AUTO).build());
             ManualPeer peer = TransportLifecycleTest.connectedPeer(udp);
             ManualPeer silent = new ManualPeer(TransportTestSupport.randomKey())) {
            udp.setPeerEndpoint(silent.key(), silent.address());
            CompletableFuture<Void> pendingConnect = udp.connectAsync(silent.key());
            assertEquals(1, silent.receiveRaw()[0], "the init: a handshake is in flight");
            PeerSession live = udp.peerTable().get(peer.key()).current;

            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            AtomicReference<Throwable> writerEnd = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().name("test-writer").start(() -> {
                byte[] data = new byte[64];
                try {
                    while (true) {
                        if (udp.writeTo(peer.key(), data)) {
                            written.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    writerEnd.set(t);
                }
            });
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong opened = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong unreadable = new java.util.concurrent.atomic.AtomicLong();
            peer.socket.setSoTimeout(50);
            Thread receiver = Thread.ofPlatform().name("test-peer-receiver").start(() -> {
                byte[] buf = new byte[2048];
                byte[] plain = new byte[2048];
                while (!stop.get()) {
                    java.net.DatagramPacket d = new java.net.DatagramPacket(buf, buf.length);
                    try {
                        peer.socket.receive(d);
                    } catch (java.io.IOException e) {
                        continue; // timeout: look at stop again
                    }
                    int n = peer.session.open(java.lang.foreign.MemorySegment.ofArray(buf), 0, d.getLength(),
                            java.lang.foreign.MemorySegment.ofArray(plain), 0);
                    if (n >= 0) {
                        opened.incrementAndGet();
                    } else {
                        unreadable.incrementAndGet();
                    }
                }
            });
            for (int i = 0; i < 100; i++) {
                peer.send(udp, 0, new byte[32]);
            }
            TransportLifecycleTest.await("traffic", () -> written.get() > 100 && opened.get() > 100);

            udp.removePeer(peer.key());
            udp.removePeer(silent.key());

            writer.join(TimeUnit.SECONDS.toMillis(10));
            assertTrue(writerEnd.get() instanceof IllegalArgumentException, "writer ended with " + writerEnd.get());
            assertThrows(IllegalArgumentException.class, () -> udp.writeTo(peer.key(), new byte[1]));
            assertEquals(null, udp.peerInfo(peer.key()));
            ExecutionException e = assertThrows(ExecutionException.class, () -> pendingConnect.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("removed"), e.getCause().getMessage());
            TransportLifecycleTest.await("sessions retired", () -> udp.sessions().size() == 0);
            assertEquals(PeerSession.RETIRED, live.sealKeepalive(java.lang.foreign.MemorySegment.ofArray(new byte[64]), 0),
                    "the retired session still seals: keys not erased");

            // The peer's packets for the retired session are now for an unknown index.
            long unknown = udp.stats().get(TransportCounter.DROP_UNKNOWN_INDEX);
            peer.send(udp, 0, "after removal".getBytes(StandardCharsets.UTF_8));
            MessageHandler fail = (sender, protocol, payload, offset, length) -> {
                if ("after removal".equals(new String(payload.asSlice(offset, length).toArray(
                        java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8))) {
                    throw new AssertionError("delivered a packet of a removed peer");
                }
            };
            TransportLifecycleTest.await("unknown index", () -> {
                TransportTestSupport.poll(udp, fail, 64);
                return udp.stats().get(TransportCounter.DROP_UNKNOWN_INDEX) > unknown;
            });

            stop.set(true);
            receiver.join(TimeUnit.SECONDS.toMillis(10));
            assertEquals(0, unreadable.get(), "datagrams the peer could not open (sealed under erased keys?)");
        }
    }
}
