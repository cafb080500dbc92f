package io.zgrnet.relay;

import io.zgrnet.PeerKey;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.BiConsumer;

/**
 * An immutable map from 32-byte public keys to values that can be probed both with a {@link
 * PeerKey} and with key bytes lying in a datagram, without allocating. Writers make a new table
 * ({@link #with}, {@link #without}: O(n), for rare configuration changes); readers on any thread
 * use whichever table they were handed.
 *
 * <p>Open addressing with linear probing, at most half full. The slot comes from {@link
 * PeerKey#hashCode()}, which is {@code Arrays.hashCode} of the bytes, so the same value is computed
 * from bytes in a segment (PeerDirectoryTest pins that), passed through a 64-bit finaliser keyed
 * by a per-table random seed: keys are chosen by peers, and the seed keeps them from aiming at one
 * probe run. Equality is checked on all 32 bytes (four longs).
 */
final class KeyTable<V> {
    private static final ValueLayout.OfLong WORD = Bytes.U64;

    private final long seed;
    private final int mask;
    private final int size;
    private final PeerKey[] keys;
    private final long[] words;
    private final Object[] values;

    private KeyTable(long seed, int size, PeerKey[] inKeys, long[] inWords, Object[] inValues) {
        int length = 8;
        while (length < 2 * size) {
            length <<= 1;
        }
        this.seed = seed;
        this.mask = length - 1;
        this.size = size;
        this.keys = new PeerKey[length];
        this.words = new long[4 * length];
        this.values = new Object[length];
        for (int i = 0; i < size; i++) {
            int slot = slotOf(inKeys[i].hashCode());
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = inKeys[i];
            System.arraycopy(inWords, 4 * i, words, 4 * slot, 4);
            values[slot] = inValues[i];
        }
    }

    /** An empty table whose slots are keyed by {@code seed}. */
    static <V> KeyTable<V> empty(long seed) {
        return new KeyTable<>(seed, 0, new PeerKey[0], new long[0], new Object[0]);
    }

    /** Number of entries. */
    int size() {
        return size;
    }

    /** The value for {@code key}, or null. */
    V get(PeerKey key) {
        int slot = find(key);
        return slot < 0 ? null : value(slot);
    }

    /** The value for the key at {@code s[off, off+32)}, or null. */
    V get(MemorySegment s, long off) {
        int slot = find(s, off);
        return slot < 0 ? null : value(slot);
    }

    /** The stored key equal to the key at {@code s[off, off+32)}, or null. */
    PeerKey key(MemorySegment s, long off) {
        int slot = find(s, off);
        return slot < 0 ? null : keys[slot];
    }

    /** The stored key equal to {@code key} (the instance that was put), or null. */
    PeerKey key(PeerKey key) {
        int slot = find(key);
        return slot < 0 ? null : keys[slot];
    }

    /** Writes the bytes of {@code key} at {@code dst[off]}; false (nothing written) if absent. */
    boolean writeKey(PeerKey key, MemorySegment dst, long off) {
        int slot = find(key);
        if (slot < 0) {
            return false;
        }
        for (int i = 0; i < 4; i++) {
            dst.set(WORD, off + 8L * i, words[4 * slot + i]);
        }
        return true;
    }

    /** True if {@code key} is present and equals the key at {@code s[off, off+32)}. */
    boolean matches(PeerKey key, MemorySegment s, long off) {
        int slot = find(key);
        return slot >= 0 && sameWords(slot, s, off);
    }

    /** A table with {@code key} mapped to {@code value} (replacing an earlier value). */
    KeyTable<V> with(PeerKey key, V value) {
        PeerKey[] ks = new PeerKey[size + 1];
        long[] ws = new long[4 * (size + 1)];
        Object[] vs = new Object[size + 1];
        int n = 0;
        for (int slot = 0; slot <= mask; slot++) {
            if (keys[slot] != null && !keys[slot].equals(key)) {
                n = append(slot, ks, ws, vs, n);
            }
        }
        ks[n] = key;
        MemorySegment bytes = MemorySegment.ofArray(key.toBytes());
        for (int i = 0; i < 4; i++) {
            ws[4 * n + i] = bytes.get(WORD, 8L * i);
        }
        vs[n] = value;
        return new KeyTable<>(seed, n + 1, ks, ws, vs);
    }

    /** A table without {@code key}; this table if it is absent. */
    KeyTable<V> without(PeerKey key) {
        if (find(key) < 0) {
            return this;
        }
        PeerKey[] ks = new PeerKey[size];
        long[] ws = new long[4 * size];
        Object[] vs = new Object[size];
        int n = 0;
        for (int slot = 0; slot <= mask; slot++) {
            if (keys[slot] != null && !keys[slot].equals(key)) {
                n = append(slot, ks, ws, vs, n);
            }
        }
        return new KeyTable<>(seed, n, ks, ws, vs);
    }

    /** Calls {@code action} for every entry, in no particular order. */
    void forEach(BiConsumer<PeerKey, V> action) {
        for (int slot = 0; slot <= mask; slot++) {
            if (keys[slot] != null) {
                action.accept(keys[slot], value(slot));
            }
        }
    }

    private int append(int slot, PeerKey[] ks, long[] ws, Object[] vs, int n) {
        ks[n] = keys[slot];
        System.arraycopy(words, 4 * slot, ws, 4 * n, 4);
        vs[n] = values[slot];
        return n + 1;
    }

    private int find(PeerKey key) {
        if (key == null) {
            return -1;
        }
        for (int slot = slotOf(key.hashCode()); ; slot = (slot + 1) & mask) {
            PeerKey k = keys[slot];
            if (k == null) {
                return -1;
            }
            if (k == key || k.equals(key)) {
                return slot;
            }
        }
    }

    private int find(MemorySegment s, long off) {
        int h = 1;
        for (int i = 0; i < RelayConstants.KEY_LENGTH; i++) {
            h = 31 * h + s.get(ValueLayout.JAVA_BYTE, off + i); // = Arrays.hashCode(byte[]) = PeerKey.hashCode()
        }
        for (int slot = slotOf(h); ; slot = (slot + 1) & mask) {
            if (keys[slot] == null) {
                return -1;
            }
            if (sameWords(slot, s, off)) {
                return slot;
            }
        }
    }

    private boolean sameWords(int slot, MemorySegment s, long off) {
        for (int i = 0; i < 4; i++) {
            if (words[4 * slot + i] != s.get(WORD, off + 8L * i)) {
                return false;
            }
        }
        return true;
    }

    private int slotOf(int hash) {
        long x = (hash & 0xFFFF_FFFFL) ^ seed;
        x = (x ^ (x >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
        x = (x ^ (x >>> 33)) * 0xC4CE_B9FE_1A85_EC53L;
        x ^= x >>> 33;
        return (int) x & mask;
    }

    @SuppressWarnings("unchecked")
    private V value(int slot) {
        return (V) values[slot];
    }
}
