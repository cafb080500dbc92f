package io.zgrnet.crypto;

import java.util.Arrays;

/**
 * BLAKE2s-256 (RFC 7693), unkeyed or keyed, with output lengths 1..32.
 *
 * <p>One instance hashes one message at a time and is not thread-safe; {@link #reset()} makes it
 * reusable without allocation. The static helpers allocate and are meant for the handshake, which
 * runs once per session, not per packet.
 */
public final class Blake2s {
    /** Output length of zgrnet's HASH, in bytes. */
    public static final int HASH_LENGTH = 32;
    /** BLAKE2s block length, in bytes (also HMAC's block length). */
    public static final int BLOCK_LENGTH = 64;

    private static final int[] IV = {
        0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
        0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19
    };

    private static final byte[][] SIGMA = {
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
        {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
        {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
        {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
        {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
        {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
        {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
        {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
        {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
        {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    };

    private final int outLength;
    private final byte[] key;
    private final int[] h = new int[8];
    private final int[] m = new int[16];
    private final int[] v = new int[16];
    private final byte[] buffer = new byte[BLOCK_LENGTH];
    private int bufferLength;
    private long counter;

    /** An unkeyed BLAKE2s-256. */
    public Blake2s() {
        this(HASH_LENGTH, null);
    }

    /**
     * @param outLength digest length in bytes, 1..32
     * @param key optional key of up to 32 bytes (null or empty for unkeyed)
     */
    public Blake2s(int outLength, byte[] key) {
        if (outLength < 1 || outLength > 32) {
            throw new IllegalArgumentException("outLength must be 1..32, got " + outLength);
        }
        if (key != null && key.length > 32) {
            throw new IllegalArgumentException("key must be at most 32 bytes, got " + key.length);
        }
        this.outLength = outLength;
        this.key = key == null || key.length == 0 ? null : key.clone();
        reset();
    }

    /** Returns the digest length in bytes. */
    public int outLength() {
        return outLength;
    }

    /** Starts a new message with the same parameters and key. */
    public void reset() {
        System.arraycopy(IV, 0, h, 0, 8);
        int keyLength = key == null ? 0 : key.length;
        h[0] ^= 0x01010000 ^ (keyLength << 8) ^ outLength;
        counter = 0;
        bufferLength = 0;
        Arrays.fill(buffer, (byte) 0);
        if (key != null) {
            System.arraycopy(key, 0, buffer, 0, key.length);
            bufferLength = BLOCK_LENGTH;
        }
    }

    /** Absorbs {@code len} bytes of {@code in} starting at {@code off}. */
    public Blake2s update(byte[] in, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, in.length);
        while (len > 0) {
            if (bufferLength == BLOCK_LENGTH) {
                // Only compress a full buffer once more input arrives: the last block is special.
                counter += BLOCK_LENGTH;
                compress(buffer, 0, false);
                bufferLength = 0;
            }
            int n = Math.min(BLOCK_LENGTH - bufferLength, len);
            System.arraycopy(in, off, buffer, bufferLength, n);
            bufferLength += n;
            off += n;
            len -= n;
        }
        return this;
    }

    /** Absorbs all of {@code in}. */
    public Blake2s update(byte[] in) {
        return update(in, 0, in.length);
    }

    /** Writes the digest ({@link #outLength()} bytes) to {@code out} at {@code off}, then resets. */
    public void digest(byte[] out, int off) {
        java.util.Objects.checkFromIndexSize(off, outLength, out.length);
        counter += bufferLength;
        Arrays.fill(buffer, bufferLength, BLOCK_LENGTH, (byte) 0);
        compress(buffer, 0, true);
        for (int i = 0; i < outLength; i++) {
            out[off + i] = (byte) (h[i >>> 2] >>> (8 * (i & 3)));
        }
        reset();
    }

    /** Returns the digest as a new array, then resets. */
    public byte[] digest() {
        byte[] out = new byte[outLength];
        digest(out, 0);
        return out;
    }

    /** BLAKE2s-256 of the concatenation of {@code parts}. */
    public static byte[] hash(byte[]... parts) {
        Blake2s b = new Blake2s();
        for (byte[] p : parts) {
            b.update(p);
        }
        return b.digest();
    }

    private void compress(byte[] block, int off, boolean last) {
        for (int i = 0; i < 16; i++) {
            int j = off + 4 * i;
            m[i] = (block[j] & 0xFF) | (block[j + 1] & 0xFF) << 8 | (block[j + 2] & 0xFF) << 16
                    | (block[j + 3] & 0xFF) << 24;
        }
        System.arraycopy(h, 0, v, 0, 8);
        System.arraycopy(IV, 0, v, 8, 8);
        v[12] ^= (int) counter;
        v[13] ^= (int) (counter >>> 32);
        if (last) {
            v[14] = ~v[14];
        }
        for (int r = 0; r < 10; r++) {
            byte[] s = SIGMA[r];
            g(0, 4, 8, 12, m[s[0]], m[s[1]]);
            g(1, 5, 9, 13, m[s[2]], m[s[3]]);
            g(2, 6, 10, 14, m[s[4]], m[s[5]]);
            g(3, 7, 11, 15, m[s[6]], m[s[7]]);
            g(0, 5, 10, 15, m[s[8]], m[s[9]]);
            g(1, 6, 11, 12, m[s[10]], m[s[11]]);
            g(2, 7, 8, 13, m[s[12]], m[s[13]]);
            g(3, 4, 9, 14, m[s[14]], m[s[15]]);
        }
        for (int i = 0; i < 8; i++) {
            h[i] ^= v[i] ^ v[i + 8];
        }
    }

    private void g(int a, int b, int c, int d, int x, int y) {
        v[a] = v[a] + v[b] + x;
        v[d] = Integer.rotateRight(v[d] ^ v[a], 16);
        v[c] = v[c] + v[d];
        v[b] = Integer.rotateRight(v[b] ^ v[c], 12);
        v[a] = v[a] + v[b] + y;
        v[d] = Integer.rotateRight(v[d] ^ v[a], 8);
        v[c] = v[c] + v[d];
        v[b] = Integer.rotateRight(v[b] ^ v[c], 7);
    }
}
