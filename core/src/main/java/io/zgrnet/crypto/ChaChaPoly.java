package io.zgrnet.crypto;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * ChaCha20-Poly1305 (RFC 8439) with zgrnet's transport nonce: LE64(counter) in bytes 0..7, then
 * four zero bytes. Handshake messages use counter 0 (an all-zero nonce).
 *
 * <p>Stateless and thread-safe; no call allocates (the {@code byte[]} conveniences allocate
 * their result only). Methods take (segment, offset, length) and return an int. Source and
 * destination may be the same bytes (in-place); partially overlapping ranges are not supported.
 * Segments may be heap or native.
 *
 * <p>{@code open} authenticates the whole ciphertext before it decrypts a byte, so a forged
 * packet never reaches {@code dst}; the tag comparison takes the same time wherever it differs.
 *
 * <p>Payloads of at least {@code NativeAead.MIN_LENGTH} bytes in native segments (the packet pool)
 * go to libsodium's SIMD engine when it is installed ({@link NativeAead}; system property
 * {@code zgrnet.crypto.native=false} turns that off); the output is the same bytes.
 *
 * <p>Two engines, same output: short payloads run one ChaCha20 block at a time with the state in
 * locals ({@link ChaCha20}); from {@link #LANES_MIN_LENGTH} bytes on, the keystream for up to 32
 * blocks is computed at once in a borrowed scratch buffer so the JIT can vectorize it
 * ({@link ChaCha20Lanes}, {@link ScratchPool}); if no buffer is free the scalar engine runs.
 * Poly1305 ({@link Poly1305}) is shared.
 */
public final class ChaChaPoly {
    /** Key length in bytes. */
    public static final int KEY_LENGTH = 32;
    /** Authentication tag length in bytes. */
    public static final int TAG_LENGTH = 16;
    /** Nonce length in bytes. */
    public static final int NONCE_LENGTH = 12;

    /** Block 0 of the keystream is the Poly1305 key; data starts at block 1 (RFC 8439 2.8). */
    private static final int FIRST_DATA_BLOCK = 1;
    /**
     * Payloads from this length on take the multi-block, auto-vectorized keystream path. Tuning
     * constant: measured crossover between 512 (scalar faster) and 640 bytes (multi-block
     * faster) on the reference machine; see docs/benchmarks/aead.md.
     */
    static final int LANES_MIN_LENGTH = 576;

    private ChaChaPoly() {
    }

    /** Which engines run, for reports: e.g. "libsodium for >= 128 B, Java below". */
    public static String engines() {
        if (NativeAead.ENABLED) {
            return "libsodium for >= " + NativeAead.MIN_LENGTH + " B in native memory, Java below";
        }
        String why = io.zgrnet.sys.Sodium.isAvailable() ? "zgrnet.crypto.native=false"
                : io.zgrnet.sys.Sodium.unavailabilityCause();
        return "Java (libsodium not used: " + why + ")";
    }

    /**
     * Encrypts {@code len} bytes at {@code src[srcOff]} and writes ciphertext || tag at
     * {@code dst[dstOff]}.
     *
     * @param ad additional data, or {@link MemorySegment#NULL} with {@code adLen == 0}
     * @return {@code len + TAG_LENGTH}
     * @throws IndexOutOfBoundsException if a range lies outside its segment (nothing is written)
     */
    public static int seal(AeadKey key, long counter, MemorySegment ad, long adOff, int adLen,
                           MemorySegment src, long srcOff, int len, MemorySegment dst, long dstOff) {
        return sealNonce(key, (int) counter, (int) (counter >>> 32), 0, ad, adOff, adLen, src, srcOff, len, dst, dstOff);
    }

    /**
     * Verifies and decrypts {@code ctLen} bytes (ciphertext || tag) at {@code src[srcOff]}. The tag
     * is checked before anything is written, so {@code dst} is untouched on failure.
     *
     * @return the plaintext length {@code ctLen - TAG_LENGTH}, or -1 if authentication fails or
     *         {@code ctLen < TAG_LENGTH}
     * @throws IndexOutOfBoundsException if a range lies outside its segment (nothing is written)
     */
    public static int open(AeadKey key, long counter, MemorySegment ad, long adOff, int adLen,
                           MemorySegment src, long srcOff, int ctLen, MemorySegment dst, long dstOff) {
        return openNonce(key, (int) counter, (int) (counter >>> 32), 0, ad, adOff, adLen, src, srcOff, ctLen, dst, dstOff);
    }

    /**
     * {@link #seal(AeadKey, long, MemorySegment, long, int, MemorySegment, long, int, MemorySegment, long) seal}
     * with an arbitrary 12-byte nonce (e.g. the RFC 8439 test vectors).
     *
     * @param nonce 12 bytes, read as little-endian words {@code nonce[0..3]}, {@code [4..7]}, {@code [8..11]}
     */
    public static int seal(AeadKey key, byte[] nonce, MemorySegment ad, long adOff, int adLen,
                           MemorySegment src, long srcOff, int len, MemorySegment dst, long dstOff) {
        checkNonce(nonce);
        return sealNonce(key, nonceWord(nonce, 0), nonceWord(nonce, 4), nonceWord(nonce, 8),
                ad, adOff, adLen, src, srcOff, len, dst, dstOff);
    }

    /**
     * {@link #open(AeadKey, long, MemorySegment, long, int, MemorySegment, long, int, MemorySegment, long) open}
     * with an arbitrary 12-byte nonce (e.g. the RFC 8439 test vectors).
     */
    public static int open(AeadKey key, byte[] nonce, MemorySegment ad, long adOff, int adLen,
                           MemorySegment src, long srcOff, int ctLen, MemorySegment dst, long dstOff) {
        checkNonce(nonce);
        return openNonce(key, nonceWord(nonce, 0), nonceWord(nonce, 4), nonceWord(nonce, 8),
                ad, adOff, adLen, src, srcOff, ctLen, dst, dstOff);
    }

    /** Convenience for the handshake and tests: returns ciphertext || tag. */
    public static byte[] seal(AeadKey key, long counter, byte[] ad, byte[] plaintext) {
        byte[] out = new byte[plaintext.length + TAG_LENGTH];
        seal(key, counter, MemorySegment.ofArray(ad), 0, ad.length,
                MemorySegment.ofArray(plaintext), 0, plaintext.length, MemorySegment.ofArray(out), 0);
        return out;
    }

    /** Convenience for the handshake and tests: returns the plaintext, or null if forged. */
    public static byte[] open(AeadKey key, long counter, byte[] ad, byte[] ciphertext) {
        if (ciphertext.length < TAG_LENGTH) {
            return null;
        }
        byte[] out = new byte[ciphertext.length - TAG_LENGTH];
        int n = open(key, counter, MemorySegment.ofArray(ad), 0, ad.length,
                MemorySegment.ofArray(ciphertext), 0, ciphertext.length, MemorySegment.ofArray(out), 0);
        return n < 0 ? null : out;
    }

    private static int sealNonce(AeadKey key, int n0, int n1, int n2, MemorySegment ad, long adOff, int adLen,
                                 MemorySegment src, long srcOff, int len, MemorySegment dst, long dstOff) {
        Objects.checkFromIndexSize(adOff, adLen, ad.byteSize());
        Objects.checkFromIndexSize(srcOff, len, src.byteSize());
        Objects.checkFromIndexSize(dstOff, (long) len + TAG_LENGTH, dst.byteSize());
        if (NativeAead.eligible(key, ad, adLen, src, dst, len)) {
            return NativeAead.seal(key, n0, n1, n2, ad, adOff, adLen, src, srcOff, len, dst, dstOff);
        }
        if (len >= LANES_MIN_LENGTH) {
            int slot = ScratchPool.acquire();
            if (slot >= 0) {
                try {
                    sealLanes(key.words, n0, n1, n2, ad, adOff, adLen, src, srcOff, len, dst, dstOff,
                            ScratchPool.buffer(slot));
                } finally {
                    ScratchPool.release(slot);
                }
                return len + TAG_LENGTH;
            }
        }
        sealScalar(key.words, n0, n1, n2, ad, adOff, adLen, src, srcOff, len, dst, dstOff);
        return len + TAG_LENGTH;
    }

    private static int openNonce(AeadKey key, int n0, int n1, int n2, MemorySegment ad, long adOff, int adLen,
                                 MemorySegment src, long srcOff, int ctLen, MemorySegment dst, long dstOff) {
        if (ctLen < TAG_LENGTH) {
            return -1;
        }
        int len = ctLen - TAG_LENGTH;
        Objects.checkFromIndexSize(adOff, adLen, ad.byteSize());
        Objects.checkFromIndexSize(srcOff, ctLen, src.byteSize());
        Objects.checkFromIndexSize(dstOff, len, dst.byteSize());
        if (NativeAead.eligible(key, ad, adLen, src, dst, len)) {
            return NativeAead.open(key, n0, n1, n2, ad, adOff, adLen, src, srcOff, ctLen, dst, dstOff);
        }
        if (len >= LANES_MIN_LENGTH) {
            int slot = ScratchPool.acquire();
            if (slot >= 0) {
                try {
                    return openLanes(key.words, n0, n1, n2, ad, adOff, adLen, src, srcOff, len, dst, dstOff,
                            ScratchPool.buffer(slot));
                } finally {
                    ScratchPool.release(slot);
                }
            }
        }
        return openScalar(key.words, n0, n1, n2, ad, adOff, adLen, src, srcOff, len, dst, dstOff);
    }

    // The engines below take checked arguments and the key words; tests call them directly so
    // that both paths are compared with the JDK at every length.

    /** Seal one block at a time (no scratch); ciphertext || tag goes to {@code dst}. */
    static void sealScalar(int[] k, int n0, int n1, int n2, MemorySegment ad, long adOff, int adLen,
                           MemorySegment src, long srcOff, int len, MemorySegment dst, long dstOff) {
        ChaCha20.xor(k, FIRST_DATA_BLOCK, n0, n1, n2, src, srcOff, dst, dstOff, len);
        // MAC the ciphertext as written; in-place callers have already lost the plaintext.
        ChaCha20.aeadTag(k, n0, n1, n2, ad, adOff, adLen, dst, dstOff, len, dst, dstOff + len, false);
    }

    /** Open one block at a time; {@code len} excludes the tag. Returns len, or -1 if forged. */
    static int openScalar(int[] k, int n0, int n1, int n2, MemorySegment ad, long adOff, int adLen,
                          MemorySegment src, long srcOff, int len, MemorySegment dst, long dstOff) {
        if (ChaCha20.aeadTag(k, n0, n1, n2, ad, adOff, adLen, src, srcOff, len, src, srcOff + len, true) != 0) {
            return -1;
        }
        ChaCha20.xor(k, FIRST_DATA_BLOCK, n0, n1, n2, src, srcOff, dst, dstOff, len);
        return len;
    }

    /** Seal with the multi-block keystream in scratch {@code s} ({@link ChaCha20Lanes#SCRATCH_INTS} ints). */
    static void sealLanes(int[] k, int n0, int n1, int n2, MemorySegment ad, long adOff, int adLen,
                          MemorySegment src, long srcOff, int len, MemorySegment dst, long dstOff, int[] s) {
        // One batch holds block 0 (the Poly1305 key) and the first data blocks.
        int lanes = Math.min(1 + (len + ChaCha20.BLOCK_LENGTH - 1) / ChaCha20.BLOCK_LENGTH, ChaCha20Lanes.LANES);
        ChaCha20Lanes.keystream(k, 0, n0, n1, n2, lanes, s);
        long r0 = ChaCha20Lanes.pair(s, 0, 0) & Poly1305.R0_MASK;
        long r1 = ChaCha20Lanes.pair(s, 2, 0) & Poly1305.R1_MASK;
        long s0 = ChaCha20Lanes.pair(s, 4, 0);
        long s1 = ChaCha20Lanes.pair(s, 6, 0);
        ChaCha20Lanes.xor(k, 0, n0, n1, n2, s, FIRST_DATA_BLOCK, lanes, src, srcOff, dst, dstOff, len);
        Poly1305.aeadTag(r0, r1, s0, s1, ad, adOff, adLen, dst, dstOff, len, dst, dstOff + len, false);
    }

    /** Open with the multi-block keystream in scratch {@code s}; returns len, or -1 if forged. */
    static int openLanes(int[] k, int n0, int n1, int n2, MemorySegment ad, long adOff, int adLen,
                         MemorySegment src, long srcOff, int len, MemorySegment dst, long dstOff, int[] s) {
        int lanes = Math.min(1 + (len + ChaCha20.BLOCK_LENGTH - 1) / ChaCha20.BLOCK_LENGTH, ChaCha20Lanes.LANES);
        ChaCha20Lanes.keystream(k, 0, n0, n1, n2, lanes, s);
        long r0 = ChaCha20Lanes.pair(s, 0, 0) & Poly1305.R0_MASK;
        long r1 = ChaCha20Lanes.pair(s, 2, 0) & Poly1305.R1_MASK;
        long s0 = ChaCha20Lanes.pair(s, 4, 0);
        long s1 = ChaCha20Lanes.pair(s, 6, 0);
        if (Poly1305.aeadTag(r0, r1, s0, s1, ad, adOff, adLen, src, srcOff, len, src, srcOff + len, true) != 0) {
            return -1;
        }
        ChaCha20Lanes.xor(k, 0, n0, n1, n2, s, FIRST_DATA_BLOCK, lanes, src, srcOff, dst, dstOff, len);
        return len;
    }

    private static void checkNonce(byte[] nonce) {
        if (nonce == null || nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("nonce must be " + NONCE_LENGTH + " bytes, got "
                    + (nonce == null ? "null" : nonce.length));
        }
    }

    private static int nonceWord(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }
}
