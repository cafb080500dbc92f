package io.zgrnet.relay;

import io.zgrnet.PeerKey;
import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;

/**
 * The first relay's relay_id table for BIND/ALIAS (services.md §4.7): relay_id → (source,
 * destination, next hop), ids handed out 1, 2, 3, ... (0 reserved), as zgrnet's relay library
 * does.
 *
 * <p>Where we differ from that library, on purpose: it allocates a new id (and sends a new BIND)
 * for every RELAY_0 it forwards, so its table grows per packet and each packet costs two sends.
 * Here one (source, destination, next hop) triple has one id, created once; the table is bounded
 * (full: no new bindings, forwarding goes on without them). A route change makes a new triple and
 * so a new id; the old one keeps its old next hop until it expires, as in the library.
 *
 * <p>Storage: id {@code k} lives in slot {@code k & (capacity - 1)}, so an ALIAS is one array read;
 * allocation skips ids whose slot is taken. A second open-addressing index finds a triple's slot
 * when a RELAY_0 arrives. Owner thread only (the relay engine's), including {@link #expire}.
 * Nothing is allocated after construction.
 */
public final class BindTable {
    private final int mask;
    private final int[] ids;
    private final PeerKey[] sources;
    private final PeerKey[] nextHops;
    private final long[] dstWords;
    private final long[] createdNs;
    /** Triple index: slot + 1, 0 = empty; at most half full. */
    private final int[] index;
    private final long seed = new SecureRandom().nextLong();
    private int nextId = 1;
    private int size;

    /** A table of {@code capacity} bindings (rounded up to a power of two). */
    public BindTable(int capacity) {
        if (capacity < 1 || capacity > 1 << 20) {
            throw new IllegalArgumentException("capacity: must be 1..2^20, got " + capacity);
        }
        int n = Integer.highestOneBit(capacity);
        n = n < capacity ? n << 1 : n;
        this.mask = n - 1;
        this.ids = new int[n];
        this.sources = new PeerKey[n];
        this.nextHops = new PeerKey[n];
        this.dstWords = new long[4 * n];
        this.createdNs = new long[n];
        this.index = new int[2 * n];
    }

    /** The slot of the binding for this triple, or -1. */
    public int find(PeerKey src, MemorySegment dst, long dstOff, PeerKey nextHop) {
        int imask = index.length - 1;
        for (int i = hash(src, dst, dstOff, nextHop) & imask; ; i = (i + 1) & imask) {
            int e = index[i];
            if (e == 0) {
                return -1;
            }
            int slot = e - 1;
            if (sources[slot].equals(src) && nextHops[slot].equals(nextHop) && sameDst(slot, dst, dstOff)) {
                return slot;
            }
        }
    }

    /**
     * Creates a binding for a triple that has none ({@link #find} returned -1).
     *
     * @return its slot, or -1 if the table is full
     */
    public int create(PeerKey src, MemorySegment dst, long dstOff, PeerKey nextHop, long nowNs) {
        if (size > mask) {
            return -1;
        }
        int id = nextId;
        while (sources[id & mask] != null || id == RelayConstants.RESERVED_RELAY_ID) {
            id++; // the slot of this id still holds a live binding (size <= mask: one is free)
        }
        nextId = id + 1;
        int slot = id & mask;
        ids[slot] = id;
        sources[slot] = src;
        nextHops[slot] = nextHop;
        for (int i = 0; i < 4; i++) {
            dstWords[4 * slot + i] = Bytes.word(dst, dstOff, i);
        }
        createdNs[slot] = nowNs;
        size++;
        insertIndex(slot);
        return slot;
    }

    /** The slot of a live binding with this relay id, or -1. */
    public int slotOf(int relayId) {
        int slot = relayId & mask;
        return sources[slot] != null && ids[slot] == relayId ? slot : -1;
    }

    /** The relay id of the binding in {@code slot}. */
    public int relayId(int slot) {
        return ids[slot];
    }

    /** The source (the peer that sent the RELAY_0) of the binding in {@code slot}. */
    public PeerKey source(int slot) {
        return sources[slot];
    }

    /** The next hop of the binding in {@code slot}. */
    public PeerKey nextHop(int slot) {
        return nextHops[slot];
    }

    /** Writes the destination key of the binding in {@code slot} at {@code out[off]}. */
    public void writeDst(int slot, MemorySegment out, long off) {
        for (int i = 0; i < 4; i++) {
            Bytes.putWord(out, off, i, dstWords[4 * slot + i]);
        }
    }

    /** True if the destination of the binding in {@code slot} equals the key at {@code s[off]}. */
    public boolean sameDst(int slot, MemorySegment s, long off) {
        for (int i = 0; i < 4; i++) {
            if (dstWords[4 * slot + i] != Bytes.word(s, off, i)) {
                return false;
            }
        }
        return true;
    }

    /** Live bindings. */
    public int size() {
        return size;
    }

    /**
     * Removes every binding at least {@code maxAgeNs} old at {@code nowNs}. Go's library removes
     * entries created at or before the cut-off, so an entry exactly {@code maxAgeNs} old goes
     * (Rust keeps it; services.md §6.3).
     *
     * @return how many were removed
     */
    public int expire(long maxAgeNs, long nowNs) {
        int removed = 0;
        for (int slot = 0; slot <= mask; slot++) {
            if (sources[slot] != null && nowNs - createdNs[slot] >= maxAgeNs) {
                sources[slot] = null;
                nextHops[slot] = null;
                removed++;
            }
        }
        if (removed > 0) {
            size -= removed;
            rebuildIndex();
        }
        return removed;
    }

    /** Removes the binding with this relay id; returns whether there was one. */
    public boolean remove(int relayId) {
        int slot = slotOf(relayId);
        if (slot < 0) {
            return false;
        }
        sources[slot] = null;
        nextHops[slot] = null;
        size--;
        rebuildIndex();
        return true;
    }

    private void rebuildIndex() {
        java.util.Arrays.fill(index, 0);
        for (int slot = 0; slot <= mask; slot++) {
            if (sources[slot] != null) {
                insertIndex(slot);
            }
        }
    }

    private void insertIndex(int slot) {
        int imask = index.length - 1;
        int i = hash(sources[slot], dstWords, 4 * slot, nextHops[slot]) & imask;
        while (index[i] != 0) {
            i = (i + 1) & imask;
        }
        index[i] = slot + 1;
    }

    private int hash(PeerKey src, MemorySegment dst, long dstOff, PeerKey nextHop) {
        long h = seed ^ (31L * src.hashCode() + nextHop.hashCode());
        for (int i = 0; i < 4; i++) {
            h = mix(h ^ Bytes.word(dst, dstOff, i));
        }
        return (int) h;
    }

    private int hash(PeerKey src, long[] words, int at, PeerKey nextHop) {
        long h = seed ^ (31L * src.hashCode() + nextHop.hashCode());
        for (int i = 0; i < 4; i++) {
            h = mix(h ^ words[at + i]);
        }
        return (int) h;
    }

    private static long mix(long x) {
        x = (x ^ (x >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
        x = (x ^ (x >>> 33)) * 0xC4CE_B9FE_1A85_EC53L;
        return x ^ (x >>> 33);
    }
}
