package io.zgrnet;

import static io.zgrnet.peer.ProtocolLimits.KEEPALIVE_TIMEOUT_NS;
import static io.zgrnet.peer.ProtocolLimits.REJECT_AFTER_TIME_NS;
import static io.zgrnet.peer.ProtocolLimits.REKEY_AFTER_TIME_NS;
import static io.zgrnet.peer.ProtocolLimits.REKEY_ATTEMPT_TIME_NS;
import static io.zgrnet.peer.ProtocolLimits.REKEY_ON_RECEIVE_NS;
import static io.zgrnet.peer.ProtocolLimits.REKEY_TIMEOUT_NS;
import static io.zgrnet.peer.ProtocolLimits.CLEAR_SESSIONS_AFTER_NS;

import io.zgrnet.io.PacketPool;
import io.zgrnet.peer.IndexTable;
import io.zgrnet.wire.HandshakeResponse;
import java.lang.foreign.Arena;
import io.zgrnet.pipeline.Agent;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The control agent: runs every handshake and every peer's timers on one thread.
 *
 * <p>It owns the handshake state of all peers and is the only thread that installs, replaces or
 * retires sessions (the receive consumer only promotes a confirmed responder session, under the
 * peer's monitor). Commands from API threads arrive through a queue; handshake datagrams arrive
 * as pool slots from the I/O agent. Time comes from the configured {@link io.zgrnet.peer.Clock},
 * so tests drive the timers without sleeping.
 */
final class ControlAgent implements Agent {
    private static final System.Logger LOG = System.getLogger(ControlAgent.class.getName());
    /** How often the timers are checked. */
    static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final UDP udp;
    private final PacketPool pool;
    private final MemorySegment slab;
    private final TransportStats stats;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    /** Our pending initiations by their index; read lock-free by the I/O thread's {@link HandshakeGate}. */
    private final IndexTable<Peer> pendingByIndex;
    private final HandshakeGate gate;
    private final HandshakeAdmission admission;
    /** Where an admitted initiation and its source are copied for processing (native: crypto may need it). */
    private final MemorySegment initScratch = Arena.ofAuto().allocate(HandshakeAdmission.INIT_BYTES, 8);
    private final MemorySegment sourceScratch = Arena.ofAuto().allocate(PacketPool.ADDRESS_SIZE, 8);
    private final SecureRandom random = new SecureRandom();
    private long nextTickNs;
    private boolean ticked;

    ControlAgent(UDP udp, HandshakeGate gate, HandshakeAdmission admission, IndexTable<Peer> pendingByIndex) {
        this.udp = udp;
        this.pool = udp.pool();
        this.slab = pool.slab();
        this.stats = udp.statsInternal();
        this.gate = gate;
        this.admission = admission;
        this.pendingByIndex = pendingByIndex;
    }

    @Override
    public String roleName() {
        return "zgrnet-control";
    }

    /** Runs {@code command} on the control thread. */
    void submit(Runnable command) {
        commands.add(command);
        udp.wakeControl();
    }

    @Override
    public boolean hasWork() {
        return !commands.isEmpty() || gate.hasWork();
    }

    @Override
    public int doWork() {
        int work = 0;
        Runnable c;
        while ((c = commands.poll()) != null) {
            c.run();
            work++;
        }
        int slot;
        while (work < 64 && (slot = gate.pollResponse()) >= 0) {
            try {
                handleResponse(slot);
            } finally {
                pool.release(slot);
            }
            work++;
        }
        while (work < 64 && admission.take(initScratch, sourceScratch)) {
            handleInit(udp.config().clock().nanoTime());
            work++;
        }
        long now = udp.config().clock().nanoTime();
        if (!ticked || now - nextTickNs >= 0) {
            ticked = true;
            nextTickNs = now + TICK_NS;
            work += tick(now);
        }
        return work;
    }

    // ------------------------------------------------------------ handshakes

    /** An admitted initiation, in {@link #initScratch} from {@link #sourceScratch}. */
    private void handleInit(long now) {
        HandshakeAdapter.ReceivedInitiation init = udp.handshakes().readInit(initScratch, 0,
                HandshakeAdmission.INIT_BYTES);
        if (init == null) {
            stats.increment(TransportCounter.DROP_HANDSHAKE_INVALID);
            return;
        }
        Endpoint source = Endpoint.copyOf(sourceScratch, 0); // authenticated: now worth an allocation
        Peer peer = udp.peerTable().find(init.remotePublicKey());
        if (peer == null) {
            if (!udp.config().allowUnknownPeers()) {
                stats.increment(TransportCounter.DROP_HANDSHAKE_UNKNOWN_PEER);
                return;
            }
            peer = new Peer(PeerKey.of(init.remotePublicKey()), null, false);
            if (!udp.peerTable().add(peer)) {
                peer = udp.peerTable().find(init.remotePublicKey());
                if (peer == null) {
                    stats.increment(TransportCounter.DROP_PEER_TABLE_FULL);
                    return;
                }
            }
        }
        if (!peer.rememberEphemeral(init.remoteEphemeral())) {
            stats.increment(TransportCounter.DROP_HANDSHAKE_REPLAYED);
            return;
        }
        int localIndex = freshIndex();
        HandshakeAdapter.Response response = udp.handshakes().respond(init, localIndex);
        if (response == null) {
            stats.increment(TransportCounter.DROP_HANDSHAKE_INVALID);
            return;
        }
        PeerSession session = new PeerSession(peer, response.keys(), localIndex, false, now, source);
        udp.sessions().put(localIndex, session);
        // Install first, answer second: once the response is out the peer may speak at once, and
        // may wait for us to speak first. Sent earlier, the response opened a window in which
        // writeTo found no (or not this) session, and in which the session's first packet could be
        // consumed before it was parked as unconfirmed, so that it was never promoted.
        synchronized (peer) {
            PeerSession live = peer.current;
            if (udp.usable(live) && live.confirmed) {
                // Keep the live session and endpoint until the new one proves itself (hardening 2):
                // a replayed init never authenticates a packet, so it can never take over.
                PeerSession older = peer.unconfirmed;
                peer.unconfirmed = session;
                if (older != null) {
                    retire(older);
                }
            } else {
                replaceCurrent(peer, session);
                peer.endpoint = source;
            }
        }
        udp.sendRaw(response.wire(), source);
        stats.increment(TransportCounter.HANDSHAKES_RESPONDED);
        stats.increment(TransportCounter.HANDSHAKES_COMPLETED);
        completeWaiters(peer);
        LOG.log(Level.DEBUG, "responded to handshake from {0} at {1}", peer.key, source);
    }

    private void handleResponse(int slot) {
        long off = pool.slotOffset(slot) + pool.dataOffset(slot);
        int len = pool.length(slot);
        long now = udp.config().clock().nanoTime();
        int receiverIndex = HandshakeResponse.receiverIndex(slab, off);
        Peer peer = pendingByIndex.get(receiverIndex);
        if (peer == null || peer.pending == null) {
            stats.increment(TransportCounter.DROP_RESPONSE_UNMATCHED);
            return;
        }
        HandshakeAdapter.Initiation pending = peer.pending;
        io.zgrnet.noise.SessionKeys keys = udp.handshakes().finish(pending, slab, off, len);
        if (keys == null) {
            // A forged response leaves the pending handshake untouched (hardening 3).
            stats.increment(TransportCounter.DROP_HANDSHAKE_INVALID);
            return;
        }
        pendingByIndex.remove(receiverIndex, peer);
        peer.pending = null;
        Endpoint source = Endpoint.copyOf(pool.addresses(), pool.addressOffset(slot));
        PeerSession session = new PeerSession(peer, keys, pending.localIndex(), true, now, source);
        session.confirmed = true; // the response authenticated the responder
        udp.sessions().put(pending.localIndex(), session);
        synchronized (peer) {
            replaceCurrent(peer, session);
            peer.endpoint = source;
            PeerSession stale = peer.unconfirmed;
            if (stale != null) {
                peer.unconfirmed = null;
                retire(stale);
            }
        }
        peer.connectRequested = false;
        peer.rekeyRequested = false;
        stats.increment(TransportCounter.HANDSHAKES_COMPLETED);
        completeWaiters(peer);
        LOG.log(Level.DEBUG, "handshake with {0} complete", peer.key);
    }

    /** Called on the reader thread when a session authenticates its first packet. */
    void confirm(PeerSession s) {
        Peer peer = s.peer;
        synchronized (peer) {
            if (s.confirmed) {
                return;
            }
            s.confirmed = true;
            if (peer.unconfirmed == s) {
                peer.unconfirmed = null;
                replaceCurrent(peer, s);
                peer.endpoint = s.endpoint;
                LOG.log(Level.DEBUG, "new session with {0} confirmed; switched to {1}", peer.key, s.endpoint);
            }
        }
    }

    /** Makes {@code session} current; the old current becomes previous; the older previous retires. */
    private void replaceCurrent(Peer peer, PeerSession session) {
        PeerSession old = peer.current;
        PeerSession older = peer.previous;
        peer.previous = old;
        peer.current = session;
        if (older != null && older != session) {
            retire(older);
        }
    }

    private void retire(PeerSession s) {
        udp.sessions().remove(s.localIndex, s);
        s.destroy();
    }

    private int freshIndex() {
        while (true) {
            int index = random.nextInt();
            if (udp.sessions().get(index) == null && pendingByIndex.get(index) == null) {
                return index;
            }
        }
    }

    // ------------------------------------------------------------ connect

    void connect(Peer peer, CompletableFuture<Void> waiter) {
        if (removed(peer)) {
            if (waiter != null) {
                waiter.completeExceptionally(new IOException("peer " + peer.key + " was removed"));
            }
            return;
        }
        if (waiter != null) {
            if (udp.usable(peer.current)) {
                waiter.complete(null);
                return;
            }
            peer.connectWaiters.add(waiter);
        }
        if (peer.pending == null && !udp.usable(peer.current)) {
            startHandshake(peer, udp.config().clock().nanoTime());
        }
        peer.connectRequested = false;
    }

    /** A sender found the current session due for a rekey (we initiated it). */
    void rekey(Peer peer) {
        if (peer.pending == null && !removed(peer)) {
            startHandshake(peer, udp.config().clock().nanoTime());
        }
    }

    /**
     * True if {@code peer} is no longer in the table. API threads read a peer and then queue a
     * command for it; removePeer may run in between, and its forget() before the command. Such a
     * command must not handshake (the session would belong to no peer: never ticked, expired or
     * retired) nor park a waiter that nothing will complete.
     */
    private boolean removed(Peer peer) {
        return udp.peerTable().get(peer.key) != peer;
    }

    private void startHandshake(Peer peer, long now) {
        if (peer.endpoint == null) {
            return;
        }
        peer.handshakeStartedNs = now;
        sendInit(peer, now);
    }

    private void sendInit(Peer peer, long now) {
        if (peer.pending != null) {
            pendingByIndex.remove(peer.pending.localIndex(), peer);
        }
        int index = freshIndex();
        HandshakeAdapter.Initiation init = udp.handshakes().initiate(peer.publicKey, index);
        if (init == null) {
            peer.pending = null;
            peer.connectRequested = false;
            failWaiters(peer, new IOException("peer " + peer.key + " has a low-order public key: no handshake"));
            return;
        }
        peer.pending = init;
        pendingByIndex.put(index, peer);
        peer.lastInitSentNs = now;
        udp.sendRaw(init.wire(), peer.endpoint);
        stats.increment(TransportCounter.HANDSHAKES_INITIATED);
    }

    private void completeWaiters(Peer peer) {
        for (CompletableFuture<Void> f : peer.connectWaiters) {
            f.complete(null);
        }
        peer.connectWaiters.clear();
    }

    private void failWaiters(Peer peer, IOException cause) {
        for (CompletableFuture<Void> f : peer.connectWaiters) {
            f.completeExceptionally(cause);
        }
        peer.connectWaiters.clear();
    }

    // ------------------------------------------------------------ timers

    private int tick(long now) {
        int work = 0;
        for (Peer peer : udp.peerTable().all()) {
            work += tick(peer, now);
        }
        return work;
    }

    private int tick(Peer peer, long now) {
        int work = 0;
        // Handshake retries and give-up.
        if (peer.pending != null) {
            if (now - peer.handshakeStartedNs >= REKEY_ATTEMPT_TIME_NS) {
                pendingByIndex.remove(peer.pending.localIndex(), peer);
                peer.pending = null;
                peer.connectRequested = false;
                peer.rekeyRequested = false;
                failWaiters(peer, new IOException("handshake with " + peer.key + " got no response within "
                        + TimeUnit.NANOSECONDS.toSeconds(REKEY_ATTEMPT_TIME_NS) + " s"));
                work++;
            } else if (now - peer.lastInitSentNs >= REKEY_TIMEOUT_NS) {
                sendInit(peer, now); // a fresh ephemeral and index each retry
                work++;
            }
        }
        PeerSession current = peer.current;
        // Expiry: a session past its reject time is never used again.
        if (current != null && now - current.createdNs >= REJECT_AFTER_TIME_NS) {
            synchronized (peer) {
                if (peer.current == current) {
                    replaceCurrent(peer, null);
                    stats.increment(TransportCounter.SESSIONS_EXPIRED);
                }
            }
            current = null;
            work++;
        }
        PeerSession previous = peer.previous;
        if (previous != null && now - previous.createdNs >= CLEAR_SESSIONS_AFTER_NS) {
            synchronized (peer) {
                if (peer.previous == previous) {
                    peer.previous = null;
                    retire(previous);
                }
            }
        }
        PeerSession unconfirmed = peer.unconfirmed;
        if (unconfirmed != null && now - unconfirmed.createdNs >= REKEY_ATTEMPT_TIME_NS) {
            synchronized (peer) {
                if (peer.unconfirmed == unconfirmed) {
                    peer.unconfirmed = null;
                    retire(unconfirmed);
                }
            }
        }
        // Start a handshake that a sender asked for, or a rekey the initiator owes.
        if (peer.pending == null && peer.endpoint != null) {
            boolean rekey = current != null && current.initiator
                    && (now - current.createdNs >= REKEY_AFTER_TIME_NS && peer.rekeyRequested
                        || now - current.createdNs >= REKEY_ON_RECEIVE_NS && peer.received
                           && now - peer.lastReceivedNs < KEEPALIVE_TIMEOUT_NS);
            if (peer.connectRequested && current == null || rekey || peer.rekeyRequested && current == null) {
                startHandshake(peer, now);
                peer.connectRequested = false;
                work++;
            }
        }
        // Passive keepalive: we received data and have sent nothing for KEEPALIVE_TIMEOUT.
        if (current != null && peer.keepaliveDue && now - peer.lastDataReceivedNs >= KEEPALIVE_TIMEOUT_NS
                && (!peer.sent || now - peer.lastSentNs >= KEEPALIVE_TIMEOUT_NS)) {
            if (udp.sendOn(peer, current, -1, null, MemorySegment.NULL, 0, 0, peer.endpoint)) {
                stats.increment(TransportCounter.KEEPALIVES_SENT);
            }
            peer.keepaliveDue = false;
            work++;
        }
        // Unknown peers with nothing left are forgotten, so the table does not fill up.
        if (!peer.configured && peer.current == null && peer.unconfirmed == null && peer.pending == null
                && (peer.previous == null)) {
            udp.peerTable().remove(peer.key);
        }
        return work;
    }

    // ------------------------------------------------------------ teardown

    /** Retires everything of a removed peer. */
    void forget(Peer peer) {
        synchronized (peer) {
            for (PeerSession s : new PeerSession[] {peer.current, peer.previous, peer.unconfirmed}) {
                if (s != null) {
                    retire(s);
                }
            }
            peer.current = null;
            peer.previous = null;
            peer.unconfirmed = null;
        }
        if (peer.pending != null) {
            pendingByIndex.remove(peer.pending.localIndex(), peer);
            peer.pending = null;
        }
        failWaiters(peer, new IOException("peer " + peer.key + " was removed"));
    }

    /** At close, after the agent's thread stopped: erase all keys, fail all waiters. */
    void destroyAll() {
        Runnable c;
        while ((c = commands.poll()) != null) {
            c.run();
        }
        for (Peer peer : udp.peerTable().all()) {
            forget(peer);
        }
    }
}
