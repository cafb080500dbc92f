package io.zgrnet.wire;

/**
 * Result codes of the parsers in this package: {@link #OK} or a negative reason. Negative values
 * are shared with {@code io.zgrnet.peer.TransportResult}, so a code can be counted without
 * translation.
 */
public final class WireResult {
    /** The datagram has the expected type and at least the expected length. */
    public static final int OK = 0;
    /** Shorter than the message type requires. */
    public static final int TOO_SHORT = -1;
    /** The type byte is not the one this parser handles. */
    public static final int WRONG_TYPE = -2;

    private WireResult() {
    }

    /** A short label for logs and counters; {@code "UNKNOWN(n)"} for codes not defined here. */
    public static String name(int code) {
        return switch (code) {
            case OK -> "OK";
            case TOO_SHORT -> "TOO_SHORT";
            case WRONG_TYPE -> "WRONG_TYPE";
            default -> "UNKNOWN(" + code + ")";
        };
    }
}
