package io.zgrnet.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * X25519 (RFC 7748) on raw 32-byte keys, backed by the JDK's XDH provider.
 *
 * <p>zgrnet clamps private keys before use and treats an all-zero shared secret as an error.
 */
public final class X25519 {
    /** Length of private keys, public keys and shared secrets, in bytes. */
    public static final int KEY_LENGTH = 32;

    private static final byte[] BASE_POINT = new byte[KEY_LENGTH];

    static {
        BASE_POINT[0] = 9;
    }

    private X25519() {
    }

    /** Returns a fresh clamped private key from {@code random}. */
    public static byte[] generatePrivateKey(SecureRandom random) {
        byte[] k = new byte[KEY_LENGTH];
        random.nextBytes(k);
        return clamp(k);
    }

    /** Returns a clamped copy: k[0] &amp;= 248; k[31] &amp;= 127; k[31] |= 64. */
    public static byte[] clamp(byte[] privateKey) {
        requireKey(privateKey, "privateKey");
        byte[] k = privateKey.clone();
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
        return k;
    }

    /** Returns X25519(clamp(privateKey), 9). */
    public static byte[] publicKey(byte[] privateKey) {
        try {
            return dh(privateKey, BASE_POINT);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("privateKey: " + e.getMessage(), e);
        }
    }

    /**
     * Returns X25519(clamp(privateKey), publicKey).
     *
     * @throws InvalidKeyException if the result is all zero (a low-order public key)
     */
    public static byte[] dh(byte[] privateKey, byte[] publicKey) throws InvalidKeyException {
        requireKey(privateKey, "privateKey");
        requireKey(publicKey, "publicKey");
        byte[] secret;
        try {
            KeyFactory factory = KeyFactory.getInstance("XDH");
            PrivateKey priv = factory.generatePrivate(
                    new XECPrivateKeySpec(NamedParameterSpec.X25519, clamp(privateKey)));
            PublicKey pub = factory.generatePublic(
                    new XECPublicKeySpec(NamedParameterSpec.X25519, decodeU(publicKey)));
            KeyAgreement agreement = KeyAgreement.getInstance("XDH");
            agreement.init(priv);
            agreement.doPhase(pub, true);
            secret = agreement.generateSecret();
        } catch (InvalidKeyException e) {
            // The JDK refuses small-order points itself ("Point has small order").
            throw new InvalidKeyException("X25519 produced an all-zero shared secret", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's XDH provider is unavailable", e);
        }
        int acc = 0;
        for (byte b : secret) {
            acc |= b;
        }
        if (acc == 0) {
            throw new InvalidKeyException("X25519 produced an all-zero shared secret");
        }
        return secret;
    }

    /** Decodes a little-endian u-coordinate, masking the top bit as RFC 7748 requires. */
    private static BigInteger decodeU(byte[] u) {
        byte[] be = new byte[KEY_LENGTH];
        for (int i = 0; i < KEY_LENGTH; i++) {
            be[i] = u[KEY_LENGTH - 1 - i];
        }
        be[0] &= 127;
        return new BigInteger(1, be);
    }

    private static void requireKey(byte[] key, String name) {
        if (key == null || key.length != KEY_LENGTH) {
            throw new IllegalArgumentException(
                    name + " must be " + KEY_LENGTH + " bytes, got " + (key == null ? "null" : key.length));
        }
    }
}
