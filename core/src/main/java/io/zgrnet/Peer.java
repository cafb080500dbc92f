package io.zgrnet;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One remote peer: its endpoint, its sessions and what is staged for it.
 *
 * <p>Sessions, see docs/SESSIONS.md: {@link #current} is always a confirmed session (ours as
 * initiator once the response authenticated, or a responder session once the peer's first
 * transport packet authenticated on it); {@link #candidates} are responder sessions waiting for
 * that proof, several at once, since anyone who knows our public key can send an initiation that
 * claims to be this peer. The first candidate to authenticate a packet becomes current; the
 * others are retired.
 *
 * <p>Ownership: session changes (install, promote, expire) and handshake state belong to the
 * control agent, except the promotion of a candidate, which the receive consumer performs when it
 * authenticates the candidate's first packet; both do it under the peer's monitor, which writers
 * also take, but only on the slow path (while messages are staged: no session yet, or our own
 * rekey in flight). The per-packet paths read volatile fields only.
 */
final class Peer {
    /** Responder sessions waiting for proof at once; an initiation beyond retires the oldest. */
    static final int MAX_CANDIDATES = 4;
    /** Messages staged per peer while no session can carry them. */
    static final int STAGE_LIMIT = 256;
    static final PeerSession[] NO_CANDIDATES = new PeerSession[0];

    final PeerKey key;
    final byte[] publicKey;
    /** {@link #publicKey} as a segment, for comparisons with received bytes. */
    final java.lang.foreign.MemorySegment publicKeyBytes;
    /** Current address; replaced (never mutated) on roaming. */
    volatile Endpoint endpoint;
    /** The confirmed session used for sending; null when there is none. */
    volatile PeerSession current;
    /** The session before {@link #current}, still accepted on receive until it expires. */
    volatile PeerSession previous;
    /** Responder sessions not yet confirmed by an authenticated packet (copy on write). */
    volatile PeerSession[] candidates = NO_CANDIDATES;
    /**
     * One counter for every session of this peer: a new session continues where the old one left
     * off, so that a peer which decrypts every packet with its newest session and moves its replay
     * window before the tag check (zgrnet Go) never sees a new-session counter below one it saw.
     */
    final AtomicLong nextSendCounter = new AtomicLong();
    /** True while writes go to the staging queue (no session, or a rekey of ours in flight). */
    volatile boolean staging;
    /** Writers between reading {@link #staging} false and queueing their datagram. */
    final AtomicInteger writersInside = new AtomicInteger();
    /** Staged plaintext messages: pool slots, in order (monitor). */
    final int[] staged = new int[STAGE_LIMIT];
    int stagedHead;
    int stagedCount;
    /** Set by senders when the current session is due for a rekey; the control agent acts on it. */
    volatile boolean rekeyRequested;
    /** Set by senders that found no session; the control agent starts a handshake. */
    volatile boolean connectRequested;
    /** Set by the reader on a data message, cleared by any send: a keepalive is owed after 10 s. */
    volatile boolean keepaliveDue;
    volatile long lastDataReceivedNs;
    volatile long lastSentNs;
    volatile long lastReceivedNs;
    volatile boolean received;
    volatile boolean sent;
    /** When the first data sent since the last authenticated receive left (0: answered). */
    volatile long unansweredSinceNs;

    final AtomicLong messagesSent = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    /** Single writer (the receive consumer). */
    volatile long messagesReceived;
    volatile long bytesReceived;

    /** Round trip of the last answered ping and the smoothed one (-1: none yet); written by the receive consumer. */
    volatile long lastRttNs = -1;
    volatile long smoothedRttNs = -1;
    /** The estimator behind {@link #smoothedRttNs}: the receive consumer's alone. */
    final io.zgrnet.ping.RttEstimator rtt = new io.zgrnet.ping.RttEstimator();

    /** Relayed handshakes this peer delivered: its token bucket ({@link RelayedHandshakes}, receive consumer's). */
    long relayedHandshakesAt = NEVER;
    /** A time that was never set. */
    static final long NEVER = Long.MIN_VALUE;

    // Control-agent state.
    HandshakeAdapter.Initiation pending;
    long handshakeStartedNs;
    long lastInitSentNs;
    int initsSent;
    /** Our rekey initiation holds writes until this time (then they go out on the old session). */
    long holdUntilNs;
    final List<CompletableFuture<Void>> connectWaiters = new ArrayList<>();
    /** Ephemeral keys of recent initiations from this peer: a repeat is a replay (ring of 8). */
    final byte[][] recentEphemerals = new byte[8][];
    int recentEphemeralNext;
    /**
     * Ephemeral keys of initiations whose sessions were confirmed (ring of 8): forged initiations
     * never get here, so a flood of them cannot push a genuine one out and let it be replayed.
     */
    final byte[][] confirmedEphemerals = new byte[8][];
    int confirmedEphemeralNext;
    /** True when the peer was added by the application (not learned from an unknown handshake). */
    final boolean configured;
    /** When the peer was learned (unknown peers that never confirm are forgotten first). */
    final long createdNs;

    Peer(PeerKey key, Endpoint endpoint, boolean configured, long createdNs) {
        this.key = key;
        this.publicKey = key.toBytes();
        this.publicKeyBytes = java.lang.foreign.MemorySegment.ofArray(publicKey);
        this.endpoint = endpoint;
        this.configured = configured;
        this.createdNs = createdNs;
    }

    /** True if {@code ephemeral} came in a recent or a confirmed initiation (a replay). */
    boolean seenEphemeral(byte[] ephemeral) {
        return contains(recentEphemerals, ephemeral) || contains(confirmedEphemerals, ephemeral);
    }

    /** Records an ephemeral key of an initiation we answered. */
    void rememberEphemeral(byte[] ephemeral) {
        recentEphemerals[recentEphemeralNext] = ephemeral.clone();
        recentEphemeralNext = (recentEphemeralNext + 1) % recentEphemerals.length;
    }

    /** Records the ephemeral key of an initiation whose session was confirmed (monitor). */
    void rememberConfirmed(byte[] ephemeral) {
        if (ephemeral != null && !contains(confirmedEphemerals, ephemeral)) {
            confirmedEphemerals[confirmedEphemeralNext] = ephemeral;
            confirmedEphemeralNext = (confirmedEphemeralNext + 1) % confirmedEphemerals.length;
        }
    }

    private static boolean contains(byte[][] ring, byte[] key) {
        for (byte[] e : ring) {
            if (e != null && java.util.Arrays.equals(e, key)) {
                return true;
            }
        }
        return false;
    }

    /** True if a confirmed session can carry data now. */
    boolean hasCurrent(long nowNs) {
        PeerSession s = current;
        return s != null && !s.expired(nowNs);
    }

    PeerInfo.State state() {
        PeerSession s = current;
        if (s != null) {
            return PeerInfo.State.ESTABLISHED;
        }
        return pending != null || candidates.length > 0 ? PeerInfo.State.CONNECTING : PeerInfo.State.NEW;
    }

    @Override
    public String toString() {
        return "peer " + key + (endpoint == null ? "" : " at " + endpoint);
    }
}
