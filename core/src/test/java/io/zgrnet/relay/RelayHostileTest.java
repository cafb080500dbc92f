package io.zgrnet.relay;

import static io.zgrnet.relay.RelayedTopology.WAIT;
import static io.zgrnet.relay.RelayedTopology.connect;
import static io.zgrnet.relay.RelayedTopology.flow;
import static io.zgrnet.relay.RelayedTopology.inThread;
import static io.zgrnet.relay.RelayedTopology.sendRandom;
import static io.zgrnet.relay.RelayedTopology.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.IOMode;
import io.zgrnet.Message;
import io.zgrnet.PeerKey;
import io.zgrnet.TransportCounter;
import io.zgrnet.UDP;
import io.zgrnet.host.ServiceHost;
import io.zgrnet.host.ServiceHosts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile inputs around a relayed session ({@link RelayedTopology}), each refused and counted
 * while legitimate relayed traffic between A and C keeps flowing through B: a lying relay L (it
 * names itself as the RELAY_2 src of what it forwards), malformed RELAY_2 bodies, a relayed
 * handshake flood, and at the relay a flood from one neighbour, oversize bodies, loops and
 * unknown destinations.
 */
class RelayHostileTest {

    /**
     * Makes {@code liar} forward RELAY_0 as RELAY_2 with itself as src: a relay that lies about
     * where a datagram came from (Go would deliver it as from the liar; we must not).
     */
    private static void lieAboutSources(UDP liar) throws Exception {
        ServiceHost<PeerKey> host = ServiceHosts.of(liar);
        MemorySegment self = MemorySegment.ofArray(liar.hostInfo().publicKey().toBytes());
        MemorySegment out = Arena.ofAuto().allocate(4096);
        host.handle(66, (from, protocol, body, off, len) -> {
            PeerKey dst = PeerKey.of(body.asSlice(off + 2, 32).toArray(ValueLayout.JAVA_BYTE));
            MemorySegment.copy(self, 0, out, 0, 32);
            MemorySegment.copy(body, off + 34, out, 32, len - 34);
            host.send(dst, 68, out, 0, len - 2);
        });
        host.startDelivery();
    }

