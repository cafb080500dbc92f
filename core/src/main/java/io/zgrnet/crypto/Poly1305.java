package io.zgrnet.crypto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Poly1305 (RFC 8439 section 2.5) in radix 2^64: the accumulator is two 64-bit limbs plus a few
 * bits, and each 16-byte block costs four 64x64->128 multiplications. (Measured against radix
 * 2^26 and 2^44 variants on JDK 25: this one compiles to the fastest code.)
 *
 * <p>Stateless: the one-time key arrives as four longs and the accumulator lives in locals, so
 * nothing is allocated. Java cannot return the 130-bit accumulator from a helper without an
 * object, so one private method holds the only block loop and walks the message's regions.
 */
final class Poly1305 {
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Clamp masks of RFC 8439 section 2.5 for the two halves of r. */
    static final long R0_MASK = 0x0FFFFFFC0FFFFFFFL;
    static final long R1_MASK = 0x0FFFFFFC0FFFFFFCL;

    private Poly1305() {
    }

    /**
     * The AEAD tag of RFC 8439 section 2.8 over pad16(ad) || pad16(ct) || LE64(adLen) || LE64(ctLen).
     * With {@code verify} false the tag is written to {@code tag[tagOff]} and 0 is returned; with
     * {@code verify} true the tag there is compared in constant time and the return value is 0
     * only if it matches.
     *
     * @param r0 low half of r, already clamped
     * @param r1 high half of r, already clamped
     */
    static long aeadTag(long r0, long r1, long s0, long s1,
                        MemorySegment ad, long adOff, int adLen,
                        MemorySegment ct, long ctOff, int ctLen,
                        MemorySegment tag, long tagOff, boolean verify) {
        return compute(r0, r1, s0, s1, ad, adOff, adLen, ct, ctOff, ctLen, true, tag, tagOff, verify);
    }

    /**
     * Plain Poly1305 of {@code len} bytes with a 32-byte one-time key (r || s), as in RFC 8439
     * section 2.5; the final partial block is padded with 0x01 and has no 2^128 bit. Used for the
     * RFC's Poly1305 test vectors; the AEAD uses {@link #aeadTag}.
     */
    static void mac(MemorySegment key, long keyOff, MemorySegment msg, long msgOff, int len,
                    MemorySegment out, long outOff) {
        long r0 = key.get(LE_LONG, keyOff) & R0_MASK;
        long r1 = key.get(LE_LONG, keyOff + 8) & R1_MASK;
        long s0 = key.get(LE_LONG, keyOff + 16);
        long s1 = key.get(LE_LONG, keyOff + 24);
        compute(r0, r1, s0, s1, msg, msgOff, len, MemorySegment.NULL, 0, 0, false, out, outOff, false);
    }

