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

    private static String read(UDP udp) throws InterruptedException {
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
            assertEquals(PeerInfo.State.ESTABLISHED, udp.peerInfo(peer.key()).state());
            peer.send(udp, 0, "first".getBytes(StandardCharsets.UTF_8));
            assertEquals("first", read(udp));
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
            assertTrue(p.unconfirmed == null && p.current.localIndex == restarted.session.remoteIndex(),
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
            udp.control().submit(() -> udp.control().connect(stale, f));
            udp.control().submit(() -> udp.control().connect(stale, null));
            udp.control().submit(() -> udp.control().rekey(stale));
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS),
                    "the waiter of a removed peer must fail, not hang");
            assertTrue(e.getCause().getMessage().contains("removed"), e.getCause().getMessage());
            assertTrue(silent.silentFor(300), "a handshake was started with a removed peer");
            assertEquals(0, udp.stats().get(TransportCounter.HANDSHAKES_INITIATED));
        }
    }
}
