package io.zgrnet.peer;

import io.zgrnet.wire.WireResult;

/**
 * Negative results of {@link Session} seal/open calls (non-negative values are lengths). Each code
 * names one reason a datagram was dropped or refused, so the caller can count it; the first two
 * are {@link WireResult}'s.
 */
public final class TransportResult {
    /** Shorter than 29 bytes (header + tag). */
    public static final int TOO_SHORT = WireResult.TOO_SHORT;
    /** Not a type-4 datagram. */
    public static final int WRONG_TYPE = WireResult.WRONG_TYPE;
    /** The receiver index is not this session's local index. */
    public static final int WRONG_INDEX = -3;
    /** The tag did not verify: forged, corrupted, or another session's key. Window untouched. */
    public static final int DECRYPT_FAILED = -4;
    /** The counter was seen before or is too old for the replay window. */
    public static final int REPLAYED = -5;
    /** Sending: the payload exceeds {@link io.zgrnet.wire.TransportHeader#MAX_PAYLOAD_LENGTH}. */
    public static final int PAYLOAD_TOO_LARGE = -6;
    /** Sending: the session's counter reached its limit; a new handshake is needed. */
    public static final int COUNTER_EXHAUSTED = -7;

    private TransportResult() {
    }

    /** A stable label for counters and logs. */
    public static String name(int code) {
        return switch (code) {
            case TOO_SHORT -> "TOO_SHORT";
            case WRONG_TYPE -> "WRONG_TYPE";
            case WRONG_INDEX -> "WRONG_INDEX";
            case DECRYPT_FAILED -> "DECRYPT_FAILED";
            case REPLAYED -> "REPLAYED";
            case PAYLOAD_TOO_LARGE -> "PAYLOAD_TOO_LARGE";
            case COUNTER_EXHAUSTED -> "COUNTER_EXHAUSTED";
            default -> code >= 0 ? "OK(" + code + ")" : "UNKNOWN(" + code + ")";
        };
    }
}
