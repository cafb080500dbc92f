package io.zgrnet.stream;

/** Result codes of {@link MuxFrame#validate} and {@link Mux#input}: {@link #OK} or a negative reason. */
public final class MuxResult {
    /** Accepted (which includes frames Go ignores: PSH/FIN for unknown ids, duplicate SYN, NOP). */
    public static final int OK = 0;
    /** Fewer than 7 bytes, or fewer than 7 + L (Go: "kcp: frame too short"). */
    public static final int TOO_SHORT = -1;
    /** A command other than 1-4 (Go: "kcp: invalid command"). */
    public static final int INVALID_COMMAND = -2;
    /** The mux was closed (Go: "kcp: mux closed"). */
    public static final int CLOSED = -3;

    private MuxResult() {
    }

    /** A short label, with Go's error text where Go has one. */
    public static String name(int code) {
        return switch (code) {
            case OK -> "OK";
            case TOO_SHORT -> "TOO_SHORT (kcp: frame too short)";
            case INVALID_COMMAND -> "INVALID_COMMAND (kcp: invalid command)";
            case CLOSED -> "CLOSED (kcp: mux closed)";
            default -> "UNKNOWN(" + code + ")";
        };
    }
}
