package io.zgrnet.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.IOMode;
import io.zgrnet.Message;
import io.zgrnet.PeerKey;
import io.zgrnet.StreamChannel;
import io.zgrnet.TransportConfig;
import io.zgrnet.TransportCounter;
import io.zgrnet.UDP;
import io.zgrnet.io.select.BackendKind;
import io.zgrnet.io.select.BackendSelector;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A zgrnet session between A and C through the relay B, on loopback: A and C know only B's
 * address; B is what {@code zgrnet relay --allow-unknown} runs (unknown peers allowed, a
 * {@link RelayNode} without routes or rate limit); C allows unknown peers (it learns A from the
 * relayed handshake); A reaches C with {@code setPeerRelay(C, B)}. The end-to-end handshake,
 * datagrams and a stream all travel inside RELAY_0/RELAY_2, and B never opens them.
 */
class RelayedSessionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int WINDOW = 256;

    private UDP a;
    private UDP b;
    private UDP c;
    private RelayNode relay;
    private PeerKey ak;
    private PeerKey bk;
    private PeerKey ck;

    private static TransportConfig.Builder config(IOMode mode, boolean allowUnknown) {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return TransportConfig.builder().privateKey(k).ioMode(mode).decryptWorkers(1).poolSlots(4096)
                .receiveQueueSize(1024).sendQueueSize(1024).allowUnknownPeers(allowUnknown);
    }

    /** A and C connect to B (and prove B's responder sessions with a ping); A routes C through B. */
    private void open(IOMode mode) throws Exception {
        String cause = BackendSelector.unavailabilityCause(BackendKind.valueOf(mode.name()));
        Assumptions.assumeTrue(cause == null, () -> mode + " unavailable here: " + cause);
        b = UDP.open(config(mode, true).build());
        a = UDP.open(config(mode, false).build());
        c = UDP.open(config(mode, true).build());
        ak = a.hostInfo().publicKey();
        bk = b.hostInfo().publicKey();
        ck = c.hostInfo().publicKey();
        relay = RelayNode.start(b, RelayConfig.builder(bk).rateLimit(0, 1).build(), new RouteTable(16, 16), 64);
        for (UDP end : new UDP[] {a, c}) {
            end.setPeerEndpoint(bk, b.hostInfo().localAddress());
            end.connect(bk, WAIT);
            end.ping(bk, WAIT); // proves B's responder session: B may now send to us
        }
        a.setPeerRelay(ck, bk);
    }

    @AfterEach
    void closeAll() {
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
    }

    private static byte[] datagram(long seq, int filler, int size) {
        ByteBuffer bb = ByteBuffer.allocate(size).putLong(seq);
        while (bb.hasRemaining()) {
            bb.put((byte) (filler + seq + bb.position()));
        }
        return bb.array();
    }

    /**
     * {@code total} datagrams from {@code from} to {@code to}, at most {@link #WINDOW} ahead of the
     * receiver, which checks sender, order and bytes of each.
     */
    private static Thread flow(UDP from, UDP to, int total, int filler, AtomicLong received,
                               AtomicReference<Throwable> failure) {
        PeerKey src = from.hostInfo().publicKey();
        PeerKey dst = to.hostInfo().publicKey();
        Thread reader = Thread.ofPlatform().name("test-reader-" + filler).start(() -> {
            byte[] buf = new byte[2048];
            Message m = new Message();
            try {
                for (long i = 0; i < total; i++) {
                    if (!to.readFrom(m, buf, WAIT)) {
                        throw new AssertionError("stalled at " + i + "; receiver " + to.stats());
                    }
                    assertEquals(src, m.sender(), "attributed to the end-to-end peer, not the relay");
                    assertEquals(0, m.protocol());
                    int size = 64 + (int) (i % 900);
                    assertEquals(size, m.length());
                    assertArrayEquals(datagram(i, filler, size), java.util.Arrays.copyOf(buf, m.length()),
                            "datagram " + i + " whole and in order");
                    received.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        Thread sender = Thread.ofPlatform().name("test-sender-" + filler).start(() -> {
            try {
                for (long i = 0; i < total && failure.get() == null; i++) {
                    while (i - received.get() >= WINDOW && failure.get() == null) {
                        Thread.onSpinWait();
                    }
                    byte[] d = datagram(i, filler, 64 + (int) (i % 900));
                    while (!from.writeTo(dst, d)) {
                        Thread.onSpinWait(); // a full queue drops and counts: retry
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        return Thread.ofPlatform().start(() -> {
            try {
                sender.join();
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @ParameterizedTest
    @EnumSource(value = IOMode.class, names = {"NIO", "MMSG", "URING"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aHandshakesWithCThroughBAndTenThousandDatagramsGoEachWay(IOMode mode) throws Exception {
        open(mode);
        a.connect(ck, WAIT); // the relayed handshake: A has no address for C
        int total = 10_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong toC = new AtomicLong();
        AtomicLong toA = new AtomicLong();
        long start = System.nanoTime();
        Thread ac = flow(a, c, total, 1, toC, failure);
        // C knows A only from the relayed handshake: its first datagram proves the session, and
        // C answers through B without any configuration of A.
        Thread ca = flow(c, a, total, 2, toA, failure);
        ac.join(TimeUnit.SECONDS.toMillis(100));
        ca.join(TimeUnit.SECONDS.toMillis(100));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (failure.get() != null) {
            throw new AssertionError("relay " + relay.stats() + "\nA " + a.stats() + "\nC " + c.stats(), failure.get());
        }
        assertEquals(total, toC.get());
        assertEquals(total, toA.get());
        System.getLogger(getClass().getName()).log(System.Logger.Level.INFO,
                "{0}: 2 x {1} relayed datagrams in {2} ms", mode, total, ms);
        // Every end-to-end datagram (and the handshake) went through B as RELAY_0 in, RELAY_2 out.
        assertTrue(relay.stats().get(RelayCounter.RELAY2_SENT) >= 2L * total + 2, relay.stats().toString());
        assertTrue(c.stats().get(TransportCounter.RELAYED_RECEIVED) >= total, c.stats().toString());
        assertTrue(a.stats().get(TransportCounter.RELAYED_SENT) >= total + 1, a.stats().toString());
        assertEquals(0, c.stats().get(TransportCounter.DROP_RELAYED_SOURCE_MISMATCH));
        assertEquals(0, relay.stats().get(RelayCounter.FORWARDS_NOT_SENT));
        // C has no address for A: it reaches it through B, learned from the handshake.
        assertEquals(b.hostInfo().localAddress(), c.peerInfo(ak).endpoint());
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void tenMegabytesStreamThroughTheRelayEveryByteChecked() throws Exception {
        open(IOMode.NIO);
        long total = 10L << 20;
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (StreamChannel s = c.acceptStream(Duration.ofSeconds(60))) {
                assertNotNull(s, "C accepted no stream");
                assertEquals(ak, s.peer());
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                InputStream in = s.inputStream();
                byte[] buf = new byte[65536];
                long n = 0;
                int r;
                while ((r = in.read(buf)) >= 0) {
                    md.update(buf, 0, r);
                    n += r;
                }
                assertEquals(total, n, "bytes received");
                return md.digest();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        long start = System.nanoTime();
        try (StreamChannel s = a.openStream(ck)) {
            OutputStream out = s.outputStream();
            Random r = new Random(17);
            byte[] buf = new byte[32768];
            for (long n = 0; n < total; n += buf.length) {
                r.nextBytes(buf);
                sent.update(buf);
                out.write(buf);
            }
            s.shutdownOutput();
            assertArrayEquals(sent.digest(), received.get(150, TimeUnit.SECONDS), "SHA-256 of the 10 MB");
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.getLogger(getClass().getName()).log(System.Logger.Level.INFO, "10 MB relayed stream in {0} ms", ms);
        assertEquals(0, relay.stats().get(RelayCounter.FORWARDS_NOT_SENT), relay.stats().toString());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRelayedPingIsNotAnsweredAndAnUnreachableRelayIsCounted() throws Exception {
        open(IOMode.NIO);
        a.connect(ck, WAIT);
        // A PING inside the end-to-end session reaches C's application (as zgrnet Go does), unanswered.
        long answered = c.stats().get(TransportCounter.PINGS_ANSWERED);
        assertThrows(TimeoutException.class, () -> a.ping(ck, Duration.ofMillis(500)));
        byte[] buf = new byte[64];
        Message m = c.readFrom(buf, WAIT);
        assertNotNull(m, "C got nothing");
        assertEquals(70, m.protocol(), "the relayed PING goes to C's application");
        assertEquals(ak, m.sender());
        assertEquals(answered, c.stats().get(TransportCounter.PINGS_ANSWERED));
        // Data still flows after it.
        assertTrue(a.writeTo(ck, new byte[] {42}));
        m = c.readFrom(buf, WAIT);
        assertNotNull(m);
        assertEquals(42, buf[0]);
        // setPeerRelay refuses a relay without a direct endpoint.
        assertThrows(IllegalArgumentException.class, () -> a.setPeerRelay(bk, ck));
        assertThrows(IllegalArgumentException.class, () -> a.setPeerRelay(ck, ck));
        assertNull(c.readFrom(buf, Duration.ofMillis(100)));
    }
}
