package io.zgrnet.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.PeerKey;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Lookups by bytes and by key, the listed instance, bounds, and copy-on-write removal. */
class PeerDirectoryTest {

    static PeerKey key(Random rnd) {
        byte[] b = new byte[32];
        rnd.nextBytes(b);
        return PeerKey.of(b);
    }

    /** The key's bytes at offset {@code at} of a larger segment. */
    static MemorySegment at(PeerKey k, int at) {
        byte[] buf = new byte[at + 40];
        System.arraycopy(k.toBytes(), 0, buf, at, 32);
        return MemorySegment.ofArray(buf);
    }

    @Test
    void findsByBytesAndByKeyAndReturnsTheListedInstance() {
        Random rnd = new Random(1);
        PeerDirectory d = new PeerDirectory(1000);
        PeerKey[] keys = new PeerKey[300];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(rnd);
            assertTrue(d.add(keys[i]));
        }
        assertEquals(300, d.size());
        for (PeerKey k : keys) {
            assertSame(k, d.find(at(k, 3), 3));
            assertSame(k, d.canonical(PeerKey.of(k.toBytes())), "an equal key finds the listed instance");
            assertTrue(d.contains(k));
            MemorySegment out = MemorySegment.ofArray(new byte[40]);
            assertTrue(d.writeKey(k, out, 5));
            assertEquals(k.toHex(), ServiceVectors.hex(out, 5, 32));
            assertTrue(d.matches(k, at(k, 1), 1));
        }
        PeerKey stranger = key(rnd);
        assertNull(d.find(at(stranger, 0), 0));
        assertNull(d.canonical(stranger));
        assertFalse(d.writeKey(stranger, MemorySegment.ofArray(new byte[32]), 0));
        assertFalse(d.matches(keys[0], at(keys[1], 0), 0), "listed, but other bytes");
    }

    @Test
    void peerKeyHashIsArraysHashOfItsBytes() {
        // KeyTable computes the slot of key bytes in a datagram the way PeerKey.hashCode does.
        Random rnd = new Random(4);
        for (int i = 0; i < 50; i++) {
            PeerKey k = key(rnd);
            assertEquals(java.util.Arrays.hashCode(k.toBytes()), k.hashCode());
        }
    }

    @Test
    void oneBitDifferenceIsAnotherKey() {
        PeerDirectory d = new PeerDirectory(4);
        byte[] b = new byte[32];
        PeerKey k = PeerKey.of(b);
        d.add(k);
        for (int i = 0; i < 32; i++) {
            byte[] c = b.clone();
            c[i] = 1;
            assertNull(d.find(MemorySegment.ofArray(c), 0), "byte " + i);
        }
        assertSame(k, d.find(MemorySegment.ofArray(b), 0));
    }

    @Test
    void boundedAndRemovable() {
        Random rnd = new Random(2);
        PeerDirectory d = new PeerDirectory(2);
        PeerKey a = key(rnd);
        PeerKey b = key(rnd);
        PeerKey c = key(rnd);
        assertTrue(d.add(a));
        assertTrue(d.add(b));
        assertFalse(d.add(c), "full");
        PeerKey a2 = PeerKey.of(a.toBytes());
        assertTrue(d.add(a2), "re-adding a listed key is not growth");
        assertSame(a2, d.canonical(a), "and replaces the instance");
        assertTrue(d.remove(a));
        assertFalse(d.remove(a));
        assertNull(d.find(at(a, 0), 0));
        assertTrue(d.add(c));
        assertEquals(2, d.peers().size());
        assertThrows(IllegalArgumentException.class, () -> d.add(null));
        assertThrows(IllegalArgumentException.class, () -> new PeerDirectory(0));
    }
}
