package io.zgrnet;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One remote peer: its endpoint and its sessions.
 *
 * <p>Ownership: session changes (install, promote, expire) and handshake state belong to the
 * control agent, except the promotion of an unconfirmed responder session, which the receive
 * consumer performs when it authenticates the session's first packet; both do it under the peer's
 * monitor. That lock is taken once per session, never per packet: the per-packet paths read the
 * volatile fields only.
 */
final class Peer {
    final PeerKey key;
    final byte[] publicKey;
    /** Current address; replaced (never mutated) on roaming. */
    volatile Endpoint endpoint;
    /** The session used for sending; null when there is none. */
    volatile PeerSession current;
    /** The session before {@link #current}, still accepted on receive until it expires. */
    volatile PeerSession previous;
    /** A responder session not yet confirmed by an authenticated packet (protocol.md hardening 2). */
    volatile PeerSession unconfirmed;
    /** Set by senders when the current session is due for a rekey; the control agent acts on it. */
    volatile boolean rekeyRequested;
    /** Set by senders that found no session; the control agent starts a handshake. */
    volatile boolean connectRequested;
    /** Set by the reader on a data message, cleared by any send: a keepalive is owed after 10 s. */
    volatile boolean keepaliveDue;
    volatile long lastDataReceivedNs;
    volatile long lastSentNs;
    volatile long lastReceivedNs;
    /** Unsigned-safe "never": timestamps start as this and are tested with {@link #hasReceived()}. */
    volatile boolean received;
    volatile boolean sent;

    final AtomicLong messagesSent = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    /** Single writer (the receive consumer). */
    volatile long messagesReceived;
    volatile long bytesReceived;

    // Control-agent state.
    HandshakeAdapter.Initiation pending;
    long handshakeStartedNs;
    long lastInitSentNs;
    final List<CompletableFuture<Void>> connectWaiters = new ArrayList<>();
    /** Ephemeral keys of recent inits from this peer: a repeat is a replay (ring of 8). */
    final byte[][] recentEphemerals = new byte[8][];
    int recentEphemeralNext;
    /** True when the peer was added by the application (not learned from an unknown handshake). */
    final boolean configured;

    Peer(PeerKey key, Endpoint endpoint, boolean configured) {
        this.key = key;
        this.publicKey = key.toBytes();
        this.endpoint = endpoint;
        this.configured = configured;
    }

    boolean hasReceived() {
        return received;
    }

    /** Records an ephemeral key; returns false if it was seen recently (a replayed init). */
    boolean rememberEphemeral(byte[] ephemeral) {
        for (byte[] e : recentEphemerals) {
            if (e != null && java.util.Arrays.equals(e, ephemeral)) {
                return false;
            }
        }
        recentEphemerals[recentEphemeralNext] = ephemeral.clone();
        recentEphemeralNext = (recentEphemeralNext + 1) % recentEphemerals.length;
        return true;
    }

    PeerInfo.State state() {
        PeerSession s = current;
        if (s != null) {
            return PeerInfo.State.ESTABLISHED;
        }
        return pending != null ? PeerInfo.State.CONNECTING : PeerInfo.State.NEW;
    }

    @Override
    public String toString() {
        return "peer " + key + (endpoint == null ? "" : " at " + endpoint);
    }
}
