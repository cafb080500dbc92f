package io.zgrnet.relay;

import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;

/**
 * RELAY_2_BIND (protocol byte 76): {@code relay_id u32 LE · src key (32)}, 36 bytes (services.md
 * §4.7). Defined by zgrnet, handled by nobody; here for completeness of the codecs. Longer bodies
 * are accepted and the tail ignored.
 */
public final class Relay2Bind {
    /** Offset of the relay id. */
    public static final int RELAY_ID_OFFSET = 0;
    /** Offset of the source key. */
    public static final int SRC_OFFSET = 4;
    /** Length of the body. */
    public static final int LENGTH = 36;

    private Relay2Bind() {
    }

    /** @return {@link WireResult#OK} or {@link WireResult#TOO_SHORT} (under 36 bytes) */
    public static int validate(MemorySegment body, long off, int len) {
        return len < LENGTH ? WireResult.TOO_SHORT : WireResult.OK;
    }

    /** The relay id (unsigned 32 bits in an int). */
    public static int relayId(MemorySegment body, long off) {
        return Bytes.u32(body, off + RELAY_ID_OFFSET);
    }

    /** Where the source key starts. */
    public static long srcOffset(long off) {
        return off + SRC_OFFSET;
    }

    /** Writes a body at {@code dst[off]}; returns {@link #LENGTH}. */
    public static int write(MemorySegment dst, long off, int relayId, MemorySegment srcKey, long srcKeyOff) {
        Bytes.putU32(dst, off + RELAY_ID_OFFSET, relayId);
        Bytes.copyKey(srcKey, srcKeyOff, dst, off + SRC_OFFSET);
        return LENGTH;
    }
}
