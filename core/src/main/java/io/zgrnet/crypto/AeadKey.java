package io.zgrnet.crypto;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A ChaCha20-Poly1305 key, expanded once into the eight little-endian words ChaCha20 uses, and,
 * when the native engine is in use, also copied once into native memory for it.
 * Immutable after construction (until {@link #destroy()}), so sessions share it across threads.
 */
public final class AeadKey {
    final int[] words = new int[8];
    private final byte[] bytes;
    /** The key bytes for libsodium (freed with this object), or null without the native engine. */
    final MemorySegment nativeBytes;

    private AeadKey(byte[] key) {
        this.bytes = key.clone();
        if (NativeAead.ENABLED) {
            nativeBytes = Arena.ofAuto().allocate(ChaChaPoly.KEY_LENGTH, 16);
            MemorySegment.copy(key, 0, nativeBytes, ValueLayout.JAVA_BYTE, 0, ChaChaPoly.KEY_LENGTH);
        } else {
            nativeBytes = null;
        }
        for (int i = 0; i < 8; i++) {
            words[i] = (key[4 * i] & 0xFF) | (key[4 * i + 1] & 0xFF) << 8 | (key[4 * i + 2] & 0xFF) << 16
                    | (key[4 * i + 3] & 0xFF) << 24;
        }
    }

    /** Wraps a 32-byte key (copied). */
    public static AeadKey of(byte[] key) {
        if (key == null || key.length != ChaChaPoly.KEY_LENGTH) {
            throw new IllegalArgumentException("key must be " + ChaChaPoly.KEY_LENGTH + " bytes, got "
                    + (key == null ? "null" : key.length));
        }
        return new AeadKey(key);
    }

    /** Returns a copy of the raw key bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Overwrites the key material with zeros; the key must not be used afterwards. */
    public void destroy() {
        java.util.Arrays.fill(words, 0);
        java.util.Arrays.fill(bytes, (byte) 0);
        if (nativeBytes != null) {
            nativeBytes.fill((byte) 0);
        }
    }
}
