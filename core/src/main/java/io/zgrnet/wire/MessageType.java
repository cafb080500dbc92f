package io.zgrnet.wire;

import java.lang.foreign.MemorySegment;

/** The first byte of every zgrnet datagram (zgrnet message.go). */
public final class MessageType {
    /** Handshake initiation, initiator to responder ({@link HandshakeInit}). */
    public static final int HANDSHAKE_INIT = 1;
    /** Handshake response, responder to initiator ({@link HandshakeResponse}). */
    public static final int HANDSHAKE_RESPONSE = 2;
    /** Cookie reply: defined by zgrnet but never sent or handled by it; receivers drop it. */
    public static final int COOKIE_REPLY = 3;
    /** Encrypted transport data or keepalive ({@link TransportHeader}). */
    public static final int TRANSPORT = 4;

    private MessageType() {
    }

    /**
     * The type byte of a datagram.
     *
     * @return 0..255, or {@link WireResult#TOO_SHORT} for an empty datagram
     */
    public static int of(MemorySegment segment, long offset, int length) {
        return length < 1 ? WireResult.TOO_SHORT : Le.u8(segment, offset);
    }

    /**
     * The shortest datagram of {@code type} a receiver takes (transport: header and tag; the
     * handshake messages: their fixed length, a longer one's tail ignored as zgrnet does), or
     * {@link Integer#MAX_VALUE} for a type no receiver takes (cookie replies, unknown values).
     */
    public static int minimumLength(int type) {
        return switch (type) {
            case TRANSPORT -> TransportHeader.MIN_DATAGRAM_LENGTH;
            case HANDSHAKE_INIT -> HandshakeInit.LENGTH;
            case HANDSHAKE_RESPONSE -> HandshakeResponse.LENGTH;
            default -> Integer.MAX_VALUE;
        };
    }

    /** A short label for logs; {@code "UNKNOWN(n)"} for other values. */
    public static String name(int type) {
        return switch (type) {
            case HANDSHAKE_INIT -> "HANDSHAKE_INIT";
            case HANDSHAKE_RESPONSE -> "HANDSHAKE_RESPONSE";
            case COOKIE_REPLY -> "COOKIE_REPLY";
            case TRANSPORT -> "TRANSPORT";
            default -> "UNKNOWN(" + type + ")";
        };
    }
}
