package io.zgrnet.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian, unaligned accessors: zgrnet puts integers at odd offsets (1, 5, 9). */
final class Le {
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Le() {
    }

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    static int u32(MemorySegment s, long off) {
        return s.get(U32, off);
    }

    static long u64(MemorySegment s, long off) {
        return s.get(U64, off);
    }

    static void putU8(MemorySegment s, long off, int v) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    static void putU32(MemorySegment s, long off, int v) {
        s.set(U32, off, v);
    }

    static void putU64(MemorySegment s, long off, long v) {
        s.set(U64, off, v);
    }

    static void copyOut(MemorySegment s, long off, byte[] dst, int len) {
        if (dst.length < len) {
            throw new IllegalArgumentException("destination needs " + len + " bytes, has " + dst.length);
        }
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, dst, 0, len);
    }

    static void copyIn(byte[] src, int len, String what, MemorySegment s, long off) {
        if (src == null || src.length != len) {
            throw new IllegalArgumentException(what + " must be " + len + " bytes, got "
                    + (src == null ? "null" : src.length));
        }
        MemorySegment.copy(src, 0, s, ValueLayout.JAVA_BYTE, off, len);
    }
}
