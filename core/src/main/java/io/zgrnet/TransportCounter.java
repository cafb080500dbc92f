package io.zgrnet;

/**
 * The transport's counters (Aeron's {@code SystemCounterDescriptor} style): each has an explicit,
 * stable {@link #id()} and {@link #key()} that exports (JSON, JFR, metrics) can rely on across
 * versions, whatever the declaration order, and a label for people. Every datagram received ends
 * in exactly one of the receive outcomes (a delivery, a keepalive, a handshake answered or
 * completed, or one {@code DROP_*} counter); every message a writer hands over is sent, staged, or
 * counted as not sent. Ids are never reused.
 */
public enum TransportCounter {
    DATAGRAMS_RECEIVED(0, "datagrams_received", "datagrams received"),
    MESSAGES_DELIVERED(1, "messages_delivered", "messages delivered to the reader or a protocol handler"),
    KEEPALIVES_RECEIVED(2, "keepalives_received", "keepalives received"),
    MESSAGES_SENT(3, "messages_sent", "messages sent"),
    KEEPALIVES_SENT(4, "keepalives_sent", "keepalives sent"),
    HANDSHAKES_INITIATED(5, "handshakes_initiated", "handshake initiations sent"),
    HANDSHAKES_RESPONDED(6, "handshakes_responded", "handshake responses sent"),
    HANDSHAKES_COMPLETED(7, "handshakes_completed", "sessions established (response authenticated, or a responder session proven)"),
    SESSIONS_EXPIRED(8, "sessions_expired", "sessions expired"),
    ROAMING_UPDATES(9, "roaming_updates", "peer endpoint changed by an authenticated packet"),
    DROP_RECEIVE_QUEUE_FULL(10, "drop_receive_queue_full", "dropped: in-order receive ring full (slow reader)"),
    DROP_CONTROL_QUEUE_FULL(11, "drop_control_queue_full", "dropped: handshake response queue full"),
    DROP_SEND_QUEUE_FULL(12, "drop_send_queue_full", "not sent: send queue full"),
    DROP_POOL_EXHAUSTED(13, "drop_pool_exhausted", "not sent: no free packet slot"),
    DROP_MALFORMED(14, "drop_malformed", "dropped: shorter than its message type requires"),
    DROP_UNKNOWN_TYPE(15, "drop_unknown_type", "dropped: unknown or cookie message type"),
    DROP_UNKNOWN_INDEX(16, "drop_unknown_index", "dropped: transport for an unknown session index"),
    DROP_DECRYPT_FAILED(17, "drop_decrypt_failed", "dropped: transport that failed to authenticate"),
    DROP_REPLAYED(18, "drop_replayed", "dropped: replayed or too old counter"),
    DROP_SESSION_EXPIRED(19, "drop_session_expired", "dropped: session past its reject time"),
    DROP_HANDSHAKE_DECRYPT_FAILED(20, "drop_handshake_decrypt_failed", "dropped: handshake message whose tag did not verify"),
    DROP_HANDSHAKE_UNKNOWN_PEER(21, "drop_handshake_unknown_peer", "dropped: handshake from a peer not allowed"),
    DROP_HANDSHAKE_RATE_LIMITED(22, "drop_handshake_rate_limited", "dropped: handshake rate limit for the source address"),
    DROP_HANDSHAKE_SOURCE_BUSY(23, "drop_handshake_source_busy", "dropped: an initiation from the same source is still waiting"),
    DROP_HANDSHAKE_ADMISSION_FULL(24, "drop_handshake_admission_full", "dropped: every handshake admission entry for the source is busy"),
    DROP_HANDSHAKE_REPLAYED(25, "drop_handshake_replayed", "dropped: handshake initiation replayed (same ephemeral key)"),
    DROP_PEER_TABLE_FULL(26, "drop_peer_table_full", "dropped: peer table full"),
    PEERS_EVICTED(27, "peers_evicted", "unknown peers that never confirmed a session, evicted to make room"),
    DROP_RESPONSE_UNMATCHED(28, "drop_response_unmatched", "dropped: handshake response for no pending handshake"),
    DROP_NO_SESSION(29, "drop_no_session", "not sent: no session with the peer (the handshake failed, or the peer was removed)"),
    MESSAGES_STAGED(30, "messages_staged", "messages staged while a handshake ran (sent in order once a session was up)"),
    DROP_STAGING_FULL(31, "drop_staging_full", "not sent: the peer's staging queue was full"),
    DROP_AMPLIFICATION_LIMIT(32, "drop_amplification_limit", "copies not sent to an unproven address: 3x what it sent us was reached"),
    REKEY_HOLDS_RELEASED(33, "rekey_holds_released", "rekey holds ended without a response (staged messages went out on the old session)"),
    LIVENESS_HANDSHAKES(34, "liveness_handshakes", "handshakes started because sent data got no answer for 15 s"),
    DROP_SEND_FAILED(35, "drop_send_failed", "not sent: the backend refused them"),
    DROP_HANDSHAKE_INVALID_KEY(36, "drop_handshake_invalid_key", "dropped: handshake with a low-order public key (all-zero DH)"),
    DROP_HANDSHAKE_MALFORMED(37, "drop_handshake_malformed", "dropped: handshake message of the wrong type or index"),
    DROP_HANDSHAKE_ALREADY_USED(38, "drop_handshake_already_used", "dropped: a second response for a finished handshake"),
    DROP_CONTROL_COMMAND_REFUSED(39, "drop_control_command_refused", "control commands refused: the command queue was full"),
    DROP_INBOX_FULL(40, "drop_inbox_full", "dropped: the application did not read and its inbox was full (services kept running)"),
    STREAMS_OPENED(41, "streams_opened", "streams we opened (openStream)"),
    STREAMS_ACCEPTED(42, "streams_accepted", "streams the peers opened, handed to acceptStream or the stream handler"),
    STREAMS_RESET(43, "streams_reset", "streams ended by a removed peer, a replaced or expired session, or the transport closing"),
    STREAM_FRAMES_RECEIVED(44, "stream_frames_received", "stream frames (protocol 64) handed to a peer's mux"),
    STREAM_FRAMES_SENT(45, "stream_frames_sent", "stream frames (protocol 64) handed to the send path"),
    DROP_STREAM_QUEUE_FULL(46, "drop_stream_queue_full", "dropped: stream frame queue to the stream thread full (KCP resends)"),
    DROP_STREAM_FRAME_TOO_LARGE(47, "drop_stream_frame_too_large", "dropped: stream frame larger than a frame queue slot"),
    DROP_STREAM_NO_SESSION(48, "drop_stream_no_session", "dropped: stream frame from a peer that has no current session or was removed"),
    DROP_STREAM_FRAME_INVALID(49, "drop_stream_frame_invalid", "dropped: stream frame the mux rejected (too short, unknown command)"),
    DROP_STREAM_SEND_REFUSED(50, "drop_stream_send_refused", "stream frames not sent: the send path refused them (KCP resends)"),
    DROP_STREAM_STALE_SESSION(51, "drop_stream_stale_session", "stream frames not sent: their mux's session is no longer the peer's current one"),
    // Ping/pong (protocol bytes 70/71); ids from 52 on.
    PINGS_ANSWERED(52, "pings_answered", "pings answered with a pong"),
    DROP_PING_MALFORMED(53, "drop_ping_malformed", "pings dropped: shorter than 12 bytes"),
    DROP_PING_NOT_ANSWERED(54, "drop_ping_not_answered", "pings dropped: answering pings is turned off"),
    DROP_PONG_NOT_SENT(55, "drop_pong_not_sent", "pongs not sent: the send path refused them (its own counter says why)"),
    PINGS_SENT(56, "pings_sent", "pings sent by UDP.ping"),
    PONGS_MATCHED(57, "pongs_matched", "pongs matched to a ping of ours (an RTT sample)"),
    DROP_PONG_UNMATCHED(58, "drop_pong_unmatched", "pongs dropped: short, or for no ping of ours (unknown id, wrong peer or timestamp, late)"),
    PINGS_LOST(59, "pings_lost", "pings without a pong before their caller stopped waiting"),
    STREAM_HANDLER_FAILED(60, "stream_handler_failed", "stream handlers (UDP.onStream) that threw: logged, their stream aborted"),
    STREAM_SEGMENTS_SENT(61, "stream_segments_sent", "KCP data segments of all streams sent for the first time (counted every 1 ms)"),
    STREAM_SEGMENTS_RESENT(62, "stream_segments_resent", "KCP data segments of all streams sent again: timeout or fast retransmission (counted every 1 ms)"),
    // Relayed datagrams (RELAY_0 out, RELAY_2 in: docs/RELAY.md); ids from 63 on.
    RELAYED_RECEIVED(63, "relayed_received", "relayed datagrams (RELAY_2) that authenticated, handed on as from their end-to-end peer"),
    RELAYED_SENT(64, "relayed_sent", "datagrams wrapped in RELAY_0 for a peer reached through a relay"),
    DROP_RELAYED_MALFORMED(65, "drop_relayed_malformed", "dropped: RELAY_2 too short or empty, or its inner datagram short or of no known type"),
    DROP_RELAYED_SOURCE_MISMATCH(66, "drop_relayed_source_mismatch", "dropped: relayed datagram whose RELAY_2 src is not the peer it authenticated as (a lying relay)"),
    DROP_RELAYED_HANDSHAKE_LIMITED(67, "drop_relayed_handshake_limited", "dropped: relayed handshake over its delivering neighbour's rate, or the relayed handshake queue full"),
    DROP_RELAY_UNREACHABLE(68, "drop_relay_unreachable", "not sent: the relay of a relayed peer has no direct endpoint or was removed, or the wrapped datagram is too large");

    private static final TransportCounter[] BY_ID = new TransportCounter[128];

    static {
        for (TransportCounter c : values()) {
            if (BY_ID[c.id] != null) {
                throw new ExceptionInInitializerError("counter id " + c.id + " used twice");
            }
            BY_ID[c.id] = c;
        }
    }

    private final int id;
    private final String key;
    private final String label;

    TransportCounter(int id, String key, String label) {
        this.id = id;
        this.key = key;
        this.label = label;
    }

    /** The stable numeric id. */
    public int id() {
        return id;
    }

    /** The stable name for exports, e.g. {@code "drop_replayed"}. */
    public String key() {
        return key;
    }

    /** A human-readable description. */
    public String label() {
        return label;
    }

    /** The counter with id {@code id}, or null. */
    public static TransportCounter byId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /** Largest id + 1 (a table size for counters indexed by id). */
    static int idLimit() {
        int max = 0;
        for (TransportCounter c : values()) {
            max = Math.max(max, c.id);
        }
        return max + 1;
    }
}
