package io.zgrnet.kcp;

/**
 * Result codes of {@link Kcp}: zero or a positive count for success, a negative reason otherwise.
 * The input codes keep ikcp's numbers (-1 conv/too short, -2 bad length, -3 bad command).
 */
public final class KcpResult {
    /** Done. */
    public static final int OK = 0;
    /** input: shorter than one header, or a segment of another conversation (ikcp -1). */
    public static final int BAD_CONV_OR_SHORT = -1;
    /** input: a segment's {@code len} exceeds the bytes that follow (ikcp -2). */
    public static final int TRUNCATED = -2;
    /** input: unknown command byte (ikcp -3). */
    public static final int UNKNOWN_COMMAND = -3;
    /** recv: no complete message is waiting. */
    public static final int NO_MESSAGE = -4;
    /** recv: the next message is longer than the buffer offered (ikcp_recv -3). */
    public static final int BUFFER_TOO_SMALL = -5;
    /** send: the message needs 128 or more segments (ikcp_send -2). */
    public static final int MESSAGE_TOO_LARGE = -6;
    /** send: the send ring or the segment pool has no room now; retry after ACKs arrive. */
    public static final int WOULD_BLOCK = -7;
    /** The control block was released. */
    public static final int RELEASED = -8;

    private KcpResult() {
    }

    /** A short label for logs and tests. */
    public static String name(int code) {
        return switch (code) {
            case OK -> "OK";
            case BAD_CONV_OR_SHORT -> "BAD_CONV_OR_SHORT";
            case TRUNCATED -> "TRUNCATED";
            case UNKNOWN_COMMAND -> "UNKNOWN_COMMAND";
            case NO_MESSAGE -> "NO_MESSAGE";
            case BUFFER_TOO_SMALL -> "BUFFER_TOO_SMALL";
            case MESSAGE_TOO_LARGE -> "MESSAGE_TOO_LARGE";
            case WOULD_BLOCK -> "WOULD_BLOCK";
            case RELEASED -> "RELEASED";
            default -> code > 0 ? Integer.toString(code) : "UNKNOWN(" + code + ")";
        };
    }
}
