package io.zgrnet.crypto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The ChaCha20 stream cipher of RFC 8439 section 2.4, scalar and allocation-free.
 *
 * <p>The sixteen state words live in locals so the JIT keeps them in registers; a block is never
 * materialised in memory. Keystream is XORed into the data eight bytes at a time. The ten double
 * rounds stay a loop: unrolling it twice measured no faster, and unrolling it fully pushes the
 * method past HotSpot's 8000-byte limit for JIT compilation, leaving it interpreted.
 *
 * <p>Nonce words {@code n0..n2} are state words 13..15 (the 12 nonce bytes read little-endian).
 */
final class ChaCha20 {
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** "expand 32-byte k", state words 0..3. */
    static final int C0 = 0x61707865;
    static final int C1 = 0x3320646e;
    static final int C2 = 0x79622d32;
    static final int C3 = 0x6b206574;

    static final int BLOCK_LENGTH = 64;

    private ChaCha20() {
    }

    /**
     * XORs {@code len} bytes of keystream, starting at block {@code counter}, from {@code src} into
     * {@code dst}. Source and destination may be the same bytes; partially overlapping ranges
     * are not supported.
     */
    static void xor(int[] key, int counter, int n0, int n1, int n2,
                    MemorySegment src, long srcOff, MemorySegment dst, long dstOff, int len) {
        for (int pos = 0; pos < len; pos += BLOCK_LENGTH, counter++) {
            int x0 = C0;
            int x1 = C1;
            int x2 = C2;
            int x3 = C3;
            int x4 = key[0];
            int x5 = key[1];
            int x6 = key[2];
            int x7 = key[3];
            int x8 = key[4];
            int x9 = key[5];
            int x10 = key[6];
            int x11 = key[7];
            int x12 = counter;
            int x13 = n0;
            int x14 = n1;
            int x15 = n2;
            for (int i = 0; i < 10; i++) {
                // column round
                x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
                x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
                x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
                x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
                x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
                x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
                x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
                x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);
                // diagonal round
                x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
                x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
                x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
                x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
                x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
                x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
                x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
                x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
            }
            long k0 = pack(x0 + C0, x1 + C1);
            long k1 = pack(x2 + C2, x3 + C3);
            long k2 = pack(x4 + key[0], x5 + key[1]);
            long k3 = pack(x6 + key[2], x7 + key[3]);
            long k4 = pack(x8 + key[4], x9 + key[5]);
            long k5 = pack(x10 + key[6], x11 + key[7]);
            long k6 = pack(x12 + counter, x13 + n0);
            long k7 = pack(x14 + n1, x15 + n2);
            long s = srcOff + pos;
            long d = dstOff + pos;
            int rem = len - pos;
            if (rem >= BLOCK_LENGTH) {
                dst.set(LE_LONG, d, src.get(LE_LONG, s) ^ k0);
                dst.set(LE_LONG, d + 8, src.get(LE_LONG, s + 8) ^ k1);
                dst.set(LE_LONG, d + 16, src.get(LE_LONG, s + 16) ^ k2);
                dst.set(LE_LONG, d + 24, src.get(LE_LONG, s + 24) ^ k3);
                dst.set(LE_LONG, d + 32, src.get(LE_LONG, s + 32) ^ k4);
                dst.set(LE_LONG, d + 40, src.get(LE_LONG, s + 40) ^ k5);
                dst.set(LE_LONG, d + 48, src.get(LE_LONG, s + 48) ^ k6);
                dst.set(LE_LONG, d + 56, src.get(LE_LONG, s + 56) ^ k7);
            } else {
                // Last, partial block: whole words while they fit, then single bytes.
                rem = xorTail(k0, src, s, dst, d, rem);
                rem = xorTail(k1, src, s + 8, dst, d + 8, rem);
                rem = xorTail(k2, src, s + 16, dst, d + 16, rem);
                rem = xorTail(k3, src, s + 24, dst, d + 24, rem);
                rem = xorTail(k4, src, s + 32, dst, d + 32, rem);
                rem = xorTail(k5, src, s + 40, dst, d + 40, rem);
                rem = xorTail(k6, src, s + 48, dst, d + 48, rem);
                xorTail(k7, src, s + 56, dst, d + 56, rem);
            }
        }
    }

    /**
     * Computes block 0 for this key and nonce and hands its first 32 bytes to Poly1305 as the
     * one-time key (RFC 8439 section 2.6), then writes or verifies the AEAD tag as
     * {@link Poly1305#aeadTag} describes. The block is computed here rather than by {@link #xor}
     * because Java has no allocation-free way to return the four key halves from a helper.
     */
    static long aeadTag(int[] key, int n0, int n1, int n2,
                        MemorySegment ad, long adOff, int adLen,
                        MemorySegment ct, long ctOff, int ctLen,
                        MemorySegment tag, long tagOff, boolean verify) {
        int x0 = C0;
        int x1 = C1;
        int x2 = C2;
        int x3 = C3;
        int x4 = key[0];
        int x5 = key[1];
        int x6 = key[2];
        int x7 = key[3];
        int x8 = key[4];
        int x9 = key[5];
        int x10 = key[6];
        int x11 = key[7];
        int x12 = 0;
        int x13 = n0;
        int x14 = n1;
        int x15 = n2;
        for (int i = 0; i < 10; i++) {
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }
        // Words 8..15 of block 0 are discarded (RFC 8439 section 2.6).
        long r0 = pack(x0 + C0, x1 + C1) & Poly1305.R0_MASK;
        long r1 = pack(x2 + C2, x3 + C3) & Poly1305.R1_MASK;
        long s0 = pack(x4 + key[0], x5 + key[1]);
        long s1 = pack(x6 + key[2], x7 + key[3]);
        return Poly1305.aeadTag(r0, r1, s0, s1, ad, adOff, adLen, ct, ctOff, ctLen, tag, tagOff, verify);
    }

    private static long pack(int lo, int hi) {
        return (lo & 0xFFFFFFFFL) | ((long) hi << 32);
    }

    /** XORs min(rem, 8) bytes of {@code ks}; returns how many bytes remain after this word. */
    static int xorTail(long ks, MemorySegment src, long s, MemorySegment dst, long d, int rem) {
        if (rem >= 8) {
            dst.set(LE_LONG, d, src.get(LE_LONG, s) ^ ks);
            return rem - 8;
        }
        for (int i = 0; i < rem; i++) {
            dst.set(ValueLayout.JAVA_BYTE, d + i, (byte) (src.get(ValueLayout.JAVA_BYTE, s + i) ^ (ks >>> (8 * i))));
        }
        return 0;
    }
}
