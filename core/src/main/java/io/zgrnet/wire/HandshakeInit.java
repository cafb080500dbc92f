package io.zgrnet.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over a type-1 handshake initiation (85 bytes):
 * {@code 01 · sender index u32 LE · e_i.pub (32) · encrypted static (32 + 16 tag)}.
 * zgrnet sends no payload in it. Longer datagrams are accepted and the tail ignored, as zgrnet does.
 *
 * <p>One instance is reused by one thread: {@link #wrap} it over each datagram, check the result,
 * then read. Writing needs no instance ({@link #write}).
 */
public final class HandshakeInit {
    /** Offset of the initiator's index. */
    public static final int SENDER_INDEX_OFFSET = 1;
    /** Offset of the initiator's ephemeral public key. */
    public static final int EPHEMERAL_OFFSET = 5;
    /** Offset of the encrypted static public key. */
    public static final int ENCRYPTED_STATIC_OFFSET = 37;
    /** Length of a public key. */
    public static final int KEY_LENGTH = 32;
    /** Length of the encrypted static key: the key and its tag. */
    public static final int ENCRYPTED_STATIC_LENGTH = KEY_LENGTH + TransportHeader.TAG_LENGTH;
    /** Length of the message. */
    public static final int LENGTH = ENCRYPTED_STATIC_OFFSET + ENCRYPTED_STATIC_LENGTH;

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
        if (Le.u8(segment, offset) != MessageType.HANDSHAKE_INIT) {
            return WireResult.WRONG_TYPE;
        }
        this.segment = segment;
        this.offset = offset;
        return WireResult.OK;
    }

    /** The initiator's index (unsigned 32 bits in an int). */
    public int senderIndex() {
        return Le.u32(segment, offset + SENDER_INDEX_OFFSET);
    }

    /** Copies the initiator's ephemeral public key into {@code dst[0..32)}. */
    public void ephemeral(byte[] dst) {
        Le.copyOut(segment, offset + EPHEMERAL_OFFSET, dst, KEY_LENGTH);
    }

    /** Copies the encrypted static key (48 bytes) into {@code dst[0..48)}. */
    public void encryptedStatic(byte[] dst) {
        Le.copyOut(segment, offset + ENCRYPTED_STATIC_OFFSET, dst, ENCRYPTED_STATIC_LENGTH);
    }

    /** Writes a complete message at {@code dst[offset]}; returns {@link #LENGTH}. */
    public static int write(MemorySegment dst, long offset, int senderIndex, byte[] ephemeral,
                            byte[] encryptedStatic) {
        Le.putU8(dst, offset, MessageType.HANDSHAKE_INIT);
        Le.putU32(dst, offset + SENDER_INDEX_OFFSET, senderIndex);
        Le.copyIn(ephemeral, KEY_LENGTH, "ephemeral", dst, offset + EPHEMERAL_OFFSET);
        Le.copyIn(encryptedStatic, ENCRYPTED_STATIC_LENGTH, "encryptedStatic", dst,
                offset + ENCRYPTED_STATIC_OFFSET);
        return LENGTH;
    }
}
