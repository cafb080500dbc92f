package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * zgrnet's timers driven by a manual clock: nothing here sleeps to let protocol time pass. Each
 * step advances the clock, then waits (bounded) for the effect on the wire.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimersTest {
    @Test
    void handshakeRetriesEveryFiveSecondsAndGivesUpAfterNinety() throws Exception {
        ManualClock clock = new ManualClock();
        try (UDP udp = UDP.open(config(IOMode.AUTO).clock(clock).build());
             ManualPeer silent = new ManualPeer(TransportTestSupport.randomKey())) {
            udp.setPeerEndpoint(silent.key(), silent.address());
            CompletableFuture<Void> connected = udp.connectAsync(silent.key());
            byte[] first = silent.receiveRaw();
            assertEquals(1, first[0]);
            clock.advance(4, TimeUnit.SECONDS);
            assertTrue(silent.silentFor(400), "no retry before 5 s");
            clock.advance(1, TimeUnit.SECONDS);
            byte[] second = silent.receiveRaw();
            assertEquals(1, second[0]);
            assertFalse(Arrays.equals(Arrays.copyOfRange(first, 5, 37), Arrays.copyOfRange(second, 5, 37)),
                    "each retry uses a fresh ephemeral key");
            for (int t = 10; t < 90; t += 5) {
                clock.advance(5, TimeUnit.SECONDS);
                assertEquals(1, silent.receiveRaw()[0]);
            }
            clock.advance(5, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> connected.get(10, TimeUnit.SECONDS));
            String why = e.getCause().getMessage();
            assertTrue(why.contains("no valid response") && why.contains(silent.address().getPort() + "")
                    && why.contains("18 initiation(s)"), "names the address, the tries and the time: " + why);
            assertEquals(PeerInfo.State.NEW, udp.peerInfo(silent.key()).state());
        }
    }

    @Test
    void keepaliveAfterTenSecondsOfOurSilence() throws Exception {
        ManualClock clock = new ManualClock();
        try (UDP udp = UDP.open(config(IOMode.AUTO).clock(clock).build());
             ManualPeer peer = new ManualPeer(TransportTestSupport.randomKey())) {
            udp.setPeerEndpoint(peer.key(), peer.address());
            peer.connect(udp, 7);
            peer.send(udp, 0, "ping".getBytes(StandardCharsets.UTF_8));
            assertEquals(4, udp.readFrom(new byte[64], Duration.ofSeconds(10)).length());
            clock.advance(9, TimeUnit.SECONDS);
            assertTrue(peer.silentFor(400), "no keepalive before 10 s");
            clock.advance(1, TimeUnit.SECONDS);
            byte[] keepalive = peer.receiveRaw();
            assertEquals(4, keepalive[0]);
            assertEquals(29, keepalive.length, "a keepalive is an empty transport message");
            clock.advance(30, TimeUnit.SECONDS);
            assertTrue(peer.silentFor(400), "one keepalive per received data message, not a stream");
            assertEquals(1, udp.stats().get(TransportCounter.KEEPALIVES_SENT));
        }
    }

    /**
     * As WireGuard's initiator (zgrnet Go's sends nothing): our initiator speaks on a new session
     * at once, so that a responder which holds new sessions as candidates (as we do) switches now.
     * With nothing staged that is one keepalive; with staged messages, they are the first word.
     */
    @Test
    void theInitiatorSpeaksFirstOnANewSessionWithAKeepaliveOrWhatWasStaged() throws Exception {
        ManualClock clock = new ManualClock();
        try (UDP udp = UDP.open(config(IOMode.AUTO).clock(clock).build());
             ManualPeer idle = new ManualPeer(TransportTestSupport.randomKey());
             ManualPeer busy = new ManualPeer(TransportTestSupport.randomKey())) {
            udp.setPeerEndpoint(idle.key(), idle.address());
            CompletableFuture<Void> connected = udp.connectAsync(idle.key());
            idle.accept(udp, 1);
            connected.get(10, TimeUnit.SECONDS);
            byte[] keepalive = idle.receiveRaw();
            assertEquals(4, keepalive[0]);
            assertEquals(29, keepalive.length, "an empty transport message");
            assertEquals(0, idle.session.open(java.lang.foreign.MemorySegment.ofArray(keepalive), 0, keepalive.length,
                    java.lang.foreign.MemorySegment.ofArray(new byte[64]), 0), "sealed with the new session's keys");
            assertTrue(idle.silentFor(300), "one keepalive, not a stream of them");

            udp.setPeerEndpoint(busy.key(), busy.address());
            assertTrue(udp.writeTo(busy.key(), "early".getBytes(StandardCharsets.UTF_8)), "staged, starts a handshake");
            busy.accept(udp, 2);
            byte[] first = busy.receiveRaw();
            assertEquals(4, first[0]);
            assertEquals(29 + 1 + 5, first.length, "the staged message comes first, no keepalive before it");
            assertTrue(busy.silentFor(300), "and no keepalive after it");
            assertEquals(1, udp.stats().get(TransportCounter.KEEPALIVES_SENT), udp.stats().toString());
        }
    }

    @Test
    void sessionIsRejectedAfter180SecondsAndSendingStartsANewHandshake() throws Exception {
        ManualClock clock = new ManualClock();
        try (UDP udp = UDP.open(config(IOMode.AUTO).clock(clock).build());
             ManualPeer peer = new ManualPeer(TransportTestSupport.randomKey())) {
            udp.setPeerEndpoint(peer.key(), peer.address());
            peer.connect(udp, 7);
            peer.send(udp, 0, "confirm".getBytes(StandardCharsets.UTF_8)); // our responder session is proven
            assertEquals(7, udp.readFrom(new byte[64], Duration.ofSeconds(10)).length());
            assertTrue(udp.writeTo(peer.key(), "x".getBytes(StandardCharsets.UTF_8)));
            peer.receiveMessage();
            clock.advance(180, TimeUnit.SECONDS);
            assertTrue(udp.writeTo(peer.key(), "y".getBytes(StandardCharsets.UTF_8)), "staged for the next session");
            assertEquals(1, udp.stats().get(TransportCounter.MESSAGES_STAGED), "the expired session was not used");
            // The staged send asks the control agent for a handshake: the peer sees an init.
            byte[] init = peer.receiveRaw();
            while (init[0] != 1) {
                init = peer.receiveRaw();
            }
            assertEquals(85, init.length);
            // Old session's packets are refused too.
            peer.send(udp, 0, "late".getBytes(StandardCharsets.UTF_8));
            assertEquals(null, udp.readFrom(new byte[64], Duration.ofMillis(300)));
            assertTrue(udp.stats().get(TransportCounter.DROP_SESSION_EXPIRED) >= 1, udp.stats().toString());
        }
    }

    @Test
    void initiatorRekeysAfter120Seconds() throws Exception {
        ManualClock clock = new ManualClock();
        try (UDP udp = UDP.open(config(IOMode.AUTO).clock(clock).build());
             ManualPeer responder = new ManualPeer(TransportTestSupport.randomKey())) {
            udp.setPeerEndpoint(responder.key(), responder.address());
            CompletableFuture<Void> connected = udp.connectAsync(responder.key());
            responder.accept(udp, 1);
            connected.get(10, TimeUnit.SECONDS);
            assertEquals(29, responder.receiveRaw().length, "the keepalive that confirms the session");
            int firstIndex = responder.session.remoteIndex();
            clock.advance(121, TimeUnit.SECONDS);
            assertTrue(udp.writeTo(responder.key(), "old".getBytes(StandardCharsets.UTF_8)),
                    "the old session is still usable until 180 s");
            byte[] msg = responder.receiveRaw();
            assertEquals(4, msg[0]);
            byte[] init = responder.receiveRaw();
            assertEquals(1, init[0], "a send after 120 s starts a rekey");
            responder.acceptInit(init, udp, 2);
            // The next message uses the new session.
            for (int i = 0; i < 100 && !udp.peerInfo(responder.key()).sessionAge().orElseThrow().isZero(); i++) {
                Thread.sleep(10); // waits for the control thread to install the session, not for time
            }
            assertTrue(udp.writeTo(responder.key(), "new".getBytes(StandardCharsets.UTF_8)));
            byte[] got = responder.receiveMessage();
            assertEquals("new", new String(got, 1, got.length - 1, StandardCharsets.UTF_8));
            assertNotEquals(firstIndex, responder.session.remoteIndex());
        }
    }
}
