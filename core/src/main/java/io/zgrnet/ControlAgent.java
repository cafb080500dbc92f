package io.zgrnet;

import static io.zgrnet.peer.ProtocolLimits.KEEPALIVE_TIMEOUT_NS;
import static io.zgrnet.peer.ProtocolLimits.REJECT_AFTER_TIME_NS;
import static io.zgrnet.peer.ProtocolLimits.REKEY_AFTER_TIME_NS;
import static io.zgrnet.peer.ProtocolLimits.REKEY_ATTEMPT_TIME_NS;
import static io.zgrnet.peer.ProtocolLimits.REKEY_ON_RECEIVE_NS;
import static io.zgrnet.peer.ProtocolLimits.REKEY_TIMEOUT_NS;
import static io.zgrnet.peer.ProtocolLimits.CLEAR_SESSIONS_AFTER_NS;

import io.zgrnet.io.PacketPool;
import io.zgrnet.noise.HandshakeFailure;
import io.zgrnet.peer.IndexTable;
import io.zgrnet.wire.HandshakeResponse;
import io.zgrnet.wire.MessageType;
import java.lang.foreign.Arena;
import io.zgrnet.pipeline.Agent;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The control agent: runs every handshake and every peer's timers on one thread.
 *
 * <p>It owns the handshake state of all peers and is the only thread that installs, replaces or
 * retires sessions (the receive consumer only promotes a confirmed responder session, under the
 * peer's monitor). Commands from API threads arrive through a queue; handshake datagrams arrive
 * as pool slots from the I/O agent. Time comes from the configured {@link io.zgrnet.config.Clock},
 * so tests drive the timers without sleeping.
 */
final class ControlAgent implements Agent {
    private static final System.Logger LOG = System.getLogger(ControlAgent.class.getName());
    /** How often the timers are checked. */
    static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final TransportContext ctx;
    private final PacketPool pool;
    private final MemorySegment slab;
    private final TransportStats stats;
    private final SendPath sendPath;
    private final SessionSwitch switcher;
    private final ControlCommands commands;
    /** Our pending initiations by their index; read lock-free by the I/O thread's {@link HandshakeGate}. */
    private final IndexTable<Peer> pendingByIndex;
    private final HandshakeGate gate;
    private final HandshakeAdmission admission;
    private final RelayedHandshakes relayed;
    /** Where an admitted initiation and its source are copied for processing (native: crypto may need it). */
    private final MemorySegment initScratch = Arena.ofAuto().allocate(HandshakeAdmission.INIT_BYTES, 8);
    private final MemorySegment sourceScratch = Arena.ofAuto().allocate(PacketPool.ADDRESS_SIZE, 8);
    private final SecureRandom random = new SecureRandom();
    private long nextTickNs;
    private boolean ticked;

    ControlAgent(TransportContext ctx, SendPath sendPath, SessionSwitch switcher, ControlCommands commands,
                 HandshakeGate gate, HandshakeAdmission admission, RelayedHandshakes relayed) {
        this.ctx = ctx;
        this.pool = ctx.pool;
        this.slab = ctx.slab;
        this.stats = ctx.stats;
        this.sendPath = sendPath;
        this.switcher = switcher;
        this.commands = commands;
        this.gate = gate;
        this.admission = admission;
        this.relayed = relayed;
        this.pendingByIndex = ctx.pendingByIndex;
    }

    @Override
    public String roleName() {
        return "zgrnet-control";
    }

    @Override
    public boolean hasWork() {
        return !commands.isEmpty() || gate.hasWork() || relayed.hasWork();
    }

    @Override
    public int doWork() {
        int work = 0;
        ControlCommands.Command c;
        while (work < 256 && (c = commands.poll()) != null) {
            execute(c);
            work++;
        }
        int slot;
        while (work < 64 && (slot = gate.pollResponse()) >= 0) {
            try {
                handleResponse(slab, pool.slotOffset(slot) + pool.dataOffset(slot), pool.length(slot), slot, -1);
            } finally {
                pool.release(slot);
                gate.tickets().finished(); // after the install: a datagram held behind it may go on
            }
            work++;
        }
        while (work < 64 && admission.take(initScratch, sourceScratch)) {
            handleInit(ctx.now(), -1);
            work++;
        }
        int entry;
        while (work < 64 && (entry = relayed.poll()) >= 0) {
            try {
                handleRelayed(entry);
            } finally {
                relayed.release(entry);
            }
            work++;
        }
        long now = ctx.now();
        if (!ticked || now - nextTickNs >= 0) {
            ticked = true;
            nextTickNs = now + TICK_NS;
            work += tick(now);
        }
        return work;
    }

    private void execute(ControlCommands.Command c) {
        switch (c.kind()) {
            case CONNECT -> connect(c.peer(), c.waiter());
            case REKEY -> rekey(c.peer());
            case STAGING_FULL -> stagingFull(c.peer());
            case FORGET -> forget(c.peer());
            case COMPLETE_WAITERS -> completeWaiters(c.peer());
            case RUN -> c.task().run();
        }
    }

    /** Counts a refused handshake message under its reason. */
    private void refused(HandshakeFailure reason) {
        stats.increment(switch (reason) {
            case DECRYPT_FAILED -> TransportCounter.DROP_HANDSHAKE_DECRYPT_FAILED;
            case INVALID_KEY -> TransportCounter.DROP_HANDSHAKE_INVALID_KEY;
            case ALREADY_USED -> TransportCounter.DROP_HANDSHAKE_ALREADY_USED;
            case TOO_SHORT, WRONG_TYPE, WRONG_INDEX -> TransportCounter.DROP_HANDSHAKE_MALFORMED;
        });
    }

    // ------------------------------------------------------------ handshakes

    /**
     * A handshake message that came relayed ({@link RelayedHandshakes}; docs/RELAY.md, "the
     * destination"): as one from the socket, but from a relayed endpoint "through the neighbour
     * that delivered it", and only if its RELAY_2 src is the key it authenticates.
     */
    private void handleRelayed(int entry) {
        if (relayed.type(entry) == MessageType.HANDSHAKE_INIT) {
            MemorySegment.copy(relayed.messages(), relayed.offset(entry), initScratch, 0, HandshakeAdmission.INIT_BYTES);
            handleInit(ctx.now(), entry);
        } else {
            handleResponse(relayed.messages(), relayed.offset(entry), relayed.length(entry), -1, entry);
        }
    }

    /**
     * An admitted initiation, in {@link #initScratch} from {@link #sourceScratch} (or, when
     * {@code relayedEntry >= 0}, relayed: see {@link #handleRelayed}). It becomes a candidate
     * session of its peer, never the current one: only an authenticated transport packet on it
     * promotes it ({@link #confirm}), because a valid initiation proves nothing about who sent it.
     */
    private void handleInit(long now, int relayedEntry) {
        HandshakeAdapter.Result read = ctx.handshakes.readInit(initScratch, 0, HandshakeAdmission.INIT_BYTES);
        if (!(read instanceof HandshakeAdapter.ReceivedInitiation init)) {
            refused(((HandshakeAdapter.Refused) read).reason());
            return;
        }
        if (relayedEntry >= 0 && !relayed.sourceIs(relayedEntry, init.remotePublicKey())) {
            stats.increment(TransportCounter.DROP_RELAYED_SOURCE_MISMATCH); // the relay names another initiator
            return;
        }
        // Authenticated: now worth an allocation. A relayed one goes back the way it came.
        Endpoint source = relayedEntry >= 0 ? Endpoint.relayed(relayed.via(relayedEntry), init.remotePublicKey())
                : Endpoint.copyOf(sourceScratch, 0);
        Peer peer = ctx.peers.find(init.remotePublicKey());
        if (peer == null) {
            if (!ctx.config.allowUnknownPeers()) {
                stats.increment(TransportCounter.DROP_HANDSHAKE_UNKNOWN_PEER);
                return;
            }
            peer = learnPeer(PeerKey.of(init.remotePublicKey()), now);
            if (peer == null) {
                stats.increment(TransportCounter.DROP_PEER_TABLE_FULL);
                return;
            }
        }
        if (peer.seenEphemeral(init.remoteEphemeral())) {
            stats.increment(TransportCounter.DROP_HANDSHAKE_REPLAYED);
            return;
        }
        peer.rememberEphemeral(init.remoteEphemeral());
        int localIndex = freshIndex();
        HandshakeAdapter.Result answer = ctx.handshakes.respond(init, localIndex);
        if (!(answer instanceof HandshakeAdapter.Response response)) {
            refused(((HandshakeAdapter.Refused) answer).reason());
            return;
        }
        // Anti-amplification (RFC 9000 8.1): an address not proven by an authenticated packet of
        // this peer may receive 3x what it sent, the response included. A relayed source is not
        // an address anyone can spoof: the relay authenticated its neighbour and named it as src.
        Endpoint known = peer.endpoint;
        boolean proven = relayedEntry >= 0 || known != null && peer.current != null && known.sameAs(source);
        long budget = proven ? PeerSession.UNLIMITED
                : 3L * HandshakeAdmission.INIT_BYTES - response.wire().length;
        PeerSession session = new PeerSession(peer, response.keys(), localIndex, false, now, source, budget,
                init.remoteEphemeral());
        ctx.sessions.put(localIndex, session);
        // Install first, answer second: once the response is out the peer may speak at once, and
        // may wait for us to speak first.
        synchronized (peer) {
            PeerSession[] old = peer.candidates;
            PeerSession[] next;
            if (old.length < Peer.MAX_CANDIDATES) {
                next = java.util.Arrays.copyOf(old, old.length + 1);
            } else {
                switcher.retire(old[0]); // the oldest waits longest and is the least likely to be the genuine one
                next = java.util.Arrays.copyOfRange(old, 1, old.length + 1);
            }
            next[next.length - 1] = session;
            peer.candidates = next;
            // A writer that read the candidates before this one was added must have queued its
            // datagram before the response: once the response is out, a peer that switches the
            // moment it has it (zgrnet Go) can no longer open a datagram that has no copy here.
            switcher.awaitWriters(peer);
        }
        sendPath.sendRaw(response.wire(), source);
        stats.increment(TransportCounter.HANDSHAKES_RESPONDED);
        LOG.log(Level.DEBUG, "responded to a handshake claiming {0} from {1}", peer.key, source);
    }

    /** A peer learned from an initiation; when the table is full, one that never confirmed makes room. */
    private Peer learnPeer(PeerKey key, long now) {
        Peer peer = new Peer(key, null, false, now);
        if (ctx.peers.add(peer)) {
            return peer;
        }
        Peer existing = ctx.peers.get(key);
        if (existing != null) {
            return existing;
        }
        Peer victim = null;
        for (Peer p : ctx.peers.all()) {
            if (!p.configured && p.current == null && p.previous == null
                    && (victim == null || p.createdNs - victim.createdNs < 0)) {
                victim = p;
            }
        }
        if (victim == null || ctx.peers.remove(victim.key) == null) {
            return null;
        }
        forget(victim);
        stats.increment(TransportCounter.PEERS_EVICTED);
        return ctx.peers.add(peer) ? peer : null;
    }

    /**
     * A handshake response at {@code segment[off, +len)}: from the socket in pool slot {@code slot},
     * or relayed ({@code relayedEntry >= 0}, slot -1).
     */
    private void handleResponse(MemorySegment segment, long off, int len, int slot, int relayedEntry) {
        long now = ctx.now();
        int receiverIndex = HandshakeResponse.receiverIndex(segment, off);
        Peer peer = pendingByIndex.get(receiverIndex);
        if (peer == null || peer.pending == null) {
            stats.increment(TransportCounter.DROP_RESPONSE_UNMATCHED);
            return;
        }
        if (relayedEntry >= 0 && !relayed.sourceIs(relayedEntry, peer.publicKey)) {
            // Checked before any work: the pending handshake stays as it was.
            stats.increment(TransportCounter.DROP_RELAYED_SOURCE_MISMATCH);
            return;
        }
        HandshakeAdapter.Initiation pending = peer.pending;
        io.zgrnet.noise.SessionOutcome outcome = ctx.handshakes.finish(pending, segment, off, len);
        if (!(outcome instanceof io.zgrnet.noise.SessionKeys keys)) {
            // A forged response leaves the pending handshake untouched (hardening 3).
            refused((HandshakeFailure) outcome);
            return;
        }
        Endpoint source = relayedEntry >= 0 ? Endpoint.relayed(relayed.via(relayedEntry), peer.publicKey)
                : Endpoint.copyOf(pool.addresses(), pool.addressOffset(slot));
        PeerSession session = new PeerSession(peer, keys, pending.localIndex(), true, now, source,
                PeerSession.UNLIMITED, null);
        session.confirmed = true; // the response authenticated the responder
        // The session before the pending entry goes: a worker waiting on the index always finds one of them.
        ctx.sessions.put(pending.localIndex(), session);
        pendingByIndex.remove(receiverIndex, peer);
        peer.pending = null;
        synchronized (peer) {
            switcher.switchTo(peer, session);
        }
        // Speak on the new session at once, as WireGuard's initiator does. A responder that keeps
        // its old session until the new one proves itself (as we do, since a forged initiation
        // also makes a candidate) otherwise learns of it only from our next message: after a
        // restart, up to keepalive + rekey timeout later. Staged messages that just went out on
        // it did that already; then no keepalive.
        if (!session.sealedSinceStart()
                && sendPath.sendOn(peer, session, -1, null, MemorySegment.NULL, 0, 0, session.endpoint)) {
            stats.increment(TransportCounter.KEEPALIVES_SENT);
        }
        peer.connectRequested = false;
        peer.rekeyRequested = false;
        peer.holdUntilNs = 0;
        stats.increment(TransportCounter.HANDSHAKES_COMPLETED);
        completeWaiters(peer);
        LOG.log(Level.DEBUG, "handshake with {0} complete", peer.key);
    }

    private int freshIndex() {
        while (true) {
            int index = random.nextInt();
            if (ctx.sessions.get(index) == null && pendingByIndex.get(index) == null) {
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
        long now = ctx.now();
        if (waiter != null) {
            if (peer.hasCurrent(now)) {
                waiter.complete(null);
                return;
            }
            peer.connectWaiters.add(waiter);
        }
        if (peer.pending == null && !peer.hasCurrent(now)) {
            startHandshake(peer, now);
        }
        peer.connectRequested = false;
    }

    /** A sender found the current session due for a rekey (we initiated it). */
    void rekey(Peer peer) {
        if (peer.pending == null && !removed(peer)) {
            startHandshake(peer, ctx.now());
        }
    }

    /** A writer found the staging queue full: a rekey hold ends now, the messages go out on the old session. */
    void stagingFull(Peer peer) {
        if (peer.holdUntilNs != 0) {
            releaseHold(peer);
        }
    }

    /**
     * True if {@code peer} is no longer in the table. API threads read a peer and then queue a
     * command for it; removePeer may run in between, and its forget() before the command. Such a
     * command must not handshake (the session would belong to no peer: never ticked, expired or
     * retired) nor park a waiter that nothing will complete.
     */
    private boolean removed(Peer peer) {
        return ctx.peers.get(peer.key) != peer;
    }

    /**
     * Starts a handshake. With a confirmed session to rekey, writes are held (staged) while our
     * initiation is in flight, for at most {@link #REKEY_HOLD_NS}: a responder that switches the
     * moment it answers (zgrnet Go) cannot open packets of the old session any more, so none
     * should be on the way; the held messages go out on the new session when the response comes.
     */
    private void startHandshake(Peer peer, long now) {
        if (peer.endpoint == null) {
            return;
        }
        peer.handshakeStartedNs = now;
        peer.initsSent = 0;
        if (peer.hasCurrent(now)) {
            synchronized (peer) {
                peer.staging = true;
                switcher.awaitWriters(peer);
                peer.holdUntilNs = now + REKEY_HOLD_NS;
            }
        }
        sendInit(peer, now);
    }

    /** The rekey hold ends without a response: what it held goes out on the old session. */
    private void releaseHold(Peer peer) {
        synchronized (peer) {
            peer.holdUntilNs = 0;
            PeerSession s = peer.current;
            if (s != null && !s.expired(ctx.now())) {
                sendPath.flushStaged(peer, s, peer.endpoint);
                peer.staging = false;
            } else if (peer.stagedCount == 0) {
                peer.staging = false;
            }
        }
        stats.increment(TransportCounter.REKEY_HOLDS_RELEASED);
    }

    private void sendInit(Peer peer, long now) {
        if (peer.pending != null) {
            pendingByIndex.remove(peer.pending.localIndex(), peer);
        }
        int index = freshIndex();
        HandshakeAdapter.Initiation init = ctx.handshakes.initiate(peer.publicKey, index);
        if (init == null) {
            peer.pending = null;
            peer.connectRequested = false;
            failWaiters(peer, new IOException("peer " + peer.key + " has a low-order public key: no handshake"));
            return;
        }
        peer.pending = init;
        pendingByIndex.put(index, peer);
        peer.lastInitSentNs = now;
        peer.initsSent++;
        sendPath.sendRaw(init.wire(), peer.endpoint);
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

    /** The state of a peer's handshake in words, for error messages. */
    String describeHandshake(Peer peer, long now) {
        Endpoint e = peer.endpoint;
        return "handshake with " + peer.key + (e == null ? "" : " at " + e) + ": "
                + (peer.initsSent == 0 ? "no initiation sent yet" : peer.initsSent + " initiation(s) sent in "
                + TimeUnit.NANOSECONDS.toMillis(now - peer.handshakeStartedNs) + " ms, no valid response");
    }

    // ------------------------------------------------------------ timers

    /** How long a rekey of ours holds writes at most, waiting for the response. */
    static final long REKEY_HOLD_NS = TimeUnit.MILLISECONDS.toNanos(300);
    /** How long a peer learned from an initiation may stay without a confirmed session. */
    static final long UNKNOWN_PEER_PROOF_NS = KEEPALIVE_TIMEOUT_NS + REKEY_TIMEOUT_NS;

    private int tick(long now) {
        int work = 0;
        for (Peer peer : ctx.peers.all()) {
            work += tick(peer, now);
        }
        return work;
    }

    private int tick(Peer peer, long now) {
        int work = 0;
        if (peer.holdUntilNs != 0 && now - peer.holdUntilNs >= 0) {
            releaseHold(peer);
            work++;
        }
        // Handshake retries and give-up.
        if (peer.pending != null) {
            if (now - peer.handshakeStartedNs >= REKEY_ATTEMPT_TIME_NS) {
                String what = describeHandshake(peer, now);
                pendingByIndex.remove(peer.pending.localIndex(), peer);
                peer.pending = null;
                peer.connectRequested = false;
                peer.rekeyRequested = false;
                peer.unansweredSinceNs = 0;
                failWaiters(peer, new IOException(what + "; gave up after "
                        + TimeUnit.NANOSECONDS.toSeconds(REKEY_ATTEMPT_TIME_NS) + " s"));
                if (!peer.hasCurrent(now)) {
                    sendPath.dropStaged(peer);
                }
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
                    PeerSession older = peer.previous;
                    peer.previous = current;
                    peer.current = null;
                    if (older != null) {
                        switcher.retire(older);
                    }
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
                    switcher.retire(previous);
                }
            }
        }
        work += expireCandidates(peer, now);
        // Start a handshake that a sender asked for, a rekey the initiator owes, or one the
        // liveness rule calls for: data sent and no authenticated answer for 15 s (a restarted peer).
        if (peer.pending == null && peer.endpoint != null) {
            boolean rekey = current != null && current.initiator
                    && (now - current.createdNs >= REKEY_AFTER_TIME_NS && peer.rekeyRequested
                        || now - current.createdNs >= REKEY_ON_RECEIVE_NS && peer.received
                           && now - peer.lastReceivedNs < KEEPALIVE_TIMEOUT_NS);
            long unanswered = peer.unansweredSinceNs;
            boolean silent = unanswered != 0 && now - unanswered >= KEEPALIVE_TIMEOUT_NS + REKEY_TIMEOUT_NS;
            if (silent) {
                stats.increment(TransportCounter.LIVENESS_HANDSHAKES);
                peer.unansweredSinceNs = now; // once per 15 s of silence
                LOG.log(Level.DEBUG, "{0}: data sent and nothing received for 15 s; new handshake", peer);
            }
            if (peer.connectRequested && current == null || rekey || peer.rekeyRequested && current == null
                    || silent) {
                startHandshake(peer, now);
                peer.connectRequested = false;
                work++;
            }
        }
        // Passive keepalive: we received data and have sent nothing for KEEPALIVE_TIMEOUT.
        if (current != null && peer.keepaliveDue && now - peer.lastDataReceivedNs >= KEEPALIVE_TIMEOUT_NS
                && (!peer.sent || now - peer.lastSentNs >= KEEPALIVE_TIMEOUT_NS)) {
            if (sendPath.sendOn(peer, current, -1, null, MemorySegment.NULL, 0, 0, peer.endpoint)) {
                stats.increment(TransportCounter.KEEPALIVES_SENT);
            }
            peer.keepaliveDue = false;
            work++;
        }
        // Unknown peers with nothing left are forgotten, so the table does not fill up.
        if (!peer.configured && peer.current == null && peer.candidates.length == 0 && peer.pending == null
                && peer.previous == null) {
            if (ctx.peers.remove(peer.key) != null) {
                forget(peer);
            }
        }
        return work;
    }

    /**
     * Candidates that nothing proved: retired after the handshake attempt time (90 s), or, for a
     * peer learned from an initiation (not configured), after 15 s, so that forged initiations
     * from random keys cannot keep table entries.
     */
    private int expireCandidates(Peer peer, long now) {
        PeerSession[] waiting = peer.candidates;
        if (waiting.length == 0) {
            return 0;
        }
        long ttl = peer.configured ? REKEY_ATTEMPT_TIME_NS : UNKNOWN_PEER_PROOF_NS;
        int expired = 0;
        for (PeerSession c : waiting) {
            if (now - c.createdNs >= ttl) {
                expired++;
            }
        }
        if (expired == 0) {
            return 0;
        }
        synchronized (peer) {
            java.util.List<PeerSession> keep = new java.util.ArrayList<>();
            for (PeerSession c : peer.candidates) {
                if (now - c.createdNs >= ttl) {
                    switcher.retire(c);
                } else {
                    keep.add(c);
                }
            }
            peer.candidates = keep.isEmpty() ? Peer.NO_CANDIDATES : keep.toArray(new PeerSession[0]);
            if (peer.candidates.length == 0 && peer.current == null && peer.pending == null) {
                sendPath.dropStaged(peer); // nothing will carry them
            }
        }
        return expired;
    }

    // ------------------------------------------------------------ teardown

    /** Retires everything of a removed peer. */
    void forget(Peer peer) {
        synchronized (peer) {
            for (PeerSession s : new PeerSession[] {peer.current, peer.previous}) {
                if (s != null) {
                    switcher.retire(s);
                }
            }
            for (PeerSession c : peer.candidates) {
                switcher.retire(c);
            }
            peer.current = null;
            peer.previous = null;
            peer.candidates = Peer.NO_CANDIDATES;
        }
        sendPath.dropStaged(peer);
        if (peer.pending != null) {
            pendingByIndex.remove(peer.pending.localIndex(), peer);
            peer.pending = null;
        }
        failWaiters(peer, new IOException("peer " + peer.key + " was removed"));
    }

    /** At close, after the agent's thread stopped: erase all keys, fail all waiters. */
    void destroyAll() {
        ControlCommands.Command c;
        while ((c = commands.poll()) != null) {
            if (c.waiter() != null) {
                c.waiter().completeExceptionally(new TransportClosedException(ctx.lifecycle.failure()));
            }
        }
        for (Peer peer : ctx.peers.all()) {
            forget(peer);
        }
    }
}
