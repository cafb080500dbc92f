package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static io.zgrnet.TransportTestSupport.openFds;
import static io.zgrnet.TransportTestSupport.zgrnetThreads;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two zgrnet-java transports on loopback, for every backend. */
class TransportTest {
    @ParameterizedTest
    @EnumSource(value = IOMode.class, names = {"NIO", "MMSG", "URING"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void connectExchangeAndCloseCleanly(IOMode mode) throws Exception {
        BackendAssumptions.assumeAvailable(mode);
        long fdsBefore = openFds();
        UDP a = UDP.open(config(mode).build());
        UDP b = UDP.open(config(mode).build());
        try {
            a.setPeerEndpoint(b.hostInfo().publicKey(), b.hostInfo().localAddress());
            b.setPeerEndpoint(a.hostInfo().publicKey(), a.hostInfo().localAddress());
            a.connect(b.hostInfo().publicKey(), Duration.ofSeconds(10));
            assertEquals(PeerInfo.State.ESTABLISHED, a.peerInfo(b.hostInfo().publicKey()).state());

            byte[] buf = new byte[2048];
            for (int i = 0; i < 100; i++) {
                byte[] msg = ("a->b " + i).getBytes(StandardCharsets.UTF_8);
                assertTrue(a.writeTo(b.hostInfo().publicKey(), 128, msg));
                Message m = b.readFrom(buf, Duration.ofSeconds(10));
                assertNotNull(m, "message " + i + " did not arrive; stats " + b.stats());
                assertEquals(a.hostInfo().publicKey(), m.sender());
                assertEquals(128, m.protocol());
                assertEquals(new String(msg, StandardCharsets.UTF_8), new String(buf, 0, m.length(), StandardCharsets.UTF_8));
                // And back, on the responder's session.
                assertTrue(b.writeTo(a.hostInfo().publicKey(), msg));
                Message back = a.readFrom(buf, Duration.ofSeconds(10));
                assertNotNull(back);
                assertEquals(0, back.protocol());
            }
            assertEquals(mode.name().toLowerCase(), a.ioInfo().backend().split("-")[0].replace("uring", "uring"));
        } finally {
            a.close();
            b.close();
        }
        assertEquals(0, a.outstandingSlots(), "pool slots leaked by a");
        assertEquals(0, b.outstandingSlots(), "pool slots leaked by b");
        assertTrue(zgrnetThreads().isEmpty(), "threads outlived the transports: " + zgrnetThreads());
        assertEquals(fdsBefore, openFds(), "file descriptors leaked");
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void millionDatagramsInOrderWithoutLoss() throws Exception {
        int total = Integer.getInteger("zgrnet.test.million", 1_000_000);
        UDP a = UDP.open(config(IOMode.AUTO).build());
        UDP b = UDP.open(config(IOMode.AUTO).build());
        try {
            a.setPeerEndpoint(b.hostInfo().publicKey(), b.hostInfo().localAddress());
            b.setPeerEndpoint(a.hostInfo().publicKey(), a.hostInfo().localAddress());
            a.connect(b.hostInfo().publicKey(), Duration.ofSeconds(10));
            AtomicLong received = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().name("test-reader").start(() -> {
                byte[] buf = new byte[64];
                Message m = new Message();
                try {
                    for (long expected = 0; expected < total; expected++) {
                        if (!b.readFrom(m, buf, java.time.Duration.ofNanos(TimeUnit.SECONDS.toNanos(20)))) {
                            throw new AssertionError("stalled at " + expected + "; stats " + b.stats());
                        }
                        long got = java.nio.ByteBuffer.wrap(buf, 0, 8).getLong();
                        if (got != expected) {
                            throw new AssertionError("out of order or lost: expected " + expected + ", got " + got);
                        }
                        received.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            byte[] payload = new byte[32];
            // Stay below the queue limits: never more than a window ahead of the reader.
            long window = 512;
            for (long i = 0; i < total && failure.get() == null; i++) {
                while (i - received.get() >= window && failure.get() == null) {
                    Thread.onSpinWait();
                }
                java.nio.ByteBuffer.wrap(payload).putLong(0, i);
                while (!a.writeTo(b.hostInfo().publicKey(), payload)) {
                    Thread.onSpinWait(); // a full send queue drops and counts; retry
                }
            }
            reader.join(TimeUnit.SECONDS.toMillis(120));
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(total, received.get());
            assertEquals(0, b.stats().get(TransportCounter.DROP_REPLAYED));
            assertEquals(0, b.stats().get(TransportCounter.DROP_DECRYPT_FAILED));
        } finally {
            a.close();
            b.close();
        }
        assertEquals(0, a.outstandingSlots());
        assertEquals(0, b.outstandingSlots());
    }

    @Test
    void configErrorsNameTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TransportConfig.builder().build());
        assertTrue(e.getMessage().startsWith("privateKey"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> config(IOMode.NIO).receiveQueueSize(1000).build());
        assertTrue(e.getMessage().startsWith("receiveQueueSize"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config(IOMode.NIO).decryptWorkers(0).build());
        assertTrue(e.getMessage().startsWith("decryptWorkers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config(IOMode.NIO).poolSlots(100).build());
        assertTrue(e.getMessage().startsWith("poolSlots"), e.getMessage());
        assertFalse(config(IOMode.NIO).build().toString().contains("privateKey="));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void writeToUnknownPeerAndBadArgumentsThrowClearly() throws Exception {
        try (UDP a = UDP.open(config(IOMode.NIO).build())) {
            PeerKey stranger = PeerKey.of(new byte[32]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> a.writeTo(stranger, new byte[1]));
            assertTrue(e.getMessage().startsWith("key"), e.getMessage());
            PeerKey known = PeerKey.of(io.zgrnet.crypto.X25519.publicKey(TransportTestSupport.randomKey()));
            a.setPeerEndpoint(known, new java.net.InetSocketAddress("127.0.0.1", 9));
            e = assertThrows(IllegalArgumentException.class, () -> a.writeTo(known, 300, new byte[1]));
            assertTrue(e.getMessage().startsWith("protocol"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> a.writeTo(known, 0, new byte[a.maxPayload() + 1]));
            assertTrue(e.getMessage().startsWith("data"), e.getMessage());
            assertTrue(a.writeTo(known, new byte[1]), "no session yet: staged, a handshake starts");
            assertEquals(1, a.stats().get(TransportCounter.MESSAGES_STAGED));
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void closeWakesABlockedReader() throws Exception {
        UDP a = UDP.open(config(IOMode.AUTO).build());
        AtomicReference<Object> result = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                result.set(a.readFrom(new byte[16], Duration.ofSeconds(60)));
            } catch (Throwable t) {
                result.set(t);
            }
        });
        while (reader.getState() != Thread.State.TIMED_WAITING && reader.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        a.close();
        reader.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(reader.isAlive(), "reader still blocked after close");
        assertTrue(result.get() instanceof TransportClosedException, "the blocked reader learns of the close: "
                + result.get());
    }

    static void assertPayload(byte[] expected, byte[] buf, Message m) {
        byte[] got = java.util.Arrays.copyOf(buf, m.length());
        assertArrayEquals(expected, got);
    }
}
