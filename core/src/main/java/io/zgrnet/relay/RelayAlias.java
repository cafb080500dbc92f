package io.zgrnet.relay;

import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;

/**
 * RELAY_0_ALIAS, RELAY_1_ALIAS, RELAY_2_ALIAS (protocol bytes 73, 75, 77) share one layout:
 * {@code relay_id u32 LE · payload}, at least 4 bytes (services.md §4.7). The id replaces the keys
 * of an earlier BIND. Only RELAY_0_ALIAS has a handler anywhere (zgrnet's relay library, not its
 * transport): never send an ALIAS to a Go node.
 *
 * <p>Static methods only; accessors assume {@link #validate} returned OK.
 */
public final class RelayAlias {
    /** Offset of the relay id. */
    public static final int RELAY_ID_OFFSET = 0;
    /** Header length; the payload starts here. */
    public static final int HEADER_LENGTH = 4;

    private RelayAlias() {
    }

    /** @return {@link WireResult#OK} or {@link WireResult#TOO_SHORT} (under 4 bytes) */
    public static int validate(MemorySegment body, long off, int len) {
        return len < HEADER_LENGTH ? WireResult.TOO_SHORT : WireResult.OK;
    }

    /** The relay id (unsigned 32 bits in an int). */
    public static int relayId(MemorySegment body, long off) {
        return Bytes.u32(body, off + RELAY_ID_OFFSET);
    }

    /** Where the payload starts. */
    public static long payloadOffset(long off) {
        return off + HEADER_LENGTH;
    }

    /** The payload length of a valid body of {@code len} bytes. */
    public static int payloadLength(int len) {
        return len - HEADER_LENGTH;
    }

    /** Writes a body at {@code dst[off]} (the payload may overlap); returns 4 + payloadLen. */
    public static int write(MemorySegment dst, long off, int relayId, MemorySegment payload, long payloadOff,
                            int payloadLen) {
        Bytes.copyPayload(payload, payloadOff, dst, off + HEADER_LENGTH, payloadLen);
        Bytes.putU32(dst, off + RELAY_ID_OFFSET, relayId);
        return HEADER_LENGTH + payloadLen;
    }
}
