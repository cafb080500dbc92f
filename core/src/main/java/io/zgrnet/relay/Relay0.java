package io.zgrnet.relay;

import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;

/**
 * RELAY_0 (protocol byte 66), source to first relay: {@code ttl · strategy · dst key (32) ·
 * payload}, a 34-byte header (services.md §4.2). The source is implicit: the peer of the session it
 * arrived on. The payload is a complete zgrnet datagram the relay never opens.
 *
 * <p>Static methods only, over {@code (segment, offset, length)} of the body after the protocol
 * byte; accessors assume {@link #validate} returned OK. A header-only body (empty payload) is
 * well-formed, as in Go. Unknown strategy values are carried unchanged.
 */
public final class Relay0 {
    /** Offset of the ttl. */
    public static final int TTL_OFFSET = 0;
    /** Offset of the strategy. */
    public static final int STRATEGY_OFFSET = 1;
    /** Offset of the destination key. */
    public static final int DST_OFFSET = 2;
    /** Header length; the payload starts here. */
    public static final int HEADER_LENGTH = 34;

    private Relay0() {
    }

    /** @return {@link WireResult#OK} or {@link WireResult#TOO_SHORT} (under 34 bytes) */
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
     * Writes a body at {@code dst[off]}: the header, then {@code payloadLen} bytes from {@code
     * payload[payloadOff]} (which may overlap the destination).
     *
     * @return {@link #HEADER_LENGTH} + payloadLen
     */
    public static int write(MemorySegment dst, long off, int ttl, int strategy, MemorySegment dstKey, long dstKeyOff,
                            MemorySegment payload, long payloadOff, int payloadLen) {
        Bytes.copyPayload(payload, payloadOff, dst, off + HEADER_LENGTH, payloadLen);
        Bytes.putU8(dst, off + TTL_OFFSET, Bytes.checkByte("ttl", ttl));
        Bytes.putU8(dst, off + STRATEGY_OFFSET, Bytes.checkByte("strategy", strategy));
        Bytes.copyKey(dstKey, dstKeyOff, dst, off + DST_OFFSET);
        return HEADER_LENGTH + payloadLen;
    }
}
