package io.zgrnet.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over a type-2 handshake response (57 bytes):
 * {@code 02 · sender index u32 LE · receiver index u32 LE · e_r.pub (32) · tag (16)}.
 * The tag authenticates an empty payload. Longer datagrams are accepted and the tail ignored.
 *
 * <p>The receiver index names the initiator's pending handshake. One instance is reused by one
 * thread; writing needs no instance ({@link #write}).
 */
public final class HandshakeResponse {
    /** Offset of the responder's index. */
    public static final int SENDER_INDEX_OFFSET = 1;
    /** Offset of the initiator's index, echoed back. */
    public static final int RECEIVER_INDEX_OFFSET = 5;
    /** Offset of the responder's ephemeral public key. */
    public static final int EPHEMERAL_OFFSET = 9;
    /** Offset of the tag over the empty payload. */
    public static final int TAG_OFFSET = 41;
    /** Length of a public key. */
    public static final int KEY_LENGTH = 32;
    /** Length of the message. */
    public static final int LENGTH = TAG_OFFSET + TransportHeader.TAG_LENGTH;

    private MemorySegment segment;
    private long offset;

    /**
     * Points this flyweight at a datagram after checking type and length. On failure the previous
     * datagram stays wrapped.
     *
     * @return {@link WireResult#OK}, {@link WireResult#TOO_SHORT} or {@link WireResult#WRONG_TYPE}
     */
    public int wrap(MemorySegment segment, long offset, int length) {
        if (length < LENGTH) {
            return WireResult.TOO_SHORT;
        }
        if (Le.u8(segment, offset) != MessageType.HANDSHAKE_RESPONSE) {
            return WireResult.WRONG_TYPE;
        }
        this.segment = segment;
        this.offset = offset;
        return WireResult.OK;
    }

    /** The responder's index (unsigned 32 bits in an int). */
    public int senderIndex() {
        return Le.u32(segment, offset + SENDER_INDEX_OFFSET);
    }

    /** The initiator's index this response answers (unsigned 32 bits in an int). */
    public int receiverIndex() {
        return receiverIndex(segment, offset);
    }

    /** The receiver index of the response at {@code segment[offset]}, without a flyweight (length checked by the caller). */
    public static int receiverIndex(MemorySegment segment, long offset) {
        return Le.u32(segment, offset + RECEIVER_INDEX_OFFSET);
    }

    /** Copies the responder's ephemeral public key into {@code dst[0..32)}. */
    public void ephemeral(byte[] dst) {
        Le.copyOut(segment, offset + EPHEMERAL_OFFSET, dst, KEY_LENGTH);
    }

    /** Copies the tag (16 bytes) into {@code dst[0..16)}. */
    public void tag(byte[] dst) {
        Le.copyOut(segment, offset + TAG_OFFSET, dst, TransportHeader.TAG_LENGTH);
    }

    /** Writes a complete message at {@code dst[offset]}; returns {@link #LENGTH}. */
    public static int write(MemorySegment dst, long offset, int senderIndex, int receiverIndex, byte[] ephemeral,
                            byte[] tag) {
        Le.putU8(dst, offset, MessageType.HANDSHAKE_RESPONSE);
        Le.putU32(dst, offset + SENDER_INDEX_OFFSET, senderIndex);
        Le.putU32(dst, offset + RECEIVER_INDEX_OFFSET, receiverIndex);
        Le.copyIn(ephemeral, KEY_LENGTH, "ephemeral", dst, offset + EPHEMERAL_OFFSET);
        Le.copyIn(tag, TransportHeader.TAG_LENGTH, "tag", dst, offset + TAG_OFFSET);
        return LENGTH;
    }
}
