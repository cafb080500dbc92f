package io.zgrnet.crypto;

import java.lang.foreign.MemorySegment;

/**
 * ChaCha20 keystream for up to {@link #LANES} blocks at once, laid out so that C2's
 * auto-vectorizer (SuperWord) turns the rounds into SIMD instructions across blocks. This is the
 * bulk path for datagram-sized payloads; {@link ChaCha20} is the one-block-at-a-time path.
 *
 * <p>Layout: the state is word-major in a caller-provided {@code int[]} (see {@link ScratchPool}):
 * word {@code w} of block {@code l} is at {@code s[w * LANES + l]}. The stride is a constant so
 * C2 can prove that rows do not overlap.
 *
 * <p>Why the loops look like this: C2 vectorizes a loop only after unrolling it, and it does
 * not unroll big bodies, so a whole block per iteration stays scalar. Each loop body here is one
 * quarter-round over 4 words of a block. C2 also sizes vectors by the profiled trip count (about
 * 16 bytes under 80 iterations, 32 from 80, 64 from 256), so the column round is one loop over
 * all four columns ({@code 3 * LANES + lanes} iterations, the unused lanes of the first three
 * columns computed and ignored); the diagonal round pairs column c with c+1, c+2, c+3 and needs
 * one loop per diagonal.
 */
final class ChaCha20Lanes {
    /** Blocks per batch: 2 KiB of keystream covers a 1500-byte datagram plus the Poly1305 key block. */
    static final int LANES = 32;
    /** Ints of scratch a batch needs. */
    static final int SCRATCH_INTS = 16 * LANES;

    private ChaCha20Lanes() {
    }

    /**
     * Writes keystream blocks {@code counter .. counter + lanes - 1} (1 <= lanes <= LANES) into
     * {@code s}: word {@code w} of the {@code l}-th block ends up at {@code s[w * LANES + l]}.
     */
    static void keystream(int[] key, int counter, int n0, int n1, int n2, int lanes, int[] s) {
        int k0 = key[0], k1 = key[1], k2 = key[2], k3 = key[3], k4 = key[4], k5 = key[5], k6 = key[6], k7 = key[7];
        for (int l = 0; l < lanes; l++) {
            s[l] = ChaCha20.C0;
            s[LANES + l] = ChaCha20.C1;
            s[2 * LANES + l] = ChaCha20.C2;
            s[3 * LANES + l] = ChaCha20.C3;
            s[4 * LANES + l] = k0;
            s[5 * LANES + l] = k1;
            s[6 * LANES + l] = k2;
            s[7 * LANES + l] = k3;
            s[8 * LANES + l] = k4;
            s[9 * LANES + l] = k5;
            s[10 * LANES + l] = k6;
            s[11 * LANES + l] = k7;
            s[12 * LANES + l] = counter + l;
            s[13 * LANES + l] = n0;
            s[14 * LANES + l] = n1;
            s[15 * LANES + l] = n2;
        }
        for (int i = 0; i < 10; i++) {
            columnRound(s, lanes);
            diagonalRound(s, lanes);
        }
        for (int l = 0; l < lanes; l++) {
            s[l] += ChaCha20.C0;
            s[LANES + l] += ChaCha20.C1;
            s[2 * LANES + l] += ChaCha20.C2;
            s[3 * LANES + l] += ChaCha20.C3;
            s[4 * LANES + l] += k0;
            s[5 * LANES + l] += k1;
            s[6 * LANES + l] += k2;
            s[7 * LANES + l] += k3;
            s[8 * LANES + l] += k4;
            s[9 * LANES + l] += k5;
            s[10 * LANES + l] += k6;
            s[11 * LANES + l] += k7;
            s[12 * LANES + l] += counter + l;
            s[13 * LANES + l] += n0;
            s[14 * LANES + l] += n1;
            s[15 * LANES + l] += n2;
        }
    }

    /**
     * XORs {@code len} bytes from {@code src} into {@code dst} with keystream that starts at
     * lane {@code firstLane} of the batch already in {@code s} (which holds {@code lanes}
     * blocks, the first of them block {@code counter}), computing further batches as needed.
     * Source and destination may be the same bytes.
     */
    static void xor(int[] key, int counter, int n0, int n1, int n2, int[] s, int firstLane, int lanes,
                    MemorySegment src, long srcOff, MemorySegment dst, long dstOff, int len) {
        int pos = 0;
        int l = firstLane;
        while (pos < len) {
            if (l == lanes) {
                counter += lanes;
                lanes = Math.min((len - pos + ChaCha20.BLOCK_LENGTH - 1) / ChaCha20.BLOCK_LENGTH, LANES);
                keystream(key, counter, n0, n1, n2, lanes, s);
                l = 0;
            }
            xorBlock(s, l, src, srcOff + pos, dst, dstOff + pos, len - pos);
            l++;
            pos += ChaCha20.BLOCK_LENGTH;
        }
    }

    /** Keystream words {@code w2} and {@code w2 + 1} of lane {@code l} as one little-endian long. */
    static long pair(int[] s, int w2, int l) {
        return (s[w2 * LANES + l] & 0xFFFFFFFFL) | ((long) s[(w2 + 1) * LANES + l] << 32);
    }

