package io.zgrnet.stream;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The mux frame (services.md §3.1), exactly one per protocol-64 datagram:
 * {@code cmd u8 · stream id u32 LE · payload length L u16 LE · payload}.
 *
 * <p>Decoding is lenient as in Go: bytes after {@code 7 + L} are ignored, and any command byte
 * decodes (the mux rejects unknown ones). Encoding refuses a payload over 65 535 bytes (Go would
 * silently wrap the length; Rust refuses). Static methods over {@code (segment, offset)} for
 * reading and {@code (byte[], offset)} for writing: nothing allocates.
 */
public final class MuxFrame {
    /** Header length. */
    public static final int HEADER_LENGTH = 7;
    /** Offset of the command. */
    public static final int CMD_OFFSET = 0;
    /** Offset of the stream id. */
    public static final int STREAM_ID_OFFSET = 1;
    /** Offset of the payload length. */
    public static final int LENGTH_OFFSET = 5;
    /** Largest payload the 16-bit length can describe. */
    public static final int MAX_PAYLOAD_LENGTH = 0xFFFF;
    /** Open a stream; payload empty or {@code proto · metadata}. */
    public static final int SYN = 1;
    /** Half-close; payload empty (ignored if not). */
    public static final int FIN = 2;
    /** KCP output of the stream. */
    public static final int PSH = 3;
    /** Ignored by everyone; neither Go nor Rust sends it. */
    public static final int NOP = 4;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private MuxFrame() {
    }

    /**
     * Checks that a header and its whole payload are present.
     *
     * @return {@link MuxResult#OK} or {@link MuxResult#TOO_SHORT}
     */
    public static int validate(MemorySegment s, long off, int length) {
        if (length < HEADER_LENGTH || length - HEADER_LENGTH < payloadLength(s, off)) {
            return MuxResult.TOO_SHORT;
        }
        return MuxResult.OK;
    }

    /** Whether {@code cmd} is SYN, FIN, PSH or NOP. */
    public static boolean isKnownCommand(int cmd) {
        return cmd >= SYN && cmd <= NOP;
    }

    /** The command byte. */
    public static int cmd(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off + CMD_OFFSET) & 0xFF;
    }

    /** The stream id (a u32 in an int). */
    public static int streamId(MemorySegment s, long off) {
        return s.get(U32, off + STREAM_ID_OFFSET);
    }

    /** The payload length L. */
    public static int payloadLength(MemorySegment s, long off) {
        return s.get(U16, off + LENGTH_OFFSET) & 0xFFFF;
    }

    /** Where the payload starts. */
    public static long payloadOffset(long off) {
        return off + HEADER_LENGTH;
    }

    /**
     * Writes a header at {@code buf[off]}; the payload follows at {@code off + 7}.
     *
     * @return {@link #HEADER_LENGTH}
     * @throws IllegalArgumentException if {@code payloadLength} is outside 0..65535
     */
    public static int writeHeader(byte[] buf, int off, int cmd, int streamId, int payloadLength) {
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("payloadLength: must be in 0.." + MAX_PAYLOAD_LENGTH + ", got "
                    + payloadLength);
        }
        buf[off + CMD_OFFSET] = (byte) cmd;
        INT_LE.set(buf, off + STREAM_ID_OFFSET, streamId);
        SHORT_LE.set(buf, off + LENGTH_OFFSET, (short) payloadLength);
        return HEADER_LENGTH;
    }
}
