package io.zgrnet.crypto;

import java.util.Arrays;

/** HMAC (RFC 2104) over BLAKE2s-256 with a 64-byte block, as zgrnet's HMAC. Handshake use only. */
public final class HmacBlake2s {
    private HmacBlake2s() {
    }

    /** HMAC-BLAKE2s(key, data[0] || data[1] || ...). Keys longer than 64 bytes are hashed first. */
    public static byte[] mac(byte[] key, byte[]... data) {
        byte[] k = key.length > Blake2s.BLOCK_LENGTH ? Blake2s.hash(key) : key;
        byte[] pad = new byte[Blake2s.BLOCK_LENGTH];
        System.arraycopy(k, 0, pad, 0, k.length);
        for (int i = 0; i < pad.length; i++) {
            pad[i] ^= 0x36;
        }
        Blake2s inner = new Blake2s();
        inner.update(pad);
        for (byte[] d : data) {
            inner.update(d);
        }
        byte[] innerHash = inner.digest();
        for (int i = 0; i < pad.length; i++) {
            pad[i] ^= 0x36 ^ 0x5c;
        }
        byte[] out = new Blake2s().update(pad).update(innerHash).digest();
        Arrays.fill(pad, (byte) 0);
        Arrays.fill(innerHash, (byte) 0);
        return out;
    }
}
