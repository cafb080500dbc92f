package io.zgrnet.relay;

import static io.zgrnet.relay.RelayedTopology.WAIT;
import static io.zgrnet.relay.RelayedTopology.flow;
import static io.zgrnet.relay.RelayedTopology.inThread;
import static io.zgrnet.relay.RelayedTopology.sendRandom;
import static io.zgrnet.relay.RelayedTopology.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.IOMode;
import io.zgrnet.Message;
import io.zgrnet.PeerKey;
import io.zgrnet.TransportCounter;
import io.zgrnet.host.ServiceHost;
import io.zgrnet.host.ServiceHosts;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A zgrnet session between A and C through the relay B ({@link RelayedTopology}): the end-to-end
 * handshake, datagrams and a stream all travel inside RELAY_0/RELAY_2, and B never opens them.
 */
class RelayedSessionTest {
    private static final System.Logger LOG = System.getLogger(RelayedSessionTest.class.getName());

    private static RelayConfig dedicated(PeerKey k) {
        return RelayConfig.builder(k).rateLimit(0, 1).build(); // as `zgrnet relay --rate 0`
    }

    @ParameterizedTest
    @EnumSource(value = IOMode.class, names = {"NIO", "MMSG", "URING"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aHandshakesWithCThroughBAndTenThousandDatagramsGoEachWay(IOMode mode) throws Exception {
        try (RelayedTopology t = RelayedTopology.open(mode, RelayedSessionTest::dedicated)) {
            t.a.connect(t.ck, WAIT); // the relayed handshake: A has no address for C
            int total = 10_000;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong toC = new AtomicLong();
            AtomicLong toA = new AtomicLong();
            long start = System.nanoTime();
            Thread ac = flow(t.a, t.c, total, 1, toC, failure);
            // C knows A only from the relayed handshake: it answers through B without any configuration of A.
            Thread ca = flow(t.c, t.a, total, 2, toA, failure);
            ac.join(TimeUnit.SECONDS.toMillis(100));
            ca.join(TimeUnit.SECONDS.toMillis(100));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (failure.get() != null) {
                throw new AssertionError("relay " + t.relay.stats() + "\nA " + t.a.stats() + "\nC " + t.c.stats(),
                        failure.get());
            }
            assertEquals(total, toC.get());
            assertEquals(total, toA.get());
            LOG.log(System.Logger.Level.INFO, "{0}: 2 x {1} relayed datagrams in {2} ms", mode, total, ms);
            // Every end-to-end datagram (and the handshake) went through B: RELAY_0 in, RELAY_2 out.
            assertTrue(t.relay.stats().get(RelayCounter.RELAY2_SENT) >= 2L * total + 2, t.relay.stats().toString());
            assertTrue(t.c.stats().get(TransportCounter.RELAYED_RECEIVED) >= total, t.c.stats().toString());
            assertTrue(t.a.stats().get(TransportCounter.RELAYED_SENT) >= total + 1, t.a.stats().toString());
            assertEquals(0, t.c.stats().get(TransportCounter.DROP_RELAYED_SOURCE_MISMATCH));
            assertEquals(0, t.relay.stats().get(RelayCounter.FORWARDS_NOT_SENT));
            // C has no address for A: it reaches it through B, learned from the handshake.
            assertEquals(t.b.hostInfo().localAddress(), t.c.peerInfo(t.ak).endpoint());
        }
    }

    @ParameterizedTest
    @EnumSource(value = IOMode.class, names = {"NIO", "MMSG", "URING"})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void tenMegabytesStreamThroughTheRelayEveryByteChecked(IOMode mode) throws Exception {
        try (RelayedTopology t = RelayedTopology.open(mode, RelayedSessionTest::dedicated)) {
            long total = 10L << 20;
            FutureTask<byte[]> received = inThread(() -> sha256(t.c, t.ak, total));
            long start = System.nanoTime();
            byte[] sent = sendRandom(t.a, t.ck, total);
            assertArrayEquals(sent, received.get(150, TimeUnit.SECONDS), "SHA-256 of the 10 MB");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            LOG.log(System.Logger.Level.INFO, "{0}: 10 MB stream through the relay in {1} ms", mode, ms);
            assertTrue(t.c.stats().get(TransportCounter.RELAYED_RECEIVED) > (10L << 20) / 1500,
                    "the stream went through B: " + t.c.stats());
            assertEquals(0, t.relay.stats().get(RelayCounter.FORWARDS_NOT_SENT), t.relay.stats().toString());
        }
    }

    /**
     * C speaks right behind its relayed response, while A's control agent is slow to handle that
     * response (held here for 500 ms, as a cold JIT or a descheduled thread would). A's reader,
     * blocked in readFrom, takes the response and hands it to the agent, then meets C's datagram
     * on the index still pending: it must wait for the agent, not for a clock, and deliver it.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRelayedDatagramRightBehindItsResponseWaitsForTheSessionHoweverLongTheResponseTakes() throws Exception {
        try (RelayedTopology t = RelayedTopology.open(IOMode.NIO, RelayedSessionTest::dedicated)) {
            var connected = t.a.connectAsync(t.ck);
            FutureTask<byte[]> read = inThread(() -> {
                byte[] buf = new byte[64];
                Message m = t.a.readFrom(buf, WAIT);
                return m == null ? null : Arrays.copyOf(buf, m.length());
            });
            // Commands run in order: the agent sends the initiation, then takes the hold.
            try (AutoCloseable hold = io.zgrnet.TransportTestSupport.holdControlAgent(t.a)) {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (t.c.stats().get(TransportCounter.HANDSHAKES_RESPONDED) < 1) {
                    assertTrue(System.nanoTime() < deadline, "C answered within 10 s: " + t.c.stats());
                    Thread.sleep(1);
                }
                assertTrue(t.c.writeTo(t.ak, "first".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        "C sends on its new session at once");
                Thread.sleep(500); // longer than any clock-bounded wait for the session would be
            }
            connected.get(10, TimeUnit.SECONDS);
            byte[] first = read.get(15, TimeUnit.SECONDS);
            assertEquals("first", first == null ? null : new String(first, java.nio.charset.StandardCharsets.UTF_8),
                    t.a.stats().toString());
            assertEquals(0, t.a.stats().get(TransportCounter.DROP_UNKNOWN_INDEX), t.a.stats().toString());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRelayedPingIsNotAnsweredDataFlowsOnAndARemovedRelayIsCounted() throws Exception {
        try (RelayedTopology t = RelayedTopology.open(IOMode.NIO, RelayedSessionTest::dedicated)) {
            t.a.connect(t.ck, WAIT);
            // A PING inside the end-to-end session reaches C's application, unanswered (as zgrnet Go).
            long answered = t.c.stats().get(TransportCounter.PINGS_ANSWERED);
            assertThrows(TimeoutException.class, () -> t.a.ping(t.ck, Duration.ofMillis(500)));
            byte[] buf = new byte[64];
            Message m = t.c.readFrom(buf, WAIT);
            assertNotNull(m, "C got nothing");
            assertEquals(70, m.protocol(), "the relayed PING goes to C's application");
            assertEquals(t.ak, m.sender());
            assertEquals(answered, t.c.stats().get(TransportCounter.PINGS_ANSWERED));
            assertTrue(t.a.writeTo(t.ck, new byte[] {42}));
            m = t.c.readFrom(buf, WAIT);
            assertNotNull(m);
            assertEquals(42, buf[0]);
            // setPeerRelay wants a relay with a direct endpoint, and not the peer itself.
            assertThrows(IllegalArgumentException.class, () -> t.a.setPeerRelay(t.bk, t.ck));
            assertThrows(IllegalArgumentException.class, () -> t.a.setPeerRelay(t.ck, t.ck));
            assertNull(t.c.readFrom(buf, Duration.ofMillis(100)));
            // Without its relay, C cannot be reached: refused and counted, no slot kept (close checks).
            t.a.removePeer(t.bk);
            assertFalse(t.a.writeTo(t.ck, new byte[] {43}));
            assertEquals(1, t.a.stats().get(TransportCounter.DROP_RELAY_UNREACHABLE), t.a.stats().toString());
        }
    }

    /** What A puts on the wire for C, seen by a B that only records: zgrnet's RELAY_0 layout. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theSourceWritesRelay0AsZgrnetDoes() throws Exception {
        try (RelayedTopology t = RelayedTopology.open(IOMode.NIO, RelayedSessionTest::dedicated)) {
            t.relay.close(); // B records 66 instead of relaying it
            BlockingQueue<byte[]> seen = new ArrayBlockingQueue<>(16);
            ServiceHost<PeerKey> host = ServiceHosts.of(t.b);
            host.handle(66, (from, protocol, body, off, len) -> {
                assertEquals(t.ak, from);
                seen.offer(body.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE));
            });
            t.a.connectAsync(t.ck);
            byte[] wrapped = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(wrapped, "B saw no RELAY_0; A " + t.a.stats());
            assertEquals(34 + 85, wrapped.length, "RELAY_0 header and a handshake initiation");
            assertEquals(8, wrapped[0], "ttl");
            assertEquals(0, wrapped[1], "strategy");
            assertArrayEquals(t.ck.toBytes(), Arrays.copyOfRange(wrapped, 2, 34), "dst");
            assertEquals(1, wrapped[34], "the inner datagram: an initiation");
            assertEquals(1, t.a.stats().get(TransportCounter.RELAYED_SENT));
        }
    }
}
