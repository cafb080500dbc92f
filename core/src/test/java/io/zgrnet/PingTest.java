package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static io.zgrnet.TransportTestSupport.zgrnetThreads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Ping/pong between two transports on loopback: answers, RTT, refusals, close. */
class PingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static UDP[] pair(TransportConfig.Builder a, TransportConfig.Builder b) throws Exception {
        UDP x = UDP.open(a.build());
        UDP y = UDP.open(b.build());
        x.setPeerEndpoint(y.hostInfo().publicKey(), y.hostInfo().localAddress());
        y.setPeerEndpoint(x.hostInfo().publicKey(), x.hostInfo().localAddress());
        return new UDP[] {x, y};
    }

    private static void closeAndCheck(UDP... all) {
        for (UDP u : all) {
            u.close();
        }
        for (UDP u : all) {
            assertEquals(0, u.outstandingSlots(), "pool slots leaked");
        }
        assertTrue(zgrnetThreads().isEmpty(), "threads outlived the transports: " + zgrnetThreads());
    }

    private static void awaitCounter(UDP u, TransportCounter c, long n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (u.stats().get(c) < n && System.nanoTime() - deadline < 0) {
            Thread.sleep(2);
        }
        assertEquals(n, u.stats().get(c), c.key() + "; " + u.stats());
    }

    /** B's application never reads: its delivery agent answers; A's RTTs land in its PeerInfo. */
    @ParameterizedTest
    @EnumSource(value = IOMode.class, names = {"NIO", "MMSG", "URING"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pingsAreAnsweredWhileTheApplicationNeverReads(IOMode mode) throws Exception {
        BackendAssumptions.assumeAvailable(mode);
        UDP[] p = pair(config(mode), config(mode));
        UDP a = p[0];
        UDP b = p[1];
        try {
            PeerKey bk = b.hostInfo().publicKey();
            assertTrue(a.peerInfo(bk).lastRtt().isEmpty());
            b.startDelivery();
            for (int i = 0; i < 20; i++) {
                Duration rtt = a.ping(bk, WAIT); // the first one handshakes first
                assertFalse(rtt.isNegative());
            }
            assertTrue(a.peerInfo(bk).lastRtt().isPresent());
            assertTrue(a.peerInfo(bk).smoothedRtt().isPresent());
            // B counts an answer once its PONG is queued: the last PONG may reach A (and ping()
            // return) before B's thread gets to count it.
            awaitCounter(b, TransportCounter.PINGS_ANSWERED, 20);
            assertEquals(20, b.stats().get(TransportCounter.PINGS_ANSWERED));
            assertEquals(20, a.stats().get(TransportCounter.PINGS_SENT));
            assertEquals(20, a.stats().get(TransportCounter.PONGS_MATCHED));
            assertEquals(0, a.stats().get(TransportCounter.PINGS_LOST));
            assertTrue(b.peerInfo(a.hostInfo().publicKey()).lastRtt().isEmpty(), "B measured nothing");
        } finally {
            closeAndCheck(a, b);
        }
    }

    /** Without a delivery agent, the application's reads answer pings; pings never reach it. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theReadingApplicationAnswersAndSeesOnlyItsData() throws Exception {
        UDP[] p = pair(config(IOMode.NIO), config(IOMode.NIO));
        UDP a = p[0];
        UDP b = p[1];
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger seen = new AtomicInteger();
        AtomicInteger nonData = new AtomicInteger();
        Thread reader = Thread.ofPlatform().name("test-reader").start(() -> {
            while (!stop.get()) {
                TransportTestSupport.poll(b, (sender, protocol, payload, off, len) -> {
                    seen.incrementAndGet();
                    if (protocol != 0) {
                        nonData.incrementAndGet();
                    }
                }, 16);
                Thread.onSpinWait();
            }
        });
        try {
            PeerKey bk = b.hostInfo().publicKey();
            for (int i = 0; i < 10; i++) {
                a.ping(bk, WAIT);
                assertTrue(a.writeTo(bk, new byte[] {1}));
            }
            awaitCounter(b, TransportCounter.MESSAGES_DELIVERED, 20);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (seen.get() < 10 && System.nanoTime() - deadline < 0) {
                Thread.sleep(2);
            }
            assertEquals(10, seen.get());
            assertEquals(0, nonData.get(), "pings are the transport's, not the application's");
            assertEquals(10, b.stats().get(TransportCounter.PINGS_ANSWERED));
        } finally {
            stop.set(true);
            reader.join();
            closeAndCheck(a, b);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void malformedPingsStrayPongsAndTurnedOffAnswersAreCounted() throws Exception {
        UDP[] p = pair(config(IOMode.NIO), config(IOMode.NIO).answerPings(false));
        UDP a = p[0];
        UDP b = p[1];
        try {
            PeerKey ak = a.hostInfo().publicKey();
            PeerKey bk = b.hostInfo().publicKey();
            a.startDelivery();
            b.startDelivery();
            TimeoutException e = assertThrows(TimeoutException.class, () -> a.ping(bk, Duration.ofMillis(300)));
            assertTrue(e.getMessage().startsWith("no pong"), e.getMessage());
            awaitCounter(b, TransportCounter.DROP_PING_NOT_ANSWERED, 1);
            assertEquals(1, a.stats().get(TransportCounter.PINGS_LOST));
            assertEquals(0, a.pingTracker().outstanding());
            // A (answering) gets a short ping and two pongs that answer nothing of its own.
            assertTrue(b.writeTo(ak, 70, new byte[11]));
            assertTrue(b.writeTo(ak, 71, new byte[21]));
            assertTrue(b.writeTo(ak, 71, new byte[3]));
            awaitCounter(a, TransportCounter.DROP_PING_MALFORMED, 1);
            awaitCounter(a, TransportCounter.DROP_PONG_UNMATCHED, 2);
            assertEquals(0, a.stats().get(TransportCounter.PINGS_ANSWERED));
            // A 12-byte ping with a tail is answered (Go reads the first 12 bytes).
            assertTrue(b.writeTo(ak, 70, new byte[40]));
            awaitCounter(a, TransportCounter.PINGS_ANSWERED, 1);
            awaitCounter(b, TransportCounter.DROP_PONG_UNMATCHED, 1);
        } finally {
            closeAndCheck(a, b);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void closeWakesAWaitingPing() throws Exception {
        UDP[] p = pair(config(IOMode.NIO), config(IOMode.NIO).answerPings(false));
        UDP a = p[0];
        UDP b = p[1];
        try {
            PeerKey bk = b.hostInfo().publicKey();
            a.connect(bk, WAIT);
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    a.ping(bk, Duration.ofSeconds(50));
                    failure.complete(null);
                } catch (Throwable x) {
                    failure.complete(x);
                }
            });
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (a.stats().get(TransportCounter.PINGS_SENT) == 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(2);
            }
            a.close();
            assertTrue(failure.get(10, TimeUnit.SECONDS) instanceof TransportClosedException, String.valueOf(failure.get()));
            t.join();
            assertThrows(TransportClosedException.class, () -> a.ping(bk, WAIT));
        } finally {
            closeAndCheck(a, b);
        }
    }
}
