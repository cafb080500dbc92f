package io.zgrnet.crypto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439) with zgrnet's transport nonce: LE64(counter) in bytes 0..7, then
 * four zero bytes. Handshake messages use counter 0 (an all-zero nonce).
 *
 * <p>Stateless and thread-safe. Methods take (segment, offset, length) and return an int; in-place
 * operation (same segment and offset for source and destination) is allowed.
 *
 * <p>PLACEHOLDER implementation over the JDK cipher: correct, but allocates per call. To be
 * replaced by an allocation-free implementation with the same API.
 */
public final class ChaChaPoly {
    /** Key length in bytes. */
    public static final int KEY_LENGTH = 32;
    /** Authentication tag length in bytes. */
    public static final int TAG_LENGTH = 16;
    /** Nonce length in bytes. */
    public static final int NONCE_LENGTH = 12;

    private ChaChaPoly() {
    }

    /**
     * Encrypts {@code len} bytes at {@code src[srcOff]} and writes ciphertext || tag at
     * {@code dst[dstOff]}.
     *
     * @param ad additional data, or {@link MemorySegment#NULL} with {@code adLen == 0}
     * @return {@code len + TAG_LENGTH}
     */
    public static int seal(AeadKey key, long counter, MemorySegment ad, long adOff, int adLen,
                           MemorySegment src, long srcOff, int len, MemorySegment dst, long dstOff) {
        byte[] in = src.asSlice(srcOff, len).toArray(ValueLayout.JAVA_BYTE);
        byte[] out = run(Cipher.ENCRYPT_MODE, key, counter, ad, adOff, adLen, in);
        MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, dstOff, out.length);
        return out.length;
    }

    /**
     * Verifies and decrypts {@code ctLen} bytes (ciphertext || tag) at {@code src[srcOff]}. The tag
     * is checked before anything is written, so {@code dst} is untouched on failure.
     *
     * @return the plaintext length {@code ctLen - TAG_LENGTH}, or -1 if authentication fails or
     *         {@code ctLen < TAG_LENGTH}
     */
    public static int open(AeadKey key, long counter, MemorySegment ad, long adOff, int adLen,
                           MemorySegment src, long srcOff, int ctLen, MemorySegment dst, long dstOff) {
        if (ctLen < TAG_LENGTH) {
            return -1;
        }
        byte[] in = src.asSlice(srcOff, ctLen).toArray(ValueLayout.JAVA_BYTE);
        byte[] out;
        try {
            out = run(Cipher.DECRYPT_MODE, key, counter, ad, adOff, adLen, in);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof AEADBadTagException) {
                return -1;
            }
            throw e;
        }
        MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, dstOff, out.length);
        return out.length;
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

    private static byte[] run(int mode, AeadKey key, long counter, MemorySegment ad, long adOff, int adLen,
                              byte[] in) {
        byte[] nonce = new byte[NONCE_LENGTH];
        for (int i = 0; i < 8; i++) {
            nonce[i] = (byte) (counter >>> (8 * i));
        }
        try {
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(mode, new SecretKeySpec(key.toBytes(), "ChaCha20"), new IvParameterSpec(nonce));
            if (adLen > 0) {
                c.updateAAD(ad.asSlice(adOff, adLen).toArray(ValueLayout.JAVA_BYTE));
            }
            return c.doFinal(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
