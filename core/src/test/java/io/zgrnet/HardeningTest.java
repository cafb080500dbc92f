package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The attacks of protocol.md ("where zgrnet-java is stricter than zgrnet") sent at a live transport,
 * each showing the session survives.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HardeningTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A responder transport and a hand-made initiator with a live session between them. */
    private static final class Pair implements AutoCloseable {
        final UDP udp;
        final ManualPeer peer;

        Pair(TransportConfig.Builder cfg) throws Exception {
            udp = UDP.open(cfg.build());
            peer = new ManualPeer(TransportTestSupport.randomKey());
            udp.setPeerEndpoint(peer.key(), peer.address());
            peer.connect(udp, 0x11223344);
            // The initiator speaks first: confirms the responder's session.
            peer.send(udp, 0, "hello".getBytes(StandardCharsets.UTF_8));
            assertEquals("hello", read());
        }

        String read() throws Exception {
            byte[] buf = new byte[2048];
            Message m = udp.readFrom(buf, WAIT);
            return m == null ? null : new String(buf, 0, m.length(), StandardCharsets.UTF_8);
        }

        String readNow() throws Exception {
            byte[] buf = new byte[2048];
            Message m = udp.readFrom(buf, Duration.ofMillis(300));
            return m == null ? null : new String(buf, 0, m.length(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            udp.close();
            peer.close();
        }
    }

    private static byte[] transportHeader(int receiverIndex, long counter, int bodyLength) {
        ByteBuffer b = ByteBuffer.allocate(13 + bodyLength).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 4).putInt(receiverIndex).putLong(counter);
        return b.array();
    }

    @Test
    void forgedMaxCounterDoesNotPoisonTheReplayWindow() throws Exception {
        try (Pair p = new Pair(config(IOMode.AUTO))) {
            byte[] forged = transportHeader(p.peer.session.remoteIndex(), -1L, 32);
            p.peer.sendRaw(forged, p.udp);
            p.peer.send(p.udp, 0, "after forgery".getBytes(StandardCharsets.UTF_8));
            assertEquals("after forgery", p.read());
            assertEquals(1, p.udp.stats().get(TransportCounter.DROP_DECRYPT_FAILED));
        }
    }

    @Test
    void tamperedTagThenGenuinePacketWithSameCounterIsAccepted() throws Exception {
        try (Pair p = new Pair(config(IOMode.AUTO))) {
            byte[] payload = "genuine".getBytes(StandardCharsets.UTF_8);
            byte[] wire = new byte[payload.length + 30];
            int n = p.peer.session.seal(0, java.lang.foreign.MemorySegment.ofArray(payload), 0, payload.length,
                    java.lang.foreign.MemorySegment.ofArray(wire), 0);
            wire = Arrays.copyOf(wire, n);
            byte[] tampered = wire.clone();
            tampered[tampered.length - 1] ^= 1;
            p.peer.sendRaw(tampered, p.udp);
            p.peer.sendRaw(wire, p.udp);
            assertEquals("genuine", p.read());
            // An exact duplicate is still a replay.
            p.peer.sendRaw(wire, p.udp);
            p.peer.send(p.udp, 0, "next".getBytes(StandardCharsets.UTF_8));
            assertEquals("next", p.read());
            assertEquals(1, p.udp.stats().get(TransportCounter.DROP_REPLAYED));
            assertEquals(1, p.udp.stats().get(TransportCounter.DROP_DECRYPT_FAILED));
        }
    }

    @Test
    void malformedDatagramsAreCountedNotThrown() throws Exception {
        try (Pair p = new Pair(config(IOMode.AUTO))) {
            p.peer.sendRaw(new byte[28], p.udp); // type 0: unknown
            byte[] shortTransport = transportHeader(p.peer.session.remoteIndex(), 5, 15); // 28 bytes
            p.peer.sendRaw(shortTransport, p.udp);
            p.peer.sendRaw(new byte[] {3, 1, 2, 3}, p.udp); // cookie reply: never sent by zgrnet
            p.peer.sendRaw(new byte[] {1, 2}, p.udp); // truncated init
            p.peer.sendRaw(transportHeader(0xdead, 1, 40), p.udp); // unknown index
            p.peer.send(p.udp, 0, "still alive".getBytes(StandardCharsets.UTF_8));
            assertEquals("still alive", p.read());
            assertEquals(2, p.udp.stats().get(TransportCounter.DROP_UNKNOWN_TYPE));
            // The short transport and the truncated init: dropped by length on the I/O thread,
            // before any handshake work (no rate-limit token, no control-agent queue entry).
            assertEquals(2, p.udp.stats().get(TransportCounter.DROP_MALFORMED));
            assertEquals(0, p.udp.stats().get(TransportCounter.DROP_HANDSHAKE_DECRYPT_FAILED));
            assertEquals(1, p.udp.stats().get(TransportCounter.DROP_UNKNOWN_INDEX));
        }
    }

    @Test
    void replayedInitFromAnotherAddressDoesNotBreakTheLiveSession() throws Exception {
        try (Pair p = new Pair(config(IOMode.AUTO))) {
            try (ManualPeer attacker = new ManualPeer(TransportTestSupport.randomKey())) {
                attacker.sendRaw(p.peer.lastInit, p.udp);
                // The transport still talks to the real peer, at its real address, on the live session.
                p.udp.writeTo(p.peer.key(), "to the real peer".getBytes(StandardCharsets.UTF_8));
                byte[] got = p.peer.receiveMessage();
                assertEquals("to the real peer", new String(got, 1, got.length - 1, StandardCharsets.UTF_8));
                assertTrue(attacker.silentFor(300), "the replay must not redirect traffic");
            }
            p.peer.send(p.udp, 0, "inbound still works".getBytes(StandardCharsets.UTF_8));
            assertEquals("inbound still works", p.read());
            assertEquals(1, p.udp.stats().get(TransportCounter.DROP_HANDSHAKE_REPLAYED));
        }
    }

    @Test
    void restartedPeerFromANewPortThatWaitsForUsIsNotStalled() throws Exception {
        try (Pair p = new Pair(config(IOMode.AUTO))) {
            // The same identity restarts on a new port and handshakes again, then waits for us to speak.
            ManualPeer restarted = p.peer.restartOnNewPort();
            try {
                restarted.connect(p.udp, 0x55667788);
                // We speak first: the message must reach the restarted peer on its new session.
                p.udp.writeTo(p.peer.key(), "are you there".getBytes(StandardCharsets.UTF_8));
                byte[] got = restarted.receiveMessage();
                assertEquals("are you there", new String(got, 1, got.length - 1, StandardCharsets.UTF_8));
                // It answers on the new session: confirmed, and the transport switches to it alone.
                restarted.send(p.udp, 0, "yes".getBytes(StandardCharsets.UTF_8));
                assertEquals("yes", p.read());
                p.udp.writeTo(p.peer.key(), "switched".getBytes(StandardCharsets.UTF_8));
                got = restarted.receiveMessage();
                assertEquals("switched", new String(got, 1, got.length - 1, StandardCharsets.UTF_8));
                assertEquals(restarted.address(), p.udp.peerInfo(p.peer.key()).endpoint());
            } finally {
                restarted.close();
            }
        }
    }

    /** Our transport's initiation to a hand-made responder, received by it and not yet answered. */
    private static final class Initiating implements AutoCloseable {
        final UDP udp;
        final ManualPeer responder;
        final CompletableFuture<Void> connected;
        final byte[] init;
        /** Our index in the initiation: an attacker on the path sees it. */
        final int index;

        Initiating() throws Exception {
            udp = UDP.open(config(IOMode.AUTO).build());
            responder = new ManualPeer(TransportTestSupport.randomKey());
            udp.setPeerEndpoint(responder.key(), responder.address());
            connected = udp.connectAsync(responder.key());
            init = responder.receiveRaw();
            index = ByteBuffer.wrap(init, 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        }

        /** A forged response: the right receiver index, garbage keys and tag. */
        void sendForgedResponse() throws Exception {
            ByteBuffer forged = ByteBuffer.allocate(57).order(ByteOrder.LITTLE_ENDIAN);
            forged.put((byte) 2).putInt(0x01020304).putInt(index);
            responder.sendRaw(forged.array(), udp);
        }

        @Override
        public void close() {
            udp.close();
            responder.close();
        }
    }

    @Test
    void forgedResponseDoesNotCancelThePendingHandshake() throws Exception {
        try (Initiating i = new Initiating()) {
            UDP udp = i.udp;
            ManualPeer responder = i.responder;
            i.sendForgedResponse();
            // Now answer genuinely: the pending handshake must still complete.
            responder.acceptInit(i.init, udp, 0x0A0B0C0D);
            i.connected.get(10, TimeUnit.SECONDS);
            // Its ephemeral key is all zero: refused as a low-order key, before any tag is checked.
            assertEquals(1, udp.stats().get(TransportCounter.DROP_HANDSHAKE_INVALID_KEY));
            udp.writeTo(responder.key(), "ok".getBytes(StandardCharsets.UTF_8));
            byte[] got = responder.receiveMessage();
            assertArrayEquals("ok".getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(got, 1, got.length));
        }
    }

    /**
     * An attacker who sniffed the index of our initiation: a forged response, then forged transport
     * datagrams on that index, ahead of the genuine response and the responder's first packet right
     * behind it, all while the control agent is busy. The forged datagrams are held only until the
     * responses before them are handled, then cost a counter each; the refused forgery does not
     * cut short the genuine packet's wait for its session.
     */
    @Test
    void datagramsOnASniffedPendingIndexCostACounterAndDoNotCutTheGenuineWaitShort() throws Exception {
        try (Initiating i = new Initiating()) {
            UDP udp = i.udp;
            ManualPeer responder = i.responder;
            int forgedDatagrams = 3;
            try (AutoCloseable hold = TransportTestSupport.holdControlAgent(udp)) {
                i.sendForgedResponse();
                for (int n = 0; n < forgedDatagrams; n++) {
                    responder.sendRaw(transportHeader(i.index, n, 32), udp);
                }
                responder.acceptInit(i.init, udp, 0x0A0B0C0D);
                responder.send(udp, 0, "first".getBytes(StandardCharsets.UTF_8));
                TransportLifecycleTest.await("every datagram received",
                        () -> udp.stats().get(TransportCounter.DATAGRAMS_RECEIVED) >= forgedDatagrams + 3);
                Thread.sleep(1000); // longer than clock-bounded waits, one per datagram, would add up to
            }
            i.connected.get(10, TimeUnit.SECONDS);
            byte[] buf = new byte[2048];
            Message m = udp.readFrom(buf, WAIT);
            assertNotNull(m, "the packet behind the genuine response was lost: " + udp.stats());
            assertEquals("first", new String(buf, 0, m.length(), StandardCharsets.UTF_8));
            var stats = udp.stats();
            assertEquals(1, stats.get(TransportCounter.DROP_HANDSHAKE_INVALID_KEY), stats.toString());
            // Opened after the forgery was refused: no session yet, or the genuine one, which they fail.
            assertEquals(forgedDatagrams, stats.get(TransportCounter.DROP_UNKNOWN_INDEX)
                    + stats.get(TransportCounter.DROP_DECRYPT_FAILED), stats.toString());
        }
    }

    @Test
    void unknownPeersAreBoundedAndCounted() throws Exception {
        try (UDP udp = UDP.open(config(IOMode.AUTO).allowUnknownPeers(true).maxPeers(2).build())) {
            for (int i = 0; i < 3; i++) {
                try (ManualPeer stranger = new ManualPeer(TransportTestSupport.randomKey())) {
                    if (i < 2) {
                        stranger.connect(udp, i + 1);
                        stranger.send(udp, 0, new byte[] {1}); // confirmed: it keeps its entry
                        assertEquals(1, udp.readFrom(new byte[8], java.time.Duration.ofSeconds(10)).length());
                    } else {
                        stranger.sendRaw(stranger.initFor(udp, 3), udp);
                        assertTrue(stranger.silentFor(500), "the third peer must be refused");
                    }
                }
            }
            assertEquals(2, udp.peers().size());
            assertEquals(1, udp.stats().get(TransportCounter.DROP_PEER_TABLE_FULL));
        }
    }

    /**
     * Initiations from random keys that never send a packet (the cheapest table-filling attack)
     * do not lock genuine peers out: entries that never confirmed are evicted first.
     */
    @Test
    void unconfirmedUnknownPeersMakeRoomForNewOnes() throws Exception {
        try (UDP udp = UDP.open(config(IOMode.AUTO).allowUnknownPeers(true).maxPeers(3).build())) {
            for (int i = 0; i < HandshakeAdmission.BURST; i++) {
                try (ManualPeer stranger = new ManualPeer(TransportTestSupport.randomKey())) {
                    stranger.connect(udp, i + 1); // answered, never confirmed
                }
            }
            assertEquals(HandshakeAdmission.BURST - 3, udp.stats().get(TransportCounter.PEERS_EVICTED));
            assertEquals(0, udp.stats().get(TransportCounter.DROP_PEER_TABLE_FULL));
            assertEquals(3, udp.peers().size());
        }
    }

    @Test
    void sessionIndicesAreRandomAndDistinct() throws Exception {
        try (UDP udp = UDP.open(config(IOMode.AUTO).allowUnknownPeers(true).build())) {
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int i = 0; i < HandshakeAdmission.BURST; i++) {
                try (ManualPeer stranger = new ManualPeer(TransportTestSupport.randomKey())) {
                    stranger.connect(udp, i);
                    assertTrue(seen.add(stranger.session.remoteIndex()), "index reused");
                }
            }
            assertNotEquals(0, seen.stream().mapToInt(Integer::intValue).reduce(0, (a, b) -> a | b));
            assertNotNull(udp.hostInfo());
        }
    }
}
