package io.zgrnet.relay;

import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;

/**
 * RELAY_0_BIND (protocol byte 72), first relay to source: {@code relay_id u32 LE · dst key (32)},
 * 36 bytes (services.md §4.7). Tells the source that {@code relay_id} now stands for "to dst via
 * this relay"; the source may then send {@link RelayAlias RELAY_0_ALIAS}. Longer bodies are
 * accepted and the tail ignored.
 *
 * <p>zgrnet's Go transport never sends or interprets this: never send it to a Go node.
 */
public final class Relay0Bind {
    /** Offset of the relay id. */
    public static final int RELAY_ID_OFFSET = 0;
    /** Offset of the destination key. */
    public static final int DST_OFFSET = 4;
    /** Length of the body. */
    public static final int LENGTH = 36;

    private Relay0Bind() {
    }

    /** @return {@link WireResult#OK} or {@link WireResult#TOO_SHORT} (under 36 bytes) */
    public static int validate(MemorySegment body, long off, int len) {
        return len < LENGTH ? WireResult.TOO_SHORT : WireResult.OK;
    }

    /** The relay id (unsigned 32 bits in an int). */
    public static int relayId(MemorySegment body, long off) {
        return Bytes.u32(body, off + RELAY_ID_OFFSET);
    }

    /** Where the destination key starts. */
    public static long dstOffset(long off) {
        return off + DST_OFFSET;
    }

    /** Writes a body at {@code dst[off]}; returns {@link #LENGTH}. */
    public static int write(MemorySegment dst, long off, int relayId, MemorySegment dstKey, long dstKeyOff) {
        Bytes.putU32(dst, off + RELAY_ID_OFFSET, relayId);
        Bytes.copyKey(dstKey, dstKeyOff, dst, off + DST_OFFSET);
        return LENGTH;
    }
}
