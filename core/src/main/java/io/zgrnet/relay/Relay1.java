package io.zgrnet.relay;

import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;

/**
 * RELAY_1 (protocol byte 67), relay to relay: {@code ttl · strategy · src key (32) · dst key (32)
 * · payload}, a 66-byte header (services.md §4.2). The src field names the original source as the
 * previous relay claims it; nobody can check it.
 *
 * <p>Static methods only, over the body after the protocol byte; accessors assume {@link
 * #validate} returned OK. A header-only body is well-formed.
 */
public final class Relay1 {
    /** Offset of the ttl. */
    public static final int TTL_OFFSET = 0;
    /** Offset of the strategy. */
    public static final int STRATEGY_OFFSET = 1;
    /** Offset of the source key. */
    public static final int SRC_OFFSET = 2;
    /** Offset of the destination key. */
    public static final int DST_OFFSET = 34;
    /** Header length; the payload starts here. */
    public static final int HEADER_LENGTH = 66;

    private Relay1() {
    }

    /** @return {@link WireResult#OK} or {@link WireResult#TOO_SHORT} (under 66 bytes) */
    public static int validate(MemorySegment body, long off, int len) {
        return len < HEADER_LENGTH ? WireResult.TOO_SHORT : WireResult.OK;
    }

    /** The ttl, 0..255. */
    public static int ttl(MemorySegment body, long off) {
        return Bytes.u8(body, off + TTL_OFFSET);
    }

    /** The strategy byte, 0..255. */
    public static int strategy(MemorySegment body, long off) {
        return Bytes.u8(body, off + STRATEGY_OFFSET);
    }

    /** Where the source key starts. */
    public static long srcOffset(long off) {
        return off + SRC_OFFSET;
    }

    /** Where the destination key starts. */
    public static long dstOffset(long off) {
        return off + DST_OFFSET;
    }

    /** Where the payload starts. */
    public static long payloadOffset(long off) {
        return off + HEADER_LENGTH;
    }

    /** The payload length of a valid body of {@code len} bytes. */
    public static int payloadLength(int len) {
        return len - HEADER_LENGTH;
    }

    /**
     * Writes a body at {@code dst[off]}. The payload is copied first, then the keys, so the
     * sources must not overlap the header being written (the payload may overlap anything).
     *
     * @return {@link #HEADER_LENGTH} + payloadLen
     */
    public static int write(MemorySegment dst, long off, int ttl, int strategy, MemorySegment srcKey, long srcKeyOff,
                            MemorySegment dstKey, long dstKeyOff, MemorySegment payload, long payloadOff,
                            int payloadLen) {
        Bytes.copyPayload(payload, payloadOff, dst, off + HEADER_LENGTH, payloadLen);
        Bytes.putU8(dst, off + TTL_OFFSET, Bytes.checkByte("ttl", ttl));
        Bytes.putU8(dst, off + STRATEGY_OFFSET, Bytes.checkByte("strategy", strategy));
        Bytes.copyKey(srcKey, srcKeyOff, dst, off + SRC_OFFSET);
        Bytes.copyKey(dstKey, dstKeyOff, dst, off + DST_OFFSET);
        return HEADER_LENGTH + payloadLen;
    }
}
