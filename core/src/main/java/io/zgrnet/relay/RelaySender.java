package io.zgrnet.relay;

import io.zgrnet.PeerKey;
import io.zgrnet.wire.TransportHeader;
import java.lang.foreign.MemorySegment;

/**
 * The source side of relaying (services.md §4.6): decides whether a datagram for a peer goes
 * through a relay and wraps it in RELAY_0. The transport builds the inner datagram exactly as it
 * would for a direct send (a handshake init or response, or a transport message of the end-to-end
 * session), then, if {@link #relayFor} names a relay R, sends {@code wrap(...)} with protocol
 * byte 66 over its session with R instead.
 *
 * <p>What we send, and why (§6.5): ttl 8 and strategy 0, as Go does (Go relays ignore the
 * strategy; a higher ttl buys nothing on paths of a few hops). Only RELAY_0: RELAY_1/RELAY_2 are
 * written by relays, and BIND/ALIAS are never sent to zgrnet nodes, whose transports lack them.
 * The answer to a relayed handshake init goes back the way it came: {@code wrap(initiator, ...)}
 * sent to the neighbour that delivered the init ({@link RelayAction#via()}), after {@link
 * RouteTable#learn} recorded that neighbour.
 *
 * <p>Stateless apart from the shared tables: any thread; no allocation.
 */
public final class RelaySender {
    /** {@link #wrap} result: the destination is not in the peer directory. */
    public static final int UNKNOWN_DESTINATION = -1;
    /** {@link #wrap} result: nothing to wrap. */
    public static final int EMPTY = -2;
    /** {@link #wrap} result: the body would exceed the largest sealable payload. */
    public static final int OVERSIZE = -3;
    /** {@link #wrap} result: the output buffer is too small. */
    public static final int BUFFER_TOO_SMALL = -4;

    private final RouteTable routes;
    private final PeerDirectory directory;

    /** A sender over this node's route table and peer directory. */
    public RelaySender(RouteTable routes, PeerDirectory directory) {
        if (routes == null || directory == null) {
            throw new IllegalArgumentException("routes and directory are required");
        }
        this.routes = routes;
        this.directory = directory;
    }

    /**
     * The neighbour to send {@code dst}'s datagrams through (its directory instance), or null to
     * send directly: no route, or a route to itself (Go's {@code RelayFor}). A relay that is not
     * in the directory is returned as routed; the send to it then fails like any send to an
     * unknown peer.
     */
    public PeerKey relayFor(PeerKey dst) {
        PeerKey relay = routes.relayFor(dst);
        if (relay == null) {
            return null;
        }
        PeerKey listed = directory.canonical(relay);
        return listed != null ? listed : relay;
    }

    /**
     * Writes RELAY_0 {@code {ttl 8, strategy 0, dst, inner}} at {@code out[outOff]}; the inner
     * datagram is copied unchanged.
     *
     * @return the body length, or {@link #UNKNOWN_DESTINATION}, {@link #EMPTY}, {@link #OVERSIZE},
     *         {@link #BUFFER_TOO_SMALL} (nothing written, barring a
     *         destination removed from the directory during the call)
     */
    public int wrap(PeerKey dst, MemorySegment inner, long innerOff, int innerLen, MemorySegment out, long outOff,
                    int outCap) {
        if (innerLen <= 0) {
            return EMPTY;
        }
        int len = Relay0.HEADER_LENGTH + innerLen;
        if (len > TransportHeader.MAX_PAYLOAD_LENGTH) {
            return OVERSIZE;
        }
        if (len > outCap) {
            return BUFFER_TOO_SMALL;
        }
        if (!directory.contains(dst)) {
            return UNKNOWN_DESTINATION;
        }
        // Payload first (memmove: it may already sit there), then the key straight from the
        // directory. A peer removed in between still fails cleanly (the output is then garbage).
        Bytes.copyPayload(inner, innerOff, out, Relay0.payloadOffset(outOff), innerLen);
        if (!directory.writeKey(dst, out, Relay0.dstOffset(outOff))) {
            return UNKNOWN_DESTINATION;
        }
        Bytes.putU8(out, outOff + Relay0.TTL_OFFSET, RelayConstants.DEFAULT_TTL);
        Bytes.putU8(out, outOff + Relay0.STRATEGY_OFFSET, RelayConstants.STRATEGY_AUTO);
        return len;
    }

    /** A stable label for a {@link #wrap} result; {@code "OK(n)"} for a length. */
    public static String resultName(int result) {
        return switch (result) {
            case UNKNOWN_DESTINATION -> "UNKNOWN_DESTINATION";
            case EMPTY -> "EMPTY";
            case OVERSIZE -> "OVERSIZE";
            case BUFFER_TOO_SMALL -> "BUFFER_TOO_SMALL";
            default -> result >= 0 ? "OK(" + result + ")" : "UNKNOWN(" + result + ")";
        };
    }
}
