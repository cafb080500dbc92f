package io.zgrnet;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The peers by public key, bounded (protocol.md hardening 4: with unknown peers allowed, the table
 * must not grow without bound). Lookups are lock-free ({@link ConcurrentHashMap#get}).
 */
final class PeerTable {
    private final ConcurrentHashMap<PeerKey, Peer> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int max;

    PeerTable(int max) {
        this.max = max;
    }

    Peer get(PeerKey key) {
        return byKey.get(key);
    }

    /** Adds {@code peer} unless its key is present or the table is full; returns whether it did. */
    boolean add(Peer peer) {
        if (size.incrementAndGet() > max) {
            size.decrementAndGet();
            return false;
        }
        if (byKey.putIfAbsent(peer.key, peer) != null) {
            size.decrementAndGet();
            return false;
        }
        return true;
    }

    Peer remove(PeerKey key) {
        Peer p = byKey.remove(key);
        if (p != null) {
            size.decrementAndGet();
        }
        return p;
    }

    /** Finds a peer by its public key bytes (handshake path; allocates a key). */
    Peer find(byte[] publicKey) {
        return byKey.get(PeerKey.of(publicKey));
    }

    Collection<Peer> all() {
        return byKey.values();
    }
}
