package io.zgrnet.crypto;

import java.util.Arrays;

/**
 * zgrnet's HKDF (the Noise form): sec = HMAC(ck, ikm); o1 = HMAC(sec, 0x01);
 * o_i = HMAC(sec, o_{i-1} || i).
 */
public final class Hkdf {
    private Hkdf() {
    }

    /** Returns {@code n} (1..3) outputs of 32 bytes each. */
    public static byte[][] derive(byte[] chainingKey, byte[] inputKeyMaterial, int n) {
        if (n < 1 || n > 3) {
            throw new IllegalArgumentException("n must be 1..3, got " + n);
        }
        byte[] secret = HmacBlake2s.mac(chainingKey, inputKeyMaterial);
        byte[][] out = new byte[n][];
        byte[] previous = new byte[0];
        for (int i = 0; i < n; i++) {
            out[i] = HmacBlake2s.mac(secret, previous, new byte[] {(byte) (i + 1)});
            previous = out[i];
        }
        Arrays.fill(secret, (byte) 0);
        return out;
    }
}
