package io.zgrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.wire.MessageType;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The relayed-handshake queue: per-neighbour token bucket, bounded table, bytes and source kept. */
class RelayedHandshakesTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static Peer peer(int seed) {
        byte[] k = new byte[32];
        k[0] = (byte) seed;
        k[31] = 0x40;
        return new Peer(PeerKey.of(k), null, false, 0);
    }

    /** A RELAY_2 body: src (32), then an 85-byte initiation whose bytes follow {@code seed}. */
    private static MemorySegment body(byte[] src, int seed) {
        byte[] b = new byte[32 + 85];
        System.arraycopy(src, 0, b, 0, 32);
        for (int i = 32; i < b.length; i++) {
            b[i] = (byte) (seed + i);
        }
        b[32] = MessageType.HANDSHAKE_INIT;
        return MemorySegment.ofArray(b);
    }

    @Test
    void aNeighbourGetsABurstThenItsRateAndOthersAreNotAffected() {
        TransportStats stats = new TransportStats();
        AtomicInteger wakes = new AtomicInteger();
        RelayedHandshakes q = new RelayedHandshakes(stats, wakes::incrementAndGet, () -> { });
        Peer relay = peer(1);
        Peer other = peer(2);
        byte[] src = peer(3).publicKey;
        long now = -5_000_000_000L; // nanoTime may be negative
        int taken = 0;
        for (int i = 0; i < 100; i++) {
            if (q.offer(relay, MessageType.HANDSHAKE_INIT, body(src, i), 0, 32, 85, now)) {
                taken++;
            }
        }
        assertEquals(RelayedHandshakes.BURST, taken, "the burst, at one instant");
        assertEquals(100 - RelayedHandshakes.BURST, stats.get(TransportCounter.DROP_RELAYED_HANDSHAKE_LIMITED));
        assertTrue(q.offer(other, MessageType.HANDSHAKE_INIT, body(src, 0), 0, 32, 85, now), "another neighbour");
        assertFalse(q.offer(relay, MessageType.HANDSHAKE_INIT, body(src, 0), 0, 32, 85, now + 5 * MS));
        assertTrue(q.offer(relay, MessageType.HANDSHAKE_INIT, body(src, 0), 0, 32, 85, now + 10 * MS),
                "one more after 1/" + RelayedHandshakes.PER_SECOND + " s");
        assertEquals(RelayedHandshakes.BURST + 2, wakes.get(), "the control agent is woken per message taken");

        int first = q.poll();
        assertEquals(MessageType.HANDSHAKE_INIT, q.type(first));
        assertEquals(85, q.length(first));
        assertSame(relay, q.via(first));
        assertTrue(q.sourceIs(first, src));
        assertFalse(q.sourceIs(first, relay.publicKey));
        assertEquals((byte) 33, q.messages().get(java.lang.foreign.ValueLayout.JAVA_BYTE, q.offset(first) + 1),
                "the message's bytes, copied");
        q.release(first);
        q.clear();
        assertFalse(q.hasWork());
    }

    /**
     * A relayed transport datagram's ticket covers every message taken before it; the reader's
     * wait ends when the control agent has released them all, and each release wakes the reader.
     */
    @Test
    void aTicketIsHonouredOnceEveryEarlierMessageWasHandled() {
        AtomicInteger readerWakes = new AtomicInteger();
        RelayedHandshakes q = new RelayedHandshakes(new TransportStats(), () -> { }, readerWakes::incrementAndGet);
        byte[] src = peer(3).publicKey;
        assertTrue(q.tickets().finishedUpTo(q.tickets().ticket()), "nothing taken: nothing to wait for");
        assertTrue(q.offer(peer(1), MessageType.HANDSHAKE_RESPONSE, body(src, 0), 0, 32, 57, 0));
        assertTrue(q.offer(peer(2), MessageType.HANDSHAKE_RESPONSE, body(src, 1), 0, 32, 57, 0));
        long ticket = q.tickets().ticket();
        assertTrue(q.offer(peer(4), MessageType.HANDSHAKE_RESPONSE, body(src, 2), 0, 32, 57, 0), "after the datagram");
        assertFalse(q.tickets().finishedUpTo(ticket));
        q.release(q.poll());
        assertFalse(q.tickets().finishedUpTo(ticket), "one of the two before it is still with the agent");
        q.release(q.poll());
        assertTrue(q.tickets().finishedUpTo(ticket), "the one after it does not count");
        assertEquals(2, readerWakes.get());
    }

    @Test
    void theTableIsBoundedWhateverTheNeighbours() {
        TransportStats stats = new TransportStats();
        RelayedHandshakes q = new RelayedHandshakes(stats, () -> { }, () -> { });
        byte[] src = peer(3).publicKey;
        int taken = 0;
        for (int n = 0; n < 10; n++) {
            Peer relay = peer(10 + n);
            for (int i = 0; i < RelayedHandshakes.BURST; i++) {
                if (q.offer(relay, MessageType.HANDSHAKE_RESPONSE, body(src, i), 0, 32, 57, 0)) {
                    taken++;
                }
            }
        }
        assertEquals(RelayedHandshakes.ENTRIES, taken);
        assertEquals(10L * RelayedHandshakes.BURST - RelayedHandshakes.ENTRIES,
                stats.get(TransportCounter.DROP_RELAYED_HANDSHAKE_LIMITED));
        q.release(q.poll()); // one entry back: one more fits
        assertTrue(q.offer(peer(99), MessageType.HANDSHAKE_RESPONSE, body(src, 0), 0, 32, 57, 0));
    }
}
