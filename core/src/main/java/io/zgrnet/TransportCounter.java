package io.zgrnet;

/**
 * The transport's counters, each with a stable id (its ordinal) and a label. Every datagram that
 * is dropped increments exactly one {@code DROP_*} counter.
 */
public enum TransportCounter {
    DATAGRAMS_RECEIVED("datagrams received"),
    MESSAGES_DELIVERED("messages delivered to the reader"),
    KEEPALIVES_RECEIVED("keepalives received"),
    MESSAGES_SENT("messages sent"),
    KEEPALIVES_SENT("keepalives sent"),
    HANDSHAKES_INITIATED("handshake inits sent"),
    HANDSHAKES_RESPONDED("handshake responses sent"),
    HANDSHAKES_COMPLETED("sessions established"),
    SESSIONS_EXPIRED("sessions expired"),
    ROAMING_UPDATES("peer endpoint changed by an authenticated packet"),
    DROP_RECEIVE_QUEUE_FULL("dropped: in-order receive ring full (slow reader)"),
    DROP_CONTROL_QUEUE_FULL("dropped: handshake queue full"),
    DROP_SEND_QUEUE_FULL("dropped: send queue full"),
    DROP_POOL_EXHAUSTED("dropped: no free packet slot"),
    DROP_MALFORMED("dropped: malformed or truncated datagram"),
    DROP_UNKNOWN_TYPE("dropped: unknown or cookie message type"),
    DROP_UNKNOWN_INDEX("dropped: transport for an unknown session index"),
    DROP_DECRYPT_FAILED("dropped: authentication failed"),
    DROP_REPLAYED("dropped: replayed or too old counter"),
    DROP_SESSION_EXPIRED("dropped: session past its reject time"),
    DROP_HANDSHAKE_INVALID("dropped: handshake message failed to authenticate"),
    DROP_HANDSHAKE_UNKNOWN_PEER("dropped: handshake from a peer not allowed"),
    DROP_HANDSHAKE_RATE_LIMITED("dropped: handshake rate limit for the source address"),
    DROP_HANDSHAKE_SOURCE_BUSY("dropped: an initiation from the same source is still waiting"),
    DROP_HANDSHAKE_ADMISSION_FULL("dropped: every handshake admission entry for the source is busy"),
    DROP_HANDSHAKE_REPLAYED("dropped: handshake init replayed (same ephemeral key)"),
    DROP_PEER_TABLE_FULL("dropped: peer table full"),
    PEERS_EVICTED("unknown peers that never confirmed a session, evicted to make room"),
    DROP_RESPONSE_UNMATCHED("dropped: handshake response for no pending handshake"),
    DROP_NO_SESSION("messages not sent: no session with the peer (the handshake failed, or the peer was removed)"),
    MESSAGES_STAGED("messages staged while a handshake ran (sent in order once a session was up)"),
    DROP_STAGING_FULL("messages not sent: the peer's staging queue was full"),
    DROP_AMPLIFICATION_LIMIT("copies not sent to an unproven address: 3x what it sent us was reached"),
    REKEY_HOLDS_RELEASED("rekey holds ended without a response (staged messages went out on the old session)"),
    LIVENESS_HANDSHAKES("handshakes started because sent data got no answer for 15 s"),
    DROP_PAYLOAD_TOO_LARGE("messages not sent: payload larger than a slot"),
    DROP_SEND_FAILED("messages not sent: the backend refused them");

    private final String label;

    TransportCounter(String label) {
        this.label = label;
    }

    /** A human-readable description. */
    public String label() {
        return label;
    }
}
