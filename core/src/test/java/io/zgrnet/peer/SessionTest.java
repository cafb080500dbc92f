package io.zgrnet.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.noise.SessionKeys;
import io.zgrnet.wire.ProtocolByte;
import io.zgrnet.wire.TransportHeader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SessionTest {
    private static final int A_INDEX = 0x11223344;
    private static final int B_INDEX = 0xCAFEBABE;

    private static SessionKeys keys(boolean a) {
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        Arrays.fill(k1, (byte) 1);
        Arrays.fill(k2, (byte) 2);
        return a ? SessionKeys.of(k1, k2, A_INDEX, B_INDEX, new byte[32], true)
                 : SessionKeys.of(k2, k1, B_INDEX, A_INDEX, new byte[32], false);
    }

    private final Session a = new Session(keys(true));
    private final Session b = new Session(keys(false));

    private static MemorySegment buf(int n) {
        return MemorySegment.ofArray(new byte[n]);
    }

    private static byte[] bytes(MemorySegment s, long off, int n) {
        return s.asSlice(off, n).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void roundTripsPayloadsOfEverySizeClass() {
        Random r = new Random(7);
        for (int len : new int[] {0, 1, 15, 16, 17, 63, 64, 65, 1200, 1400, TransportHeader.MAX_PAYLOAD_LENGTH}) {
            byte[] payload = new byte[len];
            r.nextBytes(payload);
            MemorySegment d = buf(len + TransportHeader.OVERHEAD);
            int n = a.seal(ProtocolByte.UDP, MemorySegment.ofArray(payload), 0, len, d, 0);
            assertEquals(len + TransportHeader.OVERHEAD, n);
            assertEquals(B_INDEX, TransportHeader.receiverIndex(d, 0));
            MemorySegment out = buf(len + 1);
            assertEquals(len + 1, b.open(d, 0, n, out, 0));
            assertEquals(ProtocolByte.UDP, out.get(ValueLayout.JAVA_BYTE, 0));
            assertArrayEquals(payload, bytes(out, 1, len));
        }
        assertEquals(TransportHeader.MAX_DATAGRAM_LENGTH, TransportHeader.MAX_PAYLOAD_LENGTH + TransportHeader.OVERHEAD);
    }

    @Test
    void keepaliveIsAnEmptyPlaintext() {
        MemorySegment d = buf(64);
        assertEquals(TransportHeader.MIN_DATAGRAM_LENGTH, a.sealKeepalive(d, 0));
        assertEquals(0, b.open(d, 0, 29, buf(1), 0));
        // A protocol byte with no payload is not a keepalive.
        assertEquals(30, a.seal(ProtocolByte.KCP, MemorySegment.NULL, 0, 0, d, 0));
        MemorySegment out = buf(1);
        assertEquals(1, b.open(d, 0, 30, out, 0));
        assertEquals(ProtocolByte.KCP, out.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void sealsInPlaceAndOpensInPlaceOffHeap() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = arena.allocate(2048);
            byte[] payload = "zero-copy payload".getBytes();
            MemorySegment.copy(MemorySegment.ofArray(payload), 0, slot, 100 + 14, payload.length);
            int n = a.seal(ProtocolByte.RAW, slot, 100 + 14, payload.length, slot, 100);
            assertEquals(payload.length + TransportHeader.OVERHEAD, n);
            int m = b.open(slot, 100, n, slot, 100 + TransportHeader.LENGTH);
            assertEquals(payload.length + 1, m);
            assertArrayEquals(payload, bytes(slot, 100 + 14, payload.length));
            // Overlap the other way: payload sits where the header goes.
            MemorySegment.copy(MemorySegment.ofArray(payload), 0, slot, 500, payload.length);
            n = a.seal(ProtocolByte.RAW, slot, 500, payload.length, slot, 500);
            assertEquals(payload.length + 1, b.open(slot, 500, n, slot, 1000));
            assertArrayEquals(payload, bytes(slot, 1001, payload.length));
        }
    }

    @Test
    void oversizedPayloadIsRefusedWithoutTakingACounter() {
        int len = TransportHeader.MAX_PAYLOAD_LENGTH + 1;
        assertEquals(TransportResult.PAYLOAD_TOO_LARGE, a.seal(0, buf(len), 0, len, buf(len + 40), 0));
        assertEquals(0, a.nextSendCounter());
    }

    @Test
    void programmingErrorsThrow() {
        MemorySegment d = buf(64);
        assertThrows(IllegalArgumentException.class, () -> a.seal(256, MemorySegment.NULL, 0, 0, d, 0));
        assertThrows(IllegalArgumentException.class, () -> a.seal(-2, MemorySegment.NULL, 0, 0, d, 0));
        assertThrows(IllegalArgumentException.class, () -> a.seal(ProtocolByte.NONE, buf(3), 0, 3, d, 0));
        assertThrows(IllegalArgumentException.class, () -> a.seal(0, buf(3), 0, -1, d, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> a.seal(0, buf(40), 0, 40, d, 0));
    }

    @Test
    void senderRefusesCountersFromTheLimit() {
        MemorySegment d = buf(64);
        // Explicit counters: 2^64-3 is the largest zgrnet's Encrypt allows.
        assertEquals(30, a.sealAt(-3L, 0, MemorySegment.NULL, 0, 0, d, 0));
        assertEquals(1, b.open(d, 0, 30, buf(1), 0));
        assertEquals(TransportResult.COUNTER_EXHAUSTED, a.sealAt(-2L, 0, MemorySegment.NULL, 0, 0, d, 0));
        assertEquals(TransportResult.COUNTER_EXHAUSTED, a.sealAt(-1L, 0, MemorySegment.NULL, 0, 0, d, 0));
        // Automatic counters stop at REJECT_AFTER_MESSAGES, and stay stopped.
        Session nearEnd = new Session(keys(true), ProtocolLimits.REJECT_AFTER_MESSAGES - 1);
        assertEquals(29, nearEnd.sealKeepalive(d, 0));
        assertEquals(ProtocolLimits.REJECT_AFTER_MESSAGES - 1, TransportHeader.counter(d, 0));
        assertEquals(TransportResult.COUNTER_EXHAUSTED, nearEnd.sealKeepalive(d, 0));
        assertEquals(TransportResult.COUNTER_EXHAUSTED, nearEnd.sealKeepalive(d, 0));
        assertEquals("fffffffffffffffe", Long.toHexString(ProtocolLimits.MAX_COUNTER_EXCLUSIVE));
        assertEquals("ffffffffffffdfff", Long.toHexString(ProtocolLimits.REJECT_AFTER_MESSAGES));
    }

    @Test
    void malformedDatagramsAreCodesAndLeaveTheWindowAlone() {
        MemorySegment d = buf(64);
        int n = a.seal(ProtocolByte.PING, buf(4), 0, 4, d, 0);
        MemorySegment out = buf(64);
        assertEquals(TransportResult.TOO_SHORT, b.open(d, 0, 28, out, 0));
        assertEquals(TransportResult.TOO_SHORT, b.open(d, 0, 0, out, 0));
        assertEquals(TransportResult.WRONG_INDEX, a.open(d, 0, n, out, 0));
        d.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        assertEquals(TransportResult.WRONG_TYPE, b.open(d, 0, n, out, 0));
        d.set(ValueLayout.JAVA_BYTE, 0, (byte) 4);

        // A forged counter 2^64-1 and a flipped tag: refused, window unmoved.
        MemorySegment forged = buf(n);
        MemorySegment.copy(d, 0, forged, 0, n);
        forged.set(ValueLayout.JAVA_LONG_UNALIGNED, TransportHeader.COUNTER_OFFSET, -1L);
        assertEquals(TransportResult.DECRYPT_FAILED, b.open(forged, 0, n, out, 0));
        MemorySegment.copy(d, 0, forged, 0, n);
        forged.set(ValueLayout.JAVA_BYTE, n - 1, (byte) (forged.get(ValueLayout.JAVA_BYTE, n - 1) ^ 1));
        byte[] before = bytes(out, 0, 64);
        assertEquals(TransportResult.DECRYPT_FAILED, b.open(forged, 0, n, out, 0));
        assertArrayEquals(before, bytes(out, 0, 64), "dst written on failure");
        assertEquals(0, b.maxReceivedCounter());
        // The genuine packet is still accepted, once.
        assertEquals(5, b.open(d, 0, n, out, 0));
        assertEquals(TransportResult.REPLAYED, b.open(d, 0, n, out, 0));
    }

    @Test
    void outOfOrderWithinTheWindowIsAcceptedOnce() {
        List<MemorySegment> packets = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            MemorySegment d = buf(29);
            a.sealKeepalive(d, 0);
            packets.add(d);
        }
        MemorySegment out = buf(1);
        assertEquals(0, b.open(packets.get(2999), 0, 29, out, 0));
        assertEquals(0, b.open(packets.get(952), 0, 29, out, 0));           // 2999 - 952 = 2047
        assertEquals(TransportResult.REPLAYED, b.open(packets.get(951), 0, 29, out, 0)); // too old
        assertEquals(TransportResult.REPLAYED, b.open(packets.get(952), 0, 29, out, 0));
        assertEquals(0, b.open(packets.get(2000), 0, 29, out, 0));
        assertEquals(2999, b.maxReceivedCounter());
    }

    /** Many threads seal at once: every counter is used exactly once and every datagram opens. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentSealersGetUniqueCounters() throws Exception {
        int threads = 4;
        int perThread = 3000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<byte[][]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    byte[][] out = new byte[perThread][];
                    MemorySegment payload = MemorySegment.ofArray(new byte[] {(byte) id, 1, 2, 3});
                    for (int i = 0; i < perThread; i++) {
                        byte[] d = new byte[4 + TransportHeader.OVERHEAD];
                        assertEquals(d.length, a.seal(ProtocolByte.RAW, payload, 0, 4, MemorySegment.ofArray(d), 0));
                        out[i] = d;
                    }
                    return out;
                }));
            }
            start.countDown();
            byte[][] byCounter = new byte[threads * perThread][];
            for (Future<byte[][]> f : futures) {
                for (byte[] d : f.get(50, TimeUnit.SECONDS)) {
                    long c = TransportHeader.counter(MemorySegment.ofArray(d), 0);
                    assertTrue(c >= 0 && c < byCounter.length, "counter " + c);
                    assertEquals(null, byCounter[(int) c], "counter " + c + " used twice");
                    byCounter[(int) c] = d;
                }
            }
            assertEquals(threads * perThread, a.nextSendCounter());
            MemorySegment out = buf(8);
            for (byte[] d : byCounter) {
                assertEquals(5, b.open(MemorySegment.ofArray(d), 0, d.length, out, 0));
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void limitsMatchTheSpec() {
        assertEquals(Duration.ofSeconds(165).toNanos(), ProtocolLimits.REKEY_ON_RECEIVE_NS);
        assertEquals(Duration.ofSeconds(540).toNanos(), ProtocolLimits.CLEAR_SESSIONS_AFTER_NS);
        assertEquals(1L << 60, ProtocolLimits.REKEY_AFTER_MESSAGES);
        assertFalse(TransportResult.name(TransportResult.REPLAYED).isEmpty());
    }
}
