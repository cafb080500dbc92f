package io.zgrnet.relay;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Little-endian, unaligned accessors and 32-byte key helpers for the relay formats (relay_id sits
 * at offset 0, keys at 2, 34, 4, 36). Layouts are built once: {@code withOrder()} makes a new
 * layout per call.
 */
final class Bytes {
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Bytes() {
    }

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    static int u32(MemorySegment s, long off) {
        return s.get(U32, off);
    }

    static void putU8(MemorySegment s, long off, int v) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    static void putU32(MemorySegment s, long off, int v) {
        s.set(U32, off, v);
    }

    /** Word {@code i} (0..3) of the key at {@code s[off]}: keys are compared as four longs. */
    static long word(MemorySegment s, long off, int i) {
        return s.get(U64, off + 8L * i);
    }

    static void putWord(MemorySegment s, long off, int i, long v) {
        s.set(U64, off + 8L * i, v);
    }

    /** Copies a 32-byte key; overlapping ranges are handled (memmove semantics). */
    static void copyKey(MemorySegment src, long srcOff, MemorySegment dst, long dstOff) {
        MemorySegment.copy(src, srcOff, dst, dstOff, RelayConstants.KEY_LENGTH);
    }

    /** True if the keys at {@code a[aOff]} and {@code b[bOff]} are equal. */
    static boolean sameKey(MemorySegment a, long aOff, MemorySegment b, long bOff) {
        for (int i = 0; i < 4; i++) {
            if (word(a, aOff, i) != word(b, bOff, i)) {
                return false;
            }
        }
        return true;
    }

    /** Copies a payload of {@code len} bytes (may be 0); overlapping ranges are handled. */
    static void copyPayload(MemorySegment src, long srcOff, MemorySegment dst, long dstOff, int len) {
        if (len > 0) {
            MemorySegment.copy(src, srcOff, dst, dstOff, len);
        }
    }

    static int checkByte(String name, int v) {
        if ((v & ~0xFF) != 0) {
            throw new IllegalArgumentException(name + ": must be 0..255, got " + v);
        }
        return v;
    }
}
