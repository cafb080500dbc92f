package io.zgrnet.relay;

import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;

/**
 * RELAY_2 (protocol byte 68), last relay to destination: {@code src key (32) · payload}, a 32-byte
 * header (services.md §4.2). The destination is implicit: the receiver of the session.
 *
 * <p>Static methods only, over the body after the protocol byte; accessors assume {@link
 * #validate} returned OK. A header-only body is well-formed for the codec (the destination refuses
 * it: nothing to deliver).
 */
public final class Relay2 {
    /** Offset of the source key. */
    public static final int SRC_OFFSET = 0;
    /** Header length; the payload starts here. */
    public static final int HEADER_LENGTH = 32;

    private Relay2() {
    }

    /** @return {@link WireResult#OK} or {@link WireResult#TOO_SHORT} (under 32 bytes) */
    public static int validate(MemorySegment body, long off, int len) {
        return len < HEADER_LENGTH ? WireResult.TOO_SHORT : WireResult.OK;
    }

    /** Where the source key starts. */
    public static long srcOffset(long off) {
        return off + SRC_OFFSET;
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
     * Writes a body at {@code dst[off]}: payload first, then the key (which must not overlap the
     * header being written).
     *
     * @return {@link #HEADER_LENGTH} + payloadLen
     */
    public static int write(MemorySegment dst, long off, MemorySegment srcKey, long srcKeyOff, MemorySegment payload,
                            long payloadOff, int payloadLen) {
        Bytes.copyPayload(payload, payloadOff, dst, off + HEADER_LENGTH, payloadLen);
        Bytes.copyKey(srcKey, srcKeyOff, dst, off + SRC_OFFSET);
        return HEADER_LENGTH + payloadLen;
    }
}
