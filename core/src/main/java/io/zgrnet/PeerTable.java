package io.zgrnet;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The peers by public key, bounded (protocol.md hardening 4: with unknown peers allowed, the table
 * must not grow without bound). Lookups are lock-free ({@link ConcurrentHashMap#get}).
 */
final class PeerTable {
    private final ConcurrentHashMap<PeerKey, Peer> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int max;
    /** A service following the table (the relay's directory); called by whoever changes it. */
    private volatile Consumer<PeerKey> onAdded;
    private volatile Consumer<PeerKey> onRemoved;

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
        Consumer<PeerKey> watcher = onAdded;
        if (watcher != null) {
            watcher.accept(peer.key);
        }
        return true;
    }

    Peer remove(PeerKey key) {
        Peer p = byKey.remove(key);
        if (p != null) {
            size.decrementAndGet();
            Consumer<PeerKey> watcher = onRemoved;
            if (watcher != null) {
                watcher.accept(key);
            }
        }
        return p;
    }

    /** Finds a peer by its public key bytes (handshake path; allocates a key). */
    Peer find(byte[] publicKey) {
        return byKey.get(PeerKey.of(publicKey));
    }

    /**
     * Follows the table: {@code added} for every peer now and each one added later, {@code removed}
     * for each one removed later (null, null: stop).
     */
    void watch(Consumer<PeerKey> added, Consumer<PeerKey> removed) {
        onRemoved = removed;
        onAdded = added;
        if (added != null) {
            for (Peer p : byKey.values()) {
                added.accept(p.key);
            }
        }
    }

    Collection<Peer> all() {
        return byKey.values();
    }
}
