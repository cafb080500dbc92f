package io.zgrnet.ping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.PeerKey;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Matching pongs to pings on a fake clock: RTT, and every way a pong is not an answer. */
class PingTrackerTest {
    private static final long MS = 1_000_000;
    private static final PeerKey P = key(1);
    private static final PeerKey Q = key(2);

    private final FakeClock clock = new FakeClock(7_000 * MS);
    private final PingResponder responder = new PingResponder(new NodeMetrics(1, 2, 3, 4));
    private final MemorySegment ping = MemorySegment.ofArray(new byte[12]);
    private final MemorySegment pong = MemorySegment.ofArray(new byte[21]);

    private static PeerKey key(int b) {
        byte[] k = new byte[32];
        k[0] = (byte) b;
        return PeerKey.of(k);
    }

    private PingTracker<PeerKey> tracker(int capacity, int firstId) {
        return new PingTracker<>(clock, capacity, 1_000 * MS, firstId);
    }

    /** What the peer sends back for the last ping written. */
    private void answer() {
        assertEquals(21, responder.answer(ping, 0, 12, pong, 0));
    }

    @Test
    void rttIsMeasuredOnOurClock() {
        PingTracker<PeerKey> t = tracker(4, 100);
        assertEquals(12, t.writePing(P, ping, 0));
        assertEquals(100, Ping.id(ping, 0));
        assertEquals(clock.nanoTime(), Ping.timestamp(ping, 0), "the timestamp is our clock");
        answer();
        clock.advance(25 * MS);
        assertEquals(25 * MS, t.onPong(P, pong, 0, 21));
        assertEquals(0, t.outstanding());
        assertEquals(PingTracker.UNMATCHED, t.onPong(P, pong, 0, 21), "a duplicate is not a second sample");
        assertEquals(1, t.stats().get(PingCounter.PONGS_MATCHED));
        assertEquals(1, t.stats().get(PingCounter.REFUSED_UNMATCHED));
    }

    @Test
    void aForgottenPingIsLostAndItsLatePongUnmatched() {
        PingTracker<PeerKey> t = tracker(4, 7);
        t.writePing(P, ping, 0);
        answer();
        assertTrue(t.forget(7));
        assertFalse(t.forget(7), "only once");
        assertFalse(t.forget(8), "never sent");
        assertEquals(0, t.outstanding());
        assertEquals(1, t.stats().get(PingCounter.PINGS_LOST));
        assertEquals(PingTracker.UNMATCHED, t.onPong(P, pong, 0, 21));
    }

    @Test
    void idsFollowEachOtherAcrossTheWrap() {
        PingTracker<PeerKey> t = tracker(4, -1);
        t.writePing(P, ping, 0);
        assertEquals(-1, Ping.id(ping, 0));
        MemorySegment second = MemorySegment.ofArray(new byte[12]);
        t.writePing(Q, second, 0);
        assertEquals(0, Ping.id(second, 0));
        answer();
        clock.advance(MS);
        assertEquals(MS, t.onPong(P, pong, 0, 21));
    }

    @Test
    void aPongFromAnotherPeerOrWithAnotherTimestampIsNotTheAnswer() {
        PingTracker<PeerKey> t = tracker(4, 5);
        t.writePing(P, ping, 0);
        answer();
        assertEquals(PingTracker.WRONG_PEER, t.onPong(Q, pong, 0, 21));
        pong.set(java.lang.foreign.ValueLayout.JAVA_BYTE, Pong.TIMESTAMP_OFFSET, (byte) 0x55);
        assertEquals(PingTracker.TIMESTAMP_MISMATCH, t.onPong(P, pong, 0, 21));
        assertEquals(1, t.outstanding(), "still waiting for the real answer");
        answer();
        clock.advance(3 * MS);
        assertEquals(3 * MS, t.onPong(P, pong, 0, 21));
        assertEquals(PingTracker.TOO_SHORT, t.onPong(P, pong, 0, 20));
        assertEquals(1, t.stats().get(PingCounter.REFUSED_WRONG_PEER));
        assertEquals(1, t.stats().get(PingCounter.REFUSED_TIMESTAMP_MISMATCH));
        assertEquals(1, t.stats().get(PingCounter.REFUSED_TOO_SHORT));
    }

    @Test
    void latePongsAndExpiryCountAsLost() {
        PingTracker<PeerKey> t = tracker(4, 0);
        t.writePing(P, ping, 0);
        answer();
        clock.advance(1_000 * MS + 1);
        assertEquals(PingTracker.LATE, t.onPong(P, pong, 0, 21));
        assertEquals(1, t.stats().get(PingCounter.PINGS_LOST));

        t.writePing(P, ping, 0);
        answer();
        clock.advance(1_000 * MS);
        assertEquals(0, t.expire(), "exactly the timeout is still in time");
        clock.advance(1);
        assertEquals(1, t.expire());
        assertEquals(PingTracker.UNMATCHED, t.onPong(P, pong, 0, 21));
        assertEquals(2, t.stats().get(PingCounter.PINGS_LOST));
        assertEquals(0, t.outstanding());
    }

    @Test
    void aFullRingOverwritesTheOldestPing() {
        PingTracker<PeerKey> t = tracker(2, 0);
        t.writePing(P, ping, 0);
        answer(); // the answer to ping 0
        MemorySegment other = MemorySegment.ofArray(new byte[12]);
        t.writePing(P, other, 0);
        t.writePing(P, other, 0); // id 2 takes the slot of id 0
        assertEquals(1, t.stats().get(PingCounter.PINGS_LOST));
        assertEquals(2, t.outstanding());
        assertEquals(PingTracker.UNMATCHED, t.onPong(P, pong, 0, 21));
        assertEquals(3, t.stats().get(PingCounter.PINGS_SENT));
    }

    @Test
    void resultNamesAndArguments() {
        assertEquals("RTT", PingTracker.resultName(0));
        assertEquals("LATE", PingTracker.resultName(PingTracker.LATE));
        assertEquals("TOO_SHORT", PingTracker.resultName(PingTracker.TOO_SHORT));
        assertThrows(IllegalArgumentException.class, () -> new PingTracker(clock, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new PingTracker(clock, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> tracker(1, 0).writePing(null, ping, 0));
        assertThrows(IllegalArgumentException.class, () -> new NodeMetrics(256, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new NodeMetrics(0, 0, 0, 1L << 32));
    }
}
