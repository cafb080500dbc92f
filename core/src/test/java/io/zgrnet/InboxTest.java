package io.zgrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InboxTest {
    private static final PeerKey PEER = PeerKey.of(new byte[32]);

    private static MemorySegment payload(int length, int fill) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) fill);
        return MemorySegment.ofArray(b);
    }

    private static List<byte[]> drain(Inbox inbox) {
        List<byte[]> out = new ArrayList<>();
        while (inbox.poll((sender, protocol, p, off, len) ->
                out.add(p.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE)))) {
            // collects in order
        }
        return out;
    }

    @Test
    void keepsOrderAndRefusesBeyondItsEntries() {
        Inbox inbox = new Inbox(4, 1024);
        for (int i = 0; i < 4; i++) {
            assertTrue(inbox.offer(PEER, i, payload(10, i), 0, 10));
        }
        assertFalse(inbox.offer(PEER, 9, payload(10, 9), 0, 10), "a fifth entry must be refused");
        List<byte[]> got = drain(inbox);
        assertEquals(4, got.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(i, got.get(i)[0]);
        }
        assertTrue(inbox.isEmpty());
    }

    @Test
    void refusesBeyondItsBytesAndKeepsPayloadsContiguousAcrossTheWrap() {
        Inbox inbox = new Inbox(64, 100);
        assertTrue(inbox.offer(PEER, 0, payload(60, 1), 0, 60));
        assertFalse(inbox.offer(PEER, 0, payload(60, 2), 0, 60), "only 40 bytes are free");
        assertEquals(1, drain(inbox).size());
        // 40 bytes left before the end: a 60-byte payload goes to the start, whole.
        assertTrue(inbox.offer(PEER, 0, payload(60, 3), 0, 60));
        // The 40 bytes skipped at the end stay taken until the payload after them is read.
        assertFalse(inbox.offer(PEER, 0, payload(40, 4), 0, 40));
        List<byte[]> got = drain(inbox);
        assertEquals(1, got.size());
        for (byte b : got.get(0)) {
            assertEquals(3, b);
        }
        assertTrue(inbox.offer(PEER, 0, payload(40, 5), 0, 40));
        got = drain(inbox);
        assertEquals(40, got.get(0).length);
        for (byte b : got.get(0)) {
            assertEquals(5, b);
        }
    }

    @Test
    void manyRoundsNeverLoseOrCorruptAPayload() {
        Inbox inbox = new Inbox(8, 1000);
        int sent = 0;
        int received = 0;
        java.util.Random r = new java.util.Random(7);
        for (int round = 0; round < 10_000; round++) {
            int len = 1 + r.nextInt(300);
            if (inbox.offer(PEER, sent & 0xFF, payload(len, sent), 0, len)) {
                sent++;
            }
            if (r.nextBoolean()) {
                for (byte[] b : drain(inbox)) {
                    for (byte x : b) {
                        assertEquals((byte) received, x);
                    }
                    received++;
                }
            }
        }
        received += drain(inbox).size();
        assertEquals(sent, received);
    }
}
