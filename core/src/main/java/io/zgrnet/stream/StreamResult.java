package io.zgrnet.stream;

/** Negative results of {@link Stream} reads and writes (non-negative values are byte counts). */
public final class StreamResult {
    /** read: the stream ended and everything buffered has been read. */
    public static final int EOF = -1;
    /** write: the stream was closed locally (or ended): no more writes. */
    public static final int CLOSED = -2;
    /** writeMessage: the message needs 128 or more segments, or exceeds the configured maximum. */
    public static final int MESSAGE_TOO_LARGE = -3;
    /** writeMessage: no room for the whole message now; retry after {@code onWritable}. */
    public static final int WOULD_BLOCK = -4;

    private StreamResult() {
    }

    /** A short label. */
    public static String name(int code) {
        return switch (code) {
            case EOF -> "EOF";
            case CLOSED -> "CLOSED";
            case MESSAGE_TOO_LARGE -> "MESSAGE_TOO_LARGE";
            case WOULD_BLOCK -> "WOULD_BLOCK";
            default -> code >= 0 ? Integer.toString(code) : "UNKNOWN(" + code + ")";
        };
    }
}
