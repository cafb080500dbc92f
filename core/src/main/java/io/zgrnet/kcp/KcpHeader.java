package io.zgrnet.kcp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The 24-byte ikcp segment header (services.md §2.1), little endian:
 * {@code conv u32 · cmd u8 · frg u8 · wnd u16 · ts u32 · sn u32 · una u32 · len u32}, followed by
 * {@code len} data bytes. One KCP output is a run of whole segments.
 *
 * <p>Static accessors over {@code (segment, offset)}: the per-packet path, nothing allocates.
 * u32 fields come back as the int that carries them (compare sequence numbers and times with
 * wrapping differences); u8/u16 fields as non-negative ints.
 */
public final class KcpHeader {
    /** Header length. */
    public static final int LENGTH = KcpConstants.OVERHEAD;
    /** Offset of the conversation id (= mux stream id). */
    public static final int CONV_OFFSET = 0;
    /** Offset of the command byte. */
    public static final int CMD_OFFSET = 4;
    /** Offset of the fragment countdown. */
    public static final int FRG_OFFSET = 5;
    /** Offset of the sender's free receive window. */
    public static final int WND_OFFSET = 6;
    /** Offset of the timestamp. */
    public static final int TS_OFFSET = 8;
    /** Offset of the sequence number. */
    public static final int SN_OFFSET = 12;
    /** Offset of the sender's next expected sequence number. */
    public static final int UNA_OFFSET = 16;
    /** Offset of the data length. */
    public static final int LEN_OFFSET = 20;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private KcpHeader() {
    }

    /** Conversation id. */
    public static int conv(MemorySegment s, long off) {
        return s.get(U32, off + CONV_OFFSET);
    }

    /** Command byte (81..84 are valid). */
    public static int cmd(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off + CMD_OFFSET) & 0xFF;
    }

    /** Fragments still to come in this message. */
    public static int frg(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off + FRG_OFFSET) & 0xFF;
    }

    /** The sender's free receive window in segments. */
    public static int wnd(MemorySegment s, long off) {
        return s.get(U16, off + WND_OFFSET) & 0xFFFF;
    }

    /** Timestamp (sender's clock for PUSH, echoed for ACK). */
    public static int ts(MemorySegment s, long off) {
        return s.get(U32, off + TS_OFFSET);
    }

    /** Sequence number. */
    public static int sn(MemorySegment s, long off) {
        return s.get(U32, off + SN_OFFSET);
    }

    /** The sender's next expected sequence number. */
    public static int una(MemorySegment s, long off) {
        return s.get(U32, off + UNA_OFFSET);
    }

    /** Data length (a u32: may be negative as an int when a peer sends garbage). */
    public static int len(MemorySegment s, long off) {
        return s.get(U32, off + LEN_OFFSET);
    }

    /** Writes a whole header; returns {@link #LENGTH}. */
    public static int write(MemorySegment s, long off, int conv, int cmd, int frg, int wnd, int ts, int sn, int una,
                            int len) {
        s.set(U32, off + CONV_OFFSET, conv);
        s.set(ValueLayout.JAVA_BYTE, off + CMD_OFFSET, (byte) cmd);
        s.set(ValueLayout.JAVA_BYTE, off + FRG_OFFSET, (byte) frg);
        s.set(U16, off + WND_OFFSET, (short) wnd);
        s.set(U32, off + TS_OFFSET, ts);
        s.set(U32, off + SN_OFFSET, sn);
        s.set(U32, off + UNA_OFFSET, una);
        s.set(U32, off + LEN_OFFSET, len);
        return LENGTH;
    }
}
