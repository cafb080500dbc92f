package io.zgrnet.ping;

/**
 * The ping tracker's counters, each with a stable id (its ordinal) and a label. Every PONG that
 * does not yield an RTT sample increments exactly one {@code REFUSED_*} counter.
 */
public enum PingCounter {
    PINGS_SENT("pings written"),
    PONGS_MATCHED("pongs matched to an outstanding ping (an RTT sample)"),
    PINGS_LOST("pings without a pong in time, or overwritten by newer pings"),
    REFUSED_TOO_SHORT("pongs refused: shorter than 21 bytes"),
    REFUSED_UNMATCHED("pongs refused: no outstanding ping with that id (unknown, duplicate or expired)"),
    REFUSED_WRONG_PEER("pongs refused: the ping went to another peer"),
    REFUSED_TIMESTAMP_MISMATCH("pongs refused: the echoed timestamp is not the one sent"),
    REFUSED_LATE("pongs refused: arrived after the timeout (the ping counts as lost)");

    private final String label;

    PingCounter(String label) {
        this.label = label;
    }

    /** A human-readable description. */
    public String label() {
        return label;
    }
}
