package io.zgrnet.kcp;

/**
 * Counters of the control blocks, each with a stable id (its ordinal) and a label. Every input
 * segment that is not used, and every send that is refused, increments exactly one counter.
 */
public enum KcpCounter {
    OUTPUT_DATAGRAMS("output datagrams (one PSH frame each)"),
    PUSH_SENT("PUSH segments sent for the first time"),
    RETRANSMIT_TIMEOUT("PUSH segments resent after their RTO"),
    RETRANSMIT_FAST("PUSH segments resent after skipping ACKs (fast retransmission)"),
    ACK_SENT("ACK segments sent"),
    WASK_SENT("window probes sent"),
    WINS_SENT("window size tells sent"),
    DEAD_LINK("segments that reached ikcp's dead-link transmission count (only counted)"),
    INPUT_DATAGRAMS("input datagrams"),
    INPUT_SEGMENTS("input segments accepted"),
    PUSH_DUPLICATE("PUSH already held or delivered: acknowledged again, not stored"),
    DROP_INPUT_TOO_SHORT("input dropped: shorter than one segment header"),
    DROP_INPUT_WRONG_CONV("input stopped: segment of another conversation"),
    DROP_INPUT_TRUNCATED("input stopped: segment length beyond the datagram"),
    DROP_INPUT_UNKNOWN_CMD("input stopped: unknown segment command"),
    DROP_PUSH_OUT_OF_WINDOW("PUSH dropped: beyond the receive window (not acknowledged)"),
    DROP_PUSH_OVERSIZED("PUSH dropped: more data than one MSS (not acknowledged)"),
    DROP_PUSH_NO_BUFFER("PUSH dropped: segment pool empty (not acknowledged)"),
    ACK_LIST_FULL("ACKs not queued: pending ACK list full (una still acknowledges in order)"),
    SEND_REFUSED_TOO_LARGE("sends refused: message of 128 or more segments"),
    SEND_REFUSED_FULL("sends refused: send ring or segment pool full");

    private final String label;

    KcpCounter(String label) {
        this.label = label;
    }

    /** A human-readable description. */
    public String label() {
        return label;
    }
}
