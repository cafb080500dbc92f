package io.zgrnet.relay;

import static io.zgrnet.relay.ServiceVectors.A;
import static io.zgrnet.relay.ServiceVectors.B;
import static io.zgrnet.relay.ServiceVectors.R;
import static io.zgrnet.relay.ServiceVectors.R2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Ids from 1, one binding per triple, bounded, expiry by age with Go's boundary. */
class BindTableTest {
    private static final MemorySegment DST_B = PeerDirectoryTest.at(B, 0);
    private static final MemorySegment DST_R2 = PeerDirectoryTest.at(R2, 0);

    @Test
    void idsStartAtOneAndTriplesAreUnique() {
        BindTable t = new BindTable(8);
        int s1 = t.create(A, DST_B, 0, B, 0);
        assertEquals(1, t.relayId(s1));
        assertEquals(s1, t.find(A, DST_B, 0, B));
        assertEquals(-1, t.find(A, DST_B, 0, R2), "another next hop is another triple");
        int s2 = t.create(A, DST_B, 0, R2, 0);
        assertEquals(2, t.relayId(s2));
        assertEquals(s1, t.slotOf(1));
        assertEquals(-1, t.slotOf(3));
        assertEquals(-1, t.slotOf(0), "0 is reserved");
        assertSame(A, t.source(s1));
        assertSame(R2, t.nextHop(s2));
        MemorySegment out = MemorySegment.ofArray(new byte[32]);
        t.writeDst(s2, out, 0);
        assertEquals(B.toHex(), ServiceVectors.hex(out, 0, 32));
        assertTrue(t.sameDst(s2, DST_B, 0));
        assertFalse(t.sameDst(s2, DST_R2, 0));
    }

    @Test
    void fullMeansNoNewBindingAndIdsSkipTakenSlots() {
        BindTable t = new BindTable(2);
        int s1 = t.create(A, DST_B, 0, B, 0);     // id 1
        t.create(A, DST_R2, 0, R2, 0);            // id 2
        assertEquals(-1, t.create(R, DST_B, 0, B, 0), "full");
        assertTrue(t.remove(1));
        assertFalse(t.remove(1));
        int s3 = t.create(R, DST_B, 0, B, 0);
        assertEquals(3, t.relayId(s3), "ids are never reused while the table lives");
        assertEquals(s1, s3, "id 3 took the free slot");
        assertEquals(-1, t.slotOf(1));
        assertEquals(s3, t.find(R, DST_B, 0, B));
    }

    @Test
    void expiryRemovesEntriesAtLeastMaxAgeOld() {
        BindTable t = new BindTable(8);
        t.create(A, DST_B, 0, B, 100);
        t.create(A, DST_R2, 0, R2, 150);
        // Go removes entries created at or before now - maxAge (Rust only strictly before).
        assertEquals(1, t.expire(50, 150));
        assertEquals(-1, t.slotOf(1));
        assertNotEquals(-1, t.slotOf(2));
        assertEquals(-1, t.find(A, DST_B, 0, B), "the triple index was rebuilt");
        assertNotEquals(-1, t.find(A, DST_R2, 0, R2));
        assertEquals(1, t.size());
    }
}
