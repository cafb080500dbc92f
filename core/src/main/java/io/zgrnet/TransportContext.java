package io.zgrnet;

import io.zgrnet.config.Clock;
import io.zgrnet.io.PacketPool;
import io.zgrnet.peer.IndexTable;
import java.lang.foreign.MemorySegment;

/**
 * What every role of a transport shares, fixed at open: its configuration and clock, counters,
 * packet pool, peers, sessions by index, our pending initiations by index, and the handshake. The
 * roles get this instead of a reference to the facade, so each one's reach is visible here.
 */
final class TransportContext {
    final TransportConfig config;
    final Clock clock;
    final TransportStats stats;
    final PacketPool pool;
    final MemorySegment slab;
    final PeerTable peers;
    /** Sessions by our index: written by the control agent and the reader, read lock-free by workers. */
    final IndexTable<PeerSession> sessions = new IndexTable<>();
    /** Our initiations in flight by their index: the control agent writes it; workers and the I/O thread read it. */
    final IndexTable<Peer> pendingByIndex = new IndexTable<>();
    final HandshakeAdapter handshakes;
    final Lifecycle lifecycle;

    TransportContext(TransportConfig config, TransportStats stats, PacketPool pool, Lifecycle lifecycle) {
        this.config = config;
        this.clock = config.clock();
        this.stats = stats;
        this.pool = pool;
        this.slab = pool.slab();
        this.peers = new PeerTable(config.maxPeers());
        this.handshakes = new HandshakeAdapter(config.privateKey());
        this.lifecycle = lifecycle;
    }

    long now() {
        return clock.nanoTime();
    }
}
