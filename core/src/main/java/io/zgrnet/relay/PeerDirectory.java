package io.zgrnet.relay;

import io.zgrnet.PeerKey;
import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers the transport knows, by public key, so that the relay can turn the 32 key bytes of a
 * datagram into the transport's {@link PeerKey} instance, and a {@code PeerKey} back into bytes,
 * without allocating. The transport adds a peer when it adds it to its own peer table and removes
 * it with it; a relay forwards only to peers listed here.
 *
 * <p>Concurrency: copy-on-write. Writers (the transport's peer management, any thread) serialise on
 * this object and publish a new immutable {@link KeyTable} through a volatile field; readers (the
 * relay's owner thread) take one volatile read per lookup and never block. A write costs O(n):
 * peers come and go rarely, datagrams often.
 */
public final class PeerDirectory {
    private final int maxPeers;
    private volatile KeyTable<PeerKey> table;

    /** A directory of at most {@code maxPeers} peers. */
    public PeerDirectory(int maxPeers) {
        if (maxPeers < 1) {
            throw new IllegalArgumentException("maxPeers: must be >= 1, got " + maxPeers);
        }
        this.maxPeers = maxPeers;
        this.table = KeyTable.empty(new SecureRandom().nextLong());
    }

    /**
     * Adds a peer. The instance given is the one lookups return.
     *
     * @return false if the directory is full (the peer is not added); true otherwise, also when it
     *         was already present (its instance is then replaced)
     */
    public synchronized boolean add(PeerKey key) {
        requireKey(key);
        KeyTable<PeerKey> t = table;
        if (t.key(key) == null && t.size() >= maxPeers) {
            return false;
        }
        table = t.with(key, key);
        return true;
    }

    /** Removes a peer; returns whether it was present. */
    public synchronized boolean remove(PeerKey key) {
        requireKey(key);
        KeyTable<PeerKey> t = table;
        table = t.without(key);
        return table != t;
    }

    /** The listed instance for the key at {@code s[off, off+32)}, or null. No allocation. */
    public PeerKey find(MemorySegment s, long off) {
        return table.key(s, off);
    }

    /** The listed instance equal to {@code key}, or null. No allocation. */
    public PeerKey canonical(PeerKey key) {
        return table.key(key);
    }

    /** True if {@code key} is listed. */
    public boolean contains(PeerKey key) {
        return table.key(key) != null;
    }

    /** Writes the 32 bytes of a listed key at {@code dst[off]}; false if it is not listed. No allocation. */
    public boolean writeKey(PeerKey key, MemorySegment dst, long off) {
        return table.writeKey(key, dst, off);
    }

    /** True if {@code key} is listed and equals the key bytes at {@code s[off, off+32)}. No allocation. */
    public boolean matches(PeerKey key, MemorySegment s, long off) {
        return table.matches(key, s, off);
    }

    /** Number of listed peers. */
    public int size() {
        return table.size();
    }

    /** A snapshot of the listed peers (allocates; for tools and tests). */
    public List<PeerKey> peers() {
        List<PeerKey> out = new ArrayList<>();
        table.forEach((k, v) -> out.add(v));
        return out;
    }

    static void requireKey(PeerKey key) {
        if (key == null) {
            throw new IllegalArgumentException("key: must not be null");
        }
    }
}
