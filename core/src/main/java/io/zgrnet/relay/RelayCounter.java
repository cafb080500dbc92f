package io.zgrnet.relay;

/**
 * The relay engine's counters, each with a stable id (its ordinal) and a label. Every datagram
 * handed to {@link RelayEngine#handle} increments exactly one of the first six (what was done) or
 * one {@code REFUSED_*} counter (why nothing was done). {@link #BIND_TABLE_FULL} is extra
 * information about a forwarded datagram.
 */
public enum RelayCounter {
    RELAY1_SENT("forwarded as RELAY_1 to the next relay"),
    RELAY2_SENT("forwarded as RELAY_2 to the destination"),
    DELIVERED("RELAY_2 payloads handed back for local processing"),
    PONGS_SENT("PINGs answered with a PONG"),
    PASSED("not for the relay (PONG, BIND/ALIAS outside bind mode, others): handed to the application"),
    BINDS_SENT("bind mode: RELAY_0_BIND written for a new binding"),
    BIND_TABLE_FULL("bind mode: no binding created, table full (the datagram was forwarded anyway)"),
    REFUSED_TOO_SHORT("refused: shorter than the message's fixed part"),
    REFUSED_EMPTY_PAYLOAD("refused: no payload to relay or deliver"),
    REFUSED_TTL_EXPIRED("refused: ttl 0"),
    REFUSED_NO_ROUTE("refused: the next hop is not a known peer"),
    REFUSED_LOOP("refused: the next hop is this node or the neighbour the datagram came from"),
    REFUSED_OVERSIZE("refused: the relayed body would exceed the largest allowed payload"),
    REFUSED_BUFFER_TOO_SMALL("refused: the output buffer cannot hold the relayed body"),
    REFUSED_RATE_LIMITED("refused: the sending neighbour exceeded its rate"),
    REFUSED_UNKNOWN_SENDER("refused: the sending peer is not in the peer directory"),
    REFUSED_UNKNOWN_ALIAS("refused: ALIAS with a relay_id that has no binding"),
    REFUSED_SOURCE_MISMATCH("refused: ALIAS from a peer other than the bound source, or a relayed inner "
            + "datagram whose authenticated peer is not the RELAY_2 src"),
    REFUSED_RELAY_DISABLED("refused: RELAY_0/RELAY_1 while relaying is off (Go: no route table)"),
    REFUSED_PING_DISABLED("refused: PING while answering pings is off (Go: no route table)"),
    FORWARDS_NOT_SENT("forwarded bodies the transport did not send (its own counter says why: no session, full queue)");

    private final String label;

    RelayCounter(String label) {
        this.label = label;
    }

    /** A human-readable description. */
    public String label() {
        return label;
    }

    /** True for the reasons a datagram was refused. */
    public boolean isRefusal() {
        return name().startsWith("REFUSED_");
    }
}