    private static void await(LongSupplier counter, long atLeast, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (counter.getAsLong() < atLeast && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        assertTrue(counter.getAsLong() >= atLeast, what + ": " + counter.getAsLong() + " < " + atLeast);
    }

    private static byte[] relay2(PeerKey src, byte[] inner) {
        return ByteBuffer.allocate(32 + inner.length).put(src.toBytes()).put(inner).array();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aLyingRelayAndForgedRelayedDatagramsAreRefusedWhileTheRelayedSessionFlows() throws Exception {
        try (RelayedTopology t = RelayedTopology.open(IOMode.NIO, k -> RelayConfig.builder(k).rateLimit(0, 1).build())) {
            UDP liar = t.node(true);
            PeerKey lk = liar.hostInfo().publicKey();
            connect(liar, t.c); // L is C's neighbour
            connect(t.a, liar); // and A's
            lieAboutSources(liar);
            t.a.connect(t.ck, WAIT);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong toA = new AtomicLong();
            int total = 3_000;
            Thread ca = flow(t.c, t.a, total, 7, toA, failure); // legitimate, through B, all along

            // A's datagrams for C now go through L, which names itself as their source.
            t.a.setPeerRelay(t.ck, lk);
            int lies = 200;
            for (int i = 0; i < lies; i++) {
                send(t.a, t.ck, 0, new byte[] {1, (byte) i});
            }
            await(() -> t.c.stats().get(TransportCounter.DROP_RELAYED_SOURCE_MISMATCH), lies, "lies refused");

            // L delivers malformed RELAY_2 bodies and a flood of junk relayed initiations.
            SecureRandom random = new SecureRandom();
            int rounds = 50;
            for (int i = 0; i < rounds; i++) {
                send(liar, t.ck, 68, new byte[20]);                                   // shorter than src
                send(liar, t.ck, 68, relay2(t.ak, new byte[0]));                       // empty inner
                send(liar, t.ck, 68, relay2(t.ak, new byte[] {9, 0, 0, 0, 0, 0}));    // no such type
                send(liar, t.ck, 68, relay2(t.ak, new byte[] {4, 1, 2, 3, 4, 5}));    // short transport
            }
            int junkInits = 300;
            for (int i = 0; i < junkInits; i++) {
                byte[] init = new byte[85];
                random.nextBytes(init);
                init[0] = 1;
                send(liar, t.ck, 68, relay2(lk, init));
            }
            await(() -> t.c.stats().get(TransportCounter.DROP_RELAYED_MALFORMED), 4L * rounds, "malformed refused");
            LongSupplier initsDone = () -> t.c.stats().get(TransportCounter.DROP_RELAYED_HANDSHAKE_LIMITED)
                    + t.c.stats().get(TransportCounter.DROP_HANDSHAKE_DECRYPT_FAILED)
                    + t.c.stats().get(TransportCounter.DROP_HANDSHAKE_INVALID_KEY)
                    + t.c.stats().get(TransportCounter.DROP_HANDSHAKE_MALFORMED);
            await(initsDone, junkInits, "junk initiations refused");

            // E connects to C through L: L names itself as the initiator, C refuses the handshake.
            UDP e = t.node(false);
            connect(e, liar);
            e.setPeerRelay(t.ck, lk);
            long before = t.c.stats().get(TransportCounter.DROP_RELAYED_SOURCE_MISMATCH);
            CompletableFuture<Void> never = e.connectAsync(t.ck);
            await(() -> t.c.stats().get(TransportCounter.DROP_RELAYED_SOURCE_MISMATCH), before + 1,
                    "relayed initiation with a lying src refused");
            e.close(); // no retry of its initiation (every 5 s) can move the count any more

            // Back through B: A's datagrams reach C again.
            t.a.setPeerRelay(t.ck, t.bk);
            assertTrue(t.a.writeTo(t.ck, new byte[] {2, 2}));
            byte[] buf = new byte[2048];
            Message m = t.c.readFrom(buf, WAIT);
            assertNotNull(m, "C " + t.c.stats());
            assertEquals(t.ak, m.sender());
            assertEquals(2, buf[0], "nothing from the lies reached C's application");

            ca.join(TimeUnit.SECONDS.toMillis(60));
            if (failure.get() != null) {
                throw new AssertionError("C " + t.c.stats() + "\nA " + t.a.stats(), failure.get());
            }
            assertEquals(total, toA.get(), "the legitimate relayed flow");
            assertEquals(lies + 1, t.c.stats().get(TransportCounter.DROP_RELAYED_SOURCE_MISMATCH), t.c.stats().toString());
            assertEquals(4L * rounds, t.c.stats().get(TransportCounter.DROP_RELAYED_MALFORMED), t.c.stats().toString());
            assertTrue(t.c.stats().get(TransportCounter.DROP_RELAYED_HANDSHAKE_LIMITED) > 0, t.c.stats().toString());
            assertFalse(never.isDone() && !never.isCompletedExceptionally(), "E got no session with C");
            assertNull(t.c.readFrom(buf, Duration.ofMillis(100)), "C's application got nothing else");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aFloodOversizeLoopsAndUnknownRoutesAtTheRelayAreRefusedWhileTheRelayedSessionFlows() throws Exception {
        int maxBody = 1500; // above a relayed full-size stream datagram (RELAY_2 body 1469)
        int burst = 1000;
        try (RelayedTopology t = RelayedTopology.open(IOMode.NIO,
                k -> RelayConfig.builder(k).rateLimit(2500, burst).maxBodyLength(maxBody).build())) {
            UDP flooder = t.node(false);
            PeerKey fk = flooder.hostInfo().publicKey();
            connect(flooder, t.b);
            t.a.connect(t.ck, WAIT);
            // The legitimate traffic is a stream (KCP resends what the flood makes the shared
            // receive rings drop before any rate limit can see it: B decrypts before it counts).
            long total = 2L << 20;
            FutureTask<byte[]> received = inThread(() -> sha256(t.c, t.ak, total));
            FutureTask<byte[]> sent = inThread(() -> sendRandom(t.a, t.ck, total));

            PeerKey stranger = PeerKey.of(new byte[] {
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
                28, 29, 30, 31, 32});
            byte[] junk = new byte[100];
            junk[0] = 4;
            int rounds = 20;
            for (int i = 0; i < rounds; i++) {
                send(flooder, t.bk, 66, relay0(t.ck, new byte[maxBody]));   // RELAY_2 body > maxBodyLength
                send(flooder, t.bk, 66, relay0(t.bk, junk));                // to the relay itself
                send(flooder, t.bk, 66, relay0(fk, junk));                  // back to the sender
                send(flooder, t.bk, 66, relay0(stranger, junk));            // nobody B knows
                Thread.sleep(1);
            }
            // 20,000 at about 10,000/s, four times B's limit for one neighbour, in bursts the
            // receive queues absorb (a flood that overflows a socket or ring loses everyone's
            // datagrams before any relay can count it: that is UDP, not the relay's rate limit).
            for (int i = 0; i < 200; i++) {
                for (int j = 0; j < 100; j++) {
                    flooder.writeTo(t.bk, 66, relay0(t.ck, junk));
                }
                Thread.sleep(10);
            }
            try {
                assertArrayEquals(sent.get(60, TimeUnit.SECONDS), received.get(60, TimeUnit.SECONDS),
                        "the stream A to C through B, every byte");
            } catch (Exception | AssertionError e) {
                throw new AssertionError("relay " + t.relay.stats() + "\nA " + t.a.stats() + "\nB " + t.b.stats()
                        + "\nC " + t.c.stats() + "\nA streams " + t.a.streamStats() + "\nC streams "
                        + t.c.streamStats(), e);
            }
            RelayStats s = t.relay.stats();
            await(() -> t.relay.stats().get(RelayCounter.REFUSED_NO_ROUTE), rounds, "unknown destinations");
            assertEquals(rounds, s.get(RelayCounter.REFUSED_OVERSIZE), s.toString());
            assertEquals(2L * rounds, s.get(RelayCounter.REFUSED_LOOP), s.toString());
            assertTrue(s.get(RelayCounter.REFUSED_RATE_LIMITED) > 0, s.toString());
            // The flood's forwarded junk is dropped at C by index, never delivered; B amplified nothing.
            assertTrue(t.c.stats().get(TransportCounter.DROP_UNKNOWN_INDEX) > 0, t.c.stats().toString());
            assertEquals(s.get(RelayCounter.RELAY2_SENT) + t.b.stats().get(TransportCounter.PINGS_ANSWERED),
                    t.b.stats().get(TransportCounter.MESSAGES_SENT), t.b.stats().toString());
        }
    }

    /** Sends until the send path takes it: the counts asserted are of messages that were sent. */
    private static void send(UDP from, PeerKey to, int protocol, byte[] body) throws Exception {
        while (!from.writeTo(to, protocol, body)) {
            Thread.onSpinWait();
        }
    }

    private static byte[] relay0(PeerKey dst, byte[] payload) {
        return ByteBuffer.allocate(34 + payload.length).put((byte) 8).put((byte) 0).put(dst.toBytes()).put(payload)
                .array();
    }
}
