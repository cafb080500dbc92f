package io.zgrnet.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The reference AEAD for tests: the JDK's ChaCha20-Poly1305 cipher (what {@link ChaChaPoly} was
 * before it got its own implementation). Allocates freely; never use it on a hot path.
 */
final class JdkChaChaPoly {
    private JdkChaChaPoly() {
    }

    /** zgrnet's nonce for a transport counter: LE64(counter) || 00000000. */
    static byte[] nonce(long counter) {
        byte[] nonce = new byte[ChaChaPoly.NONCE_LENGTH];
        for (int i = 0; i < 8; i++) {
            nonce[i] = (byte) (counter >>> (8 * i));
        }
        return nonce;
    }

    /** Returns ciphertext || tag. */
    static byte[] seal(byte[] key, byte[] nonce, byte[] ad, byte[] plaintext) {
        try {
            return cipher(Cipher.ENCRYPT_MODE, key, nonce, ad).doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Returns the plaintext, or null if the tag does not verify. */
    static byte[] open(byte[] key, byte[] nonce, byte[] ad, byte[] ciphertext) {
        try {
            return cipher(Cipher.DECRYPT_MODE, key, nonce, ad).doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Cipher cipher(int mode, byte[] key, byte[] nonce, byte[] ad) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        c.init(mode, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        if (ad.length > 0) {
            c.updateAAD(ad);
        }
        return c;
    }
}