    /**
     * The one block loop. The message is region a, then region b, then (AEAD only) the lengths
     * block. In AEAD mode every block, padded with zeros, carries the 2^128 bit; in plain mode a
     * final partial block is terminated by 0x01 instead.
     *
     * <p>Every carry is computed arithmetically: ciphertext is random, so a branch on a carry
     * would be mispredicted half the time.
     */
    private static long compute(long r0, long r1, long s0, long s1,
                                MemorySegment a, long aOff, int aLen,
                                MemorySegment b, long bOff, int bLen, boolean aead,
                                MemorySegment tag, long tagOff, boolean verify) {
        // r1 has its two low bits clamped to zero, so 5 * r1 / 4 is exact: it folds the 2^130
        // overflow of h1 * r1 back into the low limbs (2^130 = 5 mod p).
        long rs1 = r1 + (r1 >>> 2);
        long h0 = 0;
        long h1 = 0;
        long h2 = 0;
        int regions = aead ? 3 : 1;
        for (int region = 0; region < regions; region++) {
            MemorySegment seg = region == 0 ? a : b;
            long base = region == 0 ? aOff : bOff;
            int n = region == 0 ? aLen : region == 1 ? bLen : 16;
            for (int pos = 0; pos < n; pos += 16) {
                long m0;
                long m1;
                long hibit = 1;
                int rem = n - pos;
                if (region == 2) {
                    m0 = aLen;
                    m1 = bLen;
                } else if (rem >= 16) {
                    m0 = seg.get(LE_LONG, base + pos);
                    m1 = seg.get(LE_LONG, base + pos + 8);
                } else {
                    m0 = readPartial(seg, base + pos, Math.min(rem, 8));
                    m1 = rem > 8 ? readPartial(seg, base + pos + 8, rem - 8) : 0;
                    if (!aead) {
                        // The 0x01 terminator takes the place of the 2^128 bit.
                        hibit = 0;
                        if (rem < 8) {
                            m0 |= 1L << (8 * rem);
                        } else {
                            m1 |= 1L << (8 * (rem - 8));
                        }
                    }
                }
                // h += m
                long t0 = h0 + m0;
                long c = carry(h0, m0, t0);
                long t1 = h1 + m1 + c;
                c = carry(h1, m1, t1);
                h0 = t0;
                h1 = t1;
                h2 += c + hibit;

                // d = h * r as three columns, folding terms at 2^128 * 2^2 and above by 5
                long d0lo = h0 * r0;
                long d0hi = Math.unsignedMultiplyHigh(h0, r0);
                long p = h1 * rs1;
                long sum = d0lo + p;
                d0hi += Math.unsignedMultiplyHigh(h1, rs1) + carry(d0lo, p, sum);
                d0lo = sum;

                long d1lo = h0 * r1;
                long d1hi = Math.unsignedMultiplyHigh(h0, r1);
                p = h1 * r0;
                sum = d1lo + p;
                d1hi += Math.unsignedMultiplyHigh(h1, r0) + carry(d1lo, p, sum);
                d1lo = sum;
                p = h2 * rs1; // h2 <= 6 and rs1 < 1.25 * 2^60, so p < 2^63
                sum = d1lo + p;
                d1hi += carrySmall(d1lo, sum);
                d1lo = sum;
                sum = d1lo + d0hi; // d0hi < 2^62: two high halves of products with r < 2^61
                d1hi += carrySmall(d1lo, sum);
                d1lo = sum;

                long d2 = h2 * r0 + d1hi;

                // partial reduction: keep 130 bits, add 5 * (d >> 130)
                long fold = (d2 & ~3L) + (d2 >>> 2);
                h2 = d2 & 3;
                h0 = d0lo + fold;
                c = carry(d0lo, fold, h0);
                h1 = d1lo + c;
                h2 += carrySmall(d1lo, h1);
            }
        }
        return finish(h0, h1, h2, s0, s1, tag, tagOff, verify);
    }

    /** The carry out of the 64-bit addition {@code x + y (+ carry in) = sum}, as 0 or 1. */
    private static long carry(long x, long y, long sum) {
        return ((x & y) | ((x | y) & ~sum)) >>> 63;
    }

    /**
     * The carry out of {@code x + y = sum} when {@code y < 2^63}: then it overflows exactly when
     * x has its top bit set and the sum does not. Three instructions cheaper than {@link #carry}.
     */
    private static long carrySmall(long x, long sum) {
        return (x & ~sum) >>> 63;
    }

    /**
     * Fully reduces h mod 2^130 - 5, adds s mod 2^128, then writes or compares the tag. The
     * comparison folds all differences into one long, so its timing does not depend on where
     * the tags differ.
     */
    private static long finish(long h0, long h1, long h2, long s0, long s1,
                               MemorySegment tag, long tagOff, boolean verify) {
        // h < 2p here, so one conditional subtraction of p (computed as h + 5 - 2^130) suffices.
        long g0 = h0 + 5;
        long c = carrySmall(h0, g0);
        long g1 = h1 + c;
        c = carrySmall(h1, g1);
        long g2 = h2 + c;
        long useG = -(g2 >>> 2); // all ones when h + 5 >= 2^130, i.e. h >= p
        h0 = (h0 & ~useG) | (g0 & useG);
        h1 = (h1 & ~useG) | (g1 & useG);

        long t0 = h0 + s0;
        c = carry(h0, s0, t0);
        long t1 = h1 + s1 + c;
        if (verify) {
            return (t0 ^ tag.get(LE_LONG, tagOff)) | (t1 ^ tag.get(LE_LONG, tagOff + 8));
        }
        tag.set(LE_LONG, tagOff, t0);
        tag.set(LE_LONG, tagOff + 8, t1);
        return 0;
    }

    /** Reads {@code n} (0..8) bytes little-endian, zero-filling the rest. */
    private static long readPartial(MemorySegment seg, long off, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (seg.get(ValueLayout.JAVA_BYTE, off + i) & 0xFFL) << (8 * i);
        }
        return v;
    }
}
