package io.zgrnet.stream;

/**
 * The mux's streams by id: an open-addressing hash table (int keys, no boxing, linear probing with
 * backward-shift deletion) plus a dense array for iteration. Fixed capacity ({@code maxStreams});
 * nothing allocates after construction. Single-threaded.
 */
final class StreamTable {
    private final int[] keys;
    private final Stream[] slots;
    private final int mask;
    private final Stream[] dense;
    private int size;

    StreamTable(int maxStreams) {
        int capacity = Integer.highestOneBit(Math.max(2, maxStreams) * 2 - 1) << 1; // ≥ 2 × maxStreams
        keys = new int[capacity];
        slots = new Stream[capacity];
        mask = capacity - 1;
        dense = new Stream[maxStreams];
    }

    private int home(int id) {
        return (id * 0x9E3779B9 >>> 16 ^ id * 0x9E3779B9) & mask;
    }

    Stream get(int id) {
        for (int i = home(id); ; i = (i + 1) & mask) {
            Stream s = slots[i];
            if (s == null || keys[i] == id) {
                return s;
            }
        }
    }

    boolean isFull() {
        return size == dense.length;
    }

    int size() {
        return size;
    }

    /** The stream at dense index {@code i} (0 ≤ i < size); removal moves the last one into a hole. */
    Stream at(int i) {
        return dense[i];
    }

    /** Adds a stream whose id is not present; false when full. */
    boolean add(Stream s) {
        if (isFull()) {
            return false;
        }
        int i = home(s.id());
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = s.id();
        slots[i] = s;
        s.tableIndex = size;
        dense[size++] = s;
        return true;
    }

    /** Removes a stream if it is the one registered under its id. */
    void remove(Stream s) {
        int i = home(s.id());
        while (slots[i] != s) {
            if (slots[i] == null) {
                return;
            }
            i = (i + 1) & mask;
        }
        slots[i] = null;
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int k = home(keys[j]);
            // Move j back into the hole unless its home lies cyclically in (i, j].
            boolean stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!stays) {
                keys[i] = keys[j];
                slots[i] = slots[j];
                slots[j] = null;
                i = j;
            }
        }
        int last = --size;
        Stream moved = dense[last];
        dense[s.tableIndex] = moved;
        moved.tableIndex = s.tableIndex;
        dense[last] = null;
        s.tableIndex = -1;
    }
}
