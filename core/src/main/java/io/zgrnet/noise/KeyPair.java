package io.zgrnet.noise;

import io.zgrnet.crypto.X25519;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * An X25519 key pair with the private key clamped, as zgrnet stores it. Immutable; the private key
 * never leaves this package.
 */
public final class KeyPair {
    private final byte[] privateKey;
    private final byte[] publicKey;

    private KeyPair(byte[] clampedPrivate) {
        this.privateKey = clampedPrivate;
        this.publicKey = X25519.publicKey(clampedPrivate);
    }

    /** The pair for a 32-byte private key (clamped here; the argument is not modified). */
    public static KeyPair fromPrivate(byte[] privateKey) {
        return new KeyPair(X25519.clamp(privateKey));
    }

    /** A fresh random pair. */
    public static KeyPair generate(SecureRandom random) {
        return new KeyPair(X25519.generatePrivateKey(random));
    }

    /** A copy of the public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The clamped private key itself (not a copy): handshake code only, never modified. */
    byte[] privateKeyRef() {
        return privateKey;
    }

    /** The public key itself (not a copy): handshake code only, never modified. */
    byte[] publicKeyRef() {
        return publicKey;
    }

    /** Prints the public key only. */
    @Override
    public String toString() {
        return "KeyPair[public=" + java.util.HexFormat.of().formatHex(publicKey) + "]";
    }

    /** Equal when the private keys are equal (compared in constant time). */
    @Override
    public boolean equals(Object o) {
        return o instanceof KeyPair other && java.security.MessageDigest.isEqual(privateKey, other.privateKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }
}
