package io.zgrnet.wire;

import java.lang.foreign.MemorySegment;

/**
 * The 13-byte header of a type-4 transport datagram:
 * {@code 04 · receiver index u32 LE · counter u64 LE}, followed by the AEAD ciphertext of
 * {@code protocol byte · payload} and its 16-byte tag (an empty plaintext is a keepalive).
 *
 * <p>Static methods only: this is the per-packet path, so nothing here allocates or keeps state.
 * Accessors assume {@link #validate} returned {@link WireResult#OK}.
 */
public final class TransportHeader {
    /** Offset of the receiver's index. */
    public static final int RECEIVER_INDEX_OFFSET = 1;
    /** Offset of the counter (also the AEAD nonce's first 8 bytes). */
    public static final int COUNTER_OFFSET = 5;
    /** Header length; the ciphertext starts here. */
    public static final int LENGTH = 13;
    /** Poly1305 tag length. */
    public static final int TAG_LENGTH = 16;
    /** Smallest valid transport datagram: header and tag around an empty plaintext (a keepalive). */
    public static final int MIN_DATAGRAM_LENGTH = LENGTH + TAG_LENGTH;
    /** Largest datagram zgrnet sends or accepts. */
    public static final int MAX_DATAGRAM_LENGTH = 65535;
    /** Largest payload after the protocol byte: 65535 - 13 - 16 - 1. */
    public static final int MAX_PAYLOAD_LENGTH = MAX_DATAGRAM_LENGTH - LENGTH - TAG_LENGTH - 1;
    /** Bytes a sealed datagram adds around a payload: header, protocol byte and tag. */
    public static final int OVERHEAD = LENGTH + 1 + TAG_LENGTH;

    private TransportHeader() {
    }

    /**
     * Checks type and minimum length.
     *
     * @return {@link WireResult#OK}, {@link WireResult#TOO_SHORT} or {@link WireResult#WRONG_TYPE}
     */
    public static int validate(MemorySegment segment, long offset, int length) {
        if (length < MIN_DATAGRAM_LENGTH) {
            return WireResult.TOO_SHORT;
        }
        return Le.u8(segment, offset) == MessageType.TRANSPORT ? WireResult.OK : WireResult.WRONG_TYPE;
    }

    /** The receiver's index (an unsigned 32-bit value in an int). */
    public static int receiverIndex(MemorySegment segment, long offset) {
        return Le.u32(segment, offset + RECEIVER_INDEX_OFFSET);
    }

    /** The counter (an unsigned 64-bit value in a long). */
    public static long counter(MemorySegment segment, long offset) {
        return Le.u64(segment, offset + COUNTER_OFFSET);
    }

    /** Writes the type byte, receiver index and counter; returns {@link #LENGTH}. */
    public static int write(MemorySegment segment, long offset, int receiverIndex, long counter) {
        Le.putU8(segment, offset, MessageType.TRANSPORT);
        Le.putU32(segment, offset + RECEIVER_INDEX_OFFSET, receiverIndex);
        Le.putU64(segment, offset + COUNTER_OFFSET, counter);
        return LENGTH;
    }
}
