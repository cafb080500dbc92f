package io.zgrnet;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A peer's 32-byte X25519 public key: the identity of a zgrnet peer. Immutable; equal keys are
 * equal objects, so it serves as a map key. The transport hands out the same instance for a peer
 * every time, so receiving never allocates one.
 */
public final class PeerKey {
    /** Key length in bytes. */
    public static final int LENGTH = 32;

    private final byte[] bytes;
    private final int hash;

    private PeerKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** Wraps a copy of a 32-byte public key. */
    public static PeerKey of(byte[] publicKey) {
        if (publicKey == null || publicKey.length != LENGTH) {
            throw new IllegalArgumentException("publicKey must be " + LENGTH + " bytes, got "
                    + (publicKey == null ? "null" : publicKey.length));
        }
        return new PeerKey(publicKey.clone());
    }

    /** Parses 64 hex characters. */
    public static PeerKey fromHex(String hex) {
        if (hex == null || hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("publicKey must be 64 hex characters, got "
                    + (hex == null ? "null" : hex.length()));
        }
        try {
            return new PeerKey(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("publicKey is not hex: " + e.getMessage(), e);
        }
    }

    /** A copy of the key bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** True if this key equals the 32 bytes at {@code other[off]}; no allocation. */
    public boolean matches(byte[] other, int off) {
        return Arrays.equals(bytes, 0, LENGTH, other, off, off + LENGTH);
    }

    /** Lower-case hex. */
    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The first 8 hex characters, as logs show keys. */
    @Override
    public String toString() {
        return toHex().substring(0, 8) + "…";
    }
}
