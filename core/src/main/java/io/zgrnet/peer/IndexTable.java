package io.zgrnet.peer;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.random.RandomGenerator;

/**
 * Maps the random u32 session indices carried by transport and response messages to their
 * sessions.
 *
 * <p>Concurrency: lookups ({@link #get(int)}) are lock-free and allocation-free and run on every
 * decrypt worker; changes ({@link #allocate}, {@link #remove}) are rare (one per handshake) and
 * serialized by a lock that readers never touch. Open addressing with linear probing; an entry is
 * published by storing its value before its key (release), so a reader that sees the key sees the
 * value; a removal clears the value first, so a reader may see the key with a null value, which
 * reads as absent. The table grows by copying into a new one published through a volatile field.
 *
 * @param <V> the session type
 */
public final class IndexTable<V> {
    private static final long EMPTY = 0;
    private static final long TOMBSTONE = -1;
    private static final long PRESENT = 1L << 32;

    private record Table<V>(AtomicLongArray keys, AtomicReferenceArray<V> values, int mask) {
        static <V> Table<V> of(int capacity) {
            return new Table<>(new AtomicLongArray(capacity), new AtomicReferenceArray<>(capacity), capacity - 1);
        }
    }

    private final Object writeLock = new Object();
    private volatile Table<V> table = Table.of(64);
    private int size;
    private int used; // live entries plus tombstones

    /** The value registered under {@code index}, or null. Lock-free; no allocation. */
    public V get(int index) {
        Table<V> t = table;
        long want = PRESENT | (index & 0xFFFF_FFFFL);
        for (int i = mix(index) & t.mask, probes = 0; probes <= t.mask; i = (i + 1) & t.mask, probes++) {
            long k = t.keys.get(i);
            if (k == want) {
                return t.values.get(i);
            }
            if (k == EMPTY) {
                return null;
            }
        }
        return null;
    }

    /**
     * Registers {@code value} under a fresh random index that is not in use, and returns it.
     */
    public int allocate(V value, RandomGenerator random) {
        java.util.Objects.requireNonNull(value, "value");
        synchronized (writeLock) {
            while (true) {
                int index = random.nextInt();
                if (get(index) == null && !containsKey(index)) {
                    insert(index, value);
                    return index;
                }
            }
        }
    }

    /**
     * Registers {@code value} under a given index (tests and deterministic vectors).
     *
     * @return false if the index is already in use
     */
    public boolean put(int index, V value) {
        java.util.Objects.requireNonNull(value, "value");
        synchronized (writeLock) {
            if (containsKey(index)) {
                return false;
            }
            insert(index, value);
            return true;
        }
    }

    /** Removes {@code index} if it maps to {@code value}; returns whether it did. */
    public boolean remove(int index, V value) {
        synchronized (writeLock) {
            Table<V> t = table;
            int i = find(t, index);
            if (i < 0 || t.values.get(i) != value) {
                return false;
            }
            t.values.set(i, null); // value first: a racing reader sees "absent", never a stale key
            t.keys.set(i, TOMBSTONE);
            size--;
            return true;
        }
    }

    /** Number of registered indices. */
    public int size() {
        synchronized (writeLock) {
            return size;
        }
    }

    private boolean containsKey(int index) {
        return find(table, index) >= 0;
    }

    private int find(Table<V> t, int index) {
        long want = PRESENT | (index & 0xFFFF_FFFFL);
        for (int i = mix(index) & t.mask, probes = 0; probes <= t.mask; i = (i + 1) & t.mask, probes++) {
            long k = t.keys.get(i);
            if (k == want) {
                return i;
            }
            if (k == EMPTY) {
                return -1;
            }
        }
        return -1;
    }

    private void insert(int index, V value) {
        if ((used + 1) * 2 > table.mask + 1) {
            rehash(size + 1 > (table.mask + 1) / 4 ? (table.mask + 1) * 2 : table.mask + 1);
        }
        Table<V> t = table;
        int i = mix(index) & t.mask;
        while (t.keys.get(i) != EMPTY && t.keys.get(i) != TOMBSTONE) {
            i = (i + 1) & t.mask;
        }
        if (t.keys.get(i) == EMPTY) {
            used++;
        }
        t.values.set(i, value); // value before key: readers that see the key see the value
        t.keys.set(i, PRESENT | (index & 0xFFFF_FFFFL));
        size++;
    }

    private void rehash(int capacity) {
        Table<V> old = table;
        Table<V> fresh = Table.of(capacity);
        for (int j = 0; j <= old.mask; j++) {
            long k = old.keys.get(j);
            V v = old.values.get(j);
            if (k != EMPTY && k != TOMBSTONE && v != null) {
                int i = mix((int) k) & fresh.mask;
                while (fresh.keys.get(i) != EMPTY) {
                    i = (i + 1) & fresh.mask;
                }
                fresh.values.set(i, v);
                fresh.keys.set(i, k);
            }
        }
        used = size;
        table = fresh; // volatile publish
    }

    private static int mix(int x) {
        // Indices are random, but a caller may choose them: spread the bits anyway.
        x *= 0x9E3779B9;
        return x ^ (x >>> 16);
    }
}
