package io.zgrnet.ping;

import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;

/**
 * The body of a PING (protocol byte 70), after the protocol byte:
 * {@code ping_id u32 LE · timestamp u64 LE}, 12 bytes (services.md §5).
 *
 * <p>The timestamp is the sender's own clock and is opaque to the responder, which only echoes it.
 * Longer bodies are accepted and the tail ignored, as zgrnet's Go code does. Static methods only:
 * nothing here allocates or keeps state; accessors assume {@link #validate} returned OK.
 */
public final class Ping {
    /** Offset of the ping id. */
    public static final int ID_OFFSET = 0;
    /** Offset of the sender's timestamp. */
    public static final int TIMESTAMP_OFFSET = 4;
    /** Length of the body. */
    public static final int LENGTH = 12;

    private Ping() {
    }

    /**
     * Checks the length (bytes after the first 12 are ignored).
     *
     * @return {@link WireResult#OK} or {@link WireResult#TOO_SHORT}
     */
    public static int validate(MemorySegment body, long off, int len) {
        return len < LENGTH ? WireResult.TOO_SHORT : WireResult.OK;
    }

    /** The ping id (unsigned 32 bits in an int). */
    public static int id(MemorySegment body, long off) {
        return Bytes.u32(body, off + ID_OFFSET);
    }

    /** The sender's timestamp (unsigned 64 bits in a long). */
    public static long timestamp(MemorySegment body, long off) {
        return Bytes.u64(body, off + TIMESTAMP_OFFSET);
    }

    /** Writes a body at {@code dst[off]}; returns {@link #LENGTH}. */
    public static int write(MemorySegment dst, long off, int id, long timestamp) {
        Bytes.putU32(dst, off + ID_OFFSET, id);
        Bytes.putU64(dst, off + TIMESTAMP_OFFSET, timestamp);
        return LENGTH;
    }
}