    private static void columnRound(int[] s, int lanes) {
        // Quarter-round c of block l touches index c * LANES + l of each row (rows are
        // 4 * LANES apart), so one loop over all four columns covers the round.
        int n = 3 * LANES + lanes;
        for (int j = 0; j < n; j++) {
            int a = s[j], b = s[4 * LANES + j], c = s[8 * LANES + j], d = s[12 * LANES + j];
            a += b; d = Integer.rotateLeft(d ^ a, 16); c += d; b = Integer.rotateLeft(b ^ c, 12);
            a += b; d = Integer.rotateLeft(d ^ a, 8); c += d; b = Integer.rotateLeft(b ^ c, 7);
            s[j] = a; s[4 * LANES + j] = b; s[8 * LANES + j] = c; s[12 * LANES + j] = d;
        }
    }

    private static void diagonalRound(int[] s, int lanes) {
        for (int l = 0; l < lanes; l++) {
            int a = s[l], b = s[5 * LANES + l], c = s[10 * LANES + l], d = s[15 * LANES + l];
            a += b; d = Integer.rotateLeft(d ^ a, 16); c += d; b = Integer.rotateLeft(b ^ c, 12);
            a += b; d = Integer.rotateLeft(d ^ a, 8); c += d; b = Integer.rotateLeft(b ^ c, 7);
            s[l] = a; s[5 * LANES + l] = b; s[10 * LANES + l] = c; s[15 * LANES + l] = d;
        }
        for (int l = 0; l < lanes; l++) {
            int a = s[LANES + l], b = s[6 * LANES + l], c = s[11 * LANES + l], d = s[12 * LANES + l];
            a += b; d = Integer.rotateLeft(d ^ a, 16); c += d; b = Integer.rotateLeft(b ^ c, 12);
            a += b; d = Integer.rotateLeft(d ^ a, 8); c += d; b = Integer.rotateLeft(b ^ c, 7);
            s[LANES + l] = a; s[6 * LANES + l] = b; s[11 * LANES + l] = c; s[12 * LANES + l] = d;
        }
        for (int l = 0; l < lanes; l++) {
            int a = s[2 * LANES + l], b = s[7 * LANES + l], c = s[8 * LANES + l], d = s[13 * LANES + l];
            a += b; d = Integer.rotateLeft(d ^ a, 16); c += d; b = Integer.rotateLeft(b ^ c, 12);
            a += b; d = Integer.rotateLeft(d ^ a, 8); c += d; b = Integer.rotateLeft(b ^ c, 7);
            s[2 * LANES + l] = a; s[7 * LANES + l] = b; s[8 * LANES + l] = c; s[13 * LANES + l] = d;
        }
        for (int l = 0; l < lanes; l++) {
            int a = s[3 * LANES + l], b = s[4 * LANES + l], c = s[9 * LANES + l], d = s[14 * LANES + l];
            a += b; d = Integer.rotateLeft(d ^ a, 16); c += d; b = Integer.rotateLeft(b ^ c, 12);
            a += b; d = Integer.rotateLeft(d ^ a, 8); c += d; b = Integer.rotateLeft(b ^ c, 7);
            s[3 * LANES + l] = a; s[4 * LANES + l] = b; s[9 * LANES + l] = c; s[14 * LANES + l] = d;
        }
    }

    /** XORs keystream lane {@code l} with {@code min(rem, 64)} bytes at {@code src[so]} into {@code dst[d]}. */
    private static void xorBlock(int[] s, int l, MemorySegment src, long so, MemorySegment dst, long d, int rem) {
        if (rem >= ChaCha20.BLOCK_LENGTH) {
            dst.set(ChaCha20.LE_LONG, d, src.get(ChaCha20.LE_LONG, so) ^ pair(s, 0, l));
            dst.set(ChaCha20.LE_LONG, d + 8, src.get(ChaCha20.LE_LONG, so + 8) ^ pair(s, 2, l));
            dst.set(ChaCha20.LE_LONG, d + 16, src.get(ChaCha20.LE_LONG, so + 16) ^ pair(s, 4, l));
            dst.set(ChaCha20.LE_LONG, d + 24, src.get(ChaCha20.LE_LONG, so + 24) ^ pair(s, 6, l));
            dst.set(ChaCha20.LE_LONG, d + 32, src.get(ChaCha20.LE_LONG, so + 32) ^ pair(s, 8, l));
            dst.set(ChaCha20.LE_LONG, d + 40, src.get(ChaCha20.LE_LONG, so + 40) ^ pair(s, 10, l));
            dst.set(ChaCha20.LE_LONG, d + 48, src.get(ChaCha20.LE_LONG, so + 48) ^ pair(s, 12, l));
            dst.set(ChaCha20.LE_LONG, d + 56, src.get(ChaCha20.LE_LONG, so + 56) ^ pair(s, 14, l));
            return;
        }
        for (int w2 = 0; w2 < 16 && rem > 0; w2 += 2) {
            rem = ChaCha20.xorTail(pair(s, w2, l), src, so + 4 * w2, dst, d + 4 * w2, rem);
        }
    }
}
