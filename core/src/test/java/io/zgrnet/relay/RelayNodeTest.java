package io.zgrnet.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.IOMode;
import io.zgrnet.Message;
import io.zgrnet.PeerKey;
import io.zgrnet.TransportConfig;
import io.zgrnet.TransportCounter;
import io.zgrnet.UDP;
import io.zgrnet.io.select.BackendKind;
import io.zgrnet.io.select.BackendSelector;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three transports on loopback: A and C know only B's address, B relays (RELAY_0 in, RELAY_2 out)
 * with a {@link RelayNode}; A and C take RELAY_2 as application data
 * ({@code acceptRelayed(false)}; {@link RelayedSessionTest} has the relayed sessions). The inner
 * datagrams are opaque bytes shaped like zgrnet transport
 * messages (to B they are indistinguishable from ciphertext): C must receive them byte for byte,
 * with A as the RELAY_2 src, and hostile relay messages are refused and counted while they flow.
 */
class RelayNodeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int INNER = 120;

    private UDP a;
    private UDP b;
    private UDP c;
    private RelayNode relay;

    private static TransportConfig.Builder config(IOMode mode) {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        // acceptRelayed off: the ends get RELAY_2 as data, so the test sees the inner bytes B delivered.
        return TransportConfig.builder().privateKey(k).ioMode(mode).decryptWorkers(2).poolSlots(4096)
                .receiveQueueSize(1024).sendQueueSize(1024).acceptRelayed(false);
    }

    private void open(IOMode mode, Function<PeerKey, RelayConfig> relayConfig) throws Exception {
        a = UDP.open(config(mode).build());
        b = UDP.open(config(mode).build());
        c = UDP.open(config(mode).build());
        for (UDP end : new UDP[] {a, c}) {
            b.setPeerEndpoint(end.hostInfo().publicKey(), end.hostInfo().localAddress());
            end.setPeerEndpoint(b.hostInfo().publicKey(), b.hostInfo().localAddress());
            end.connect(b.hostInfo().publicKey(), WAIT);
            // B answered the handshake; its session is proven by the first message on it (as for any responder).
            assertTrue(end.writeTo(b.hostInfo().publicKey(), new byte[] {0}));
            Message hello = b.readFrom(new byte[16], WAIT);
            assertEquals(end.hostInfo().publicKey(), hello.sender());
        }
        relay = RelayNode.start(b, relayConfig.apply(b.hostInfo().publicKey()), new RouteTable(16, 16), 64);
    }

    private void closeAll() {
        if (relay != null) {
            relay.close();
        }
        for (UDP u : new UDP[] {a, b, c}) {
            if (u != null) {
                u.close();
            }
        }
        for (UDP u : new UDP[] {a, b, c}) {
            if (u != null) {
                assertEquals(0, u.outstandingSlots(), "pool slots leaked");
            }
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .noneMatch(t -> t.getName().startsWith("zgrnet-")), "a transport thread outlived close");
    }

    /** An opaque inner datagram: type 4, a receiver index, the counter {@code seq}, filler. */
    private static byte[] inner(long seq, int filler) {
        ByteBuffer bb = ByteBuffer.allocate(INNER);
        bb.put((byte) 4).put(new byte[3]).putInt(0x1234_5678).putLong(seq);
        while (bb.hasRemaining()) {
            bb.put((byte) (filler + bb.position()));
        }
        return bb.array();
    }

    /** RELAY_0 {ttl, strategy, dst, payload}. */
    private static byte[] relay0(int ttl, int strategy, PeerKey dst, byte[] payload) {
        return ByteBuffer.allocate(34 + payload.length).put((byte) ttl).put((byte) strategy).put(dst.toBytes())
                .put(payload).array();
    }

    /**
     * Sends {@code total} inner datagrams from {@code from} to {@code to} through B, at most a window
     * ahead of the receiver, and has a thread at {@code to} check each RELAY_2: src and bytes exact.
     */
    private static Thread flow(UDP from, UDP to, PeerKey relayKey, int total, int filler, AtomicLong received,
                               AtomicReference<Throwable> failure) {
        PeerKey src = from.hostInfo().publicKey();
        PeerKey dst = to.hostInfo().publicKey();
        return RelayedTopology.flow(to, total, filler, i -> from.writeTo(relayKey, 66, relay0(8, 0, dst, inner(i, filler))),
                (i, m, buf) -> {
                    assertEquals(68, m.protocol(), "RELAY_2");
                    assertEquals(relayKey, m.sender(), "delivered by the relay");
                    assertArrayEquals(src.toBytes(), Arrays.copyOfRange(buf, 0, 32), "RELAY_2 src is the sender");
                    assertArrayEquals(inner(i, filler), Arrays.copyOfRange(buf, 32, m.length()),
                            "inner datagram " + i + " unchanged and in order");
                }, received, failure);
    }

    @ParameterizedTest
    @EnumSource(value = IOMode.class, names = {"NIO", "MMSG", "URING"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void bRelaysTenThousandInnerDatagramsEachWayUnchanged(IOMode mode) throws Exception {
        String cause = BackendSelector.unavailabilityCause(BackendKind.valueOf(mode.name()));
        Assumptions.assumeTrue(cause == null, () -> mode + " unavailable: " + cause);
        try {
            open(mode, k -> RelayConfig.builder(k).rateLimit(0, 1).build()); // a dedicated relay: no per-neighbour limit
            PeerKey bk = b.hostInfo().publicKey();
            int total = 10_000;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong toC = new AtomicLong();
            AtomicLong toA = new AtomicLong();
            Thread ac = flow(a, c, bk, total, 1, toC, failure);
            Thread ca = flow(c, a, bk, total, 2, toA, failure);
            ac.join(TimeUnit.SECONDS.toMillis(100));
            ca.join(TimeUnit.SECONDS.toMillis(100));
            if (failure.get() != null) {
                throw new AssertionError("relay stats " + relay.stats() + "; B " + b.stats(), failure.get());
            }
            assertEquals(total, toC.get());
            assertEquals(total, toA.get());
            assertEquals(2L * total, relay.stats().get(RelayCounter.RELAY2_SENT), relay.stats().toString());
            assertEquals(0, relay.stats().get(RelayCounter.FORWARDS_NOT_SENT));
            // One datagram out per datagram in: B sent nothing but the relayed bodies.
            assertEquals(2L * total, b.stats().get(TransportCounter.MESSAGES_SENT), b.stats().toString());
        } finally {
            closeAll();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void hostileRelayMessagesAreRefusedAndCountedWhileTrafficFlows() throws Exception {
        try {
            open(IOMode.NIO, k -> RelayConfig.builder(k).rateLimit(0, 1).build());
            PeerKey ak = a.hostInfo().publicKey();
            PeerKey bk = b.hostInfo().publicKey();
            PeerKey ck = c.hostInfo().publicKey();
            PeerKey stranger = PeerKey.of(new byte[] {
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
                28, 29, 30, 31, 32});
            int total = 2_000;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong toC = new AtomicLong();
            Thread ac = flow(a, c, bk, total, 3, toC, failure);
            int rounds = 50;
            byte[] payload = inner(0, 9);
            for (int i = 0; i < rounds; i++) {
                a.writeTo(bk, 66, relay0(0, 0, ck, payload));                      // ttl expired
                a.writeTo(bk, 66, new byte[20]);                                  // too short
                a.writeTo(bk, 66, relay0(8, 0, ck, new byte[0]));                 // empty payload
                a.writeTo(bk, 66, relay0(8, 0, bk, payload));                     // to the relay itself: loop
                a.writeTo(bk, 66, relay0(8, 0, ak, payload));                     // back to the sender: loop
                a.writeTo(bk, 66, relay0(8, 0, stranger, payload));               // unknown destination
                a.writeTo(bk, 67, ByteBuffer.allocate(66 + INNER).put((byte) 0).put((byte) 0).put(ak.toBytes())
                        .put(ck.toBytes()).put(payload).array());                 // RELAY_1 with ttl 0
                Thread.sleep(1);
            }
            ac.join(TimeUnit.SECONDS.toMillis(100));
            if (failure.get() != null) {
                throw new AssertionError("relay stats " + relay.stats(), failure.get());
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (relay.stats().get(RelayCounter.REFUSED_NO_ROUTE) < rounds && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
            }
            RelayStats s = relay.stats();
            assertEquals(2L * rounds, s.get(RelayCounter.REFUSED_TTL_EXPIRED), s.toString());
            assertEquals(rounds, s.get(RelayCounter.REFUSED_TOO_SHORT), s.toString());
            assertEquals(rounds, s.get(RelayCounter.REFUSED_EMPTY_PAYLOAD), s.toString());
            assertEquals(2L * rounds, s.get(RelayCounter.REFUSED_LOOP), s.toString());
            assertEquals(rounds, s.get(RelayCounter.REFUSED_NO_ROUTE), s.toString());
            assertEquals(total, s.get(RelayCounter.RELAY2_SENT), s.toString());
            assertEquals(total, toC.get());
            // Nothing hostile reached C, and B amplified nothing.
            Message extra = c.readFrom(new byte[2048], Duration.ofMillis(200));
            assertEquals(null, extra, "C received a datagram it should not have");
            assertEquals(total, b.stats().get(TransportCounter.MESSAGES_SENT), b.stats().toString());
        } finally {
            closeAll();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRateLimitedNeighbourIsRefusedAndCountedAndClosingTheRelayGivesTheBytesBack() throws Exception {
        try {
            open(IOMode.NIO, k -> RelayConfig.builder(k).rateLimit(1, 5).build());
            PeerKey bk = b.hostInfo().publicKey();
            PeerKey ck = c.hostInfo().publicKey();
            for (int i = 0; i < 20; i++) {
                a.writeTo(bk, 66, relay0(8, 0, ck, inner(i, 5)));
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (relay.stats().get(RelayCounter.REFUSED_RATE_LIMITED) + relay.stats().get(RelayCounter.RELAY2_SENT) < 20
                    && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
            }
            long sent = relay.stats().get(RelayCounter.RELAY2_SENT);
            assertTrue(sent >= 5 && sent < 20, "burst 5 at 1/s: " + relay.stats());
            assertEquals(20 - sent, relay.stats().get(RelayCounter.REFUSED_RATE_LIMITED));
            // Closed: RELAY_0 is application data again on B.
            relay.close();
            relay = null;
            PeerKey ak = a.hostInfo().publicKey();
            assertTrue(a.writeTo(bk, 66, relay0(8, 0, ck, inner(99, 5))));
            byte[] buf = new byte[2048];
            Message m;
            do {
                m = b.readFrom(buf, WAIT);
            } while (m != null && m.protocol() != 66);
            assertTrue(m != null && m.sender().equals(ak), "B's application gets RELAY_0 after the relay closed");
        } finally {
            closeAll();
        }
    }
}
