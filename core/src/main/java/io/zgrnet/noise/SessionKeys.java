package io.zgrnet.noise;

import io.zgrnet.crypto.AeadKey;
import io.zgrnet.crypto.ChaChaPoly;
import io.zgrnet.crypto.X25519;

/**
 * What a finished handshake yields: the two transport keys, both indices and the peer's static
 * public key. Immutable and safe to share among threads (all fields final, keys expanded once);
 * counters and the replay window live in {@code io.zgrnet.peer.Session}, not here.
 *
 * <p>The initiator sends with k1 and receives with k2 of the split; the responder the reverse.
 */
public final class SessionKeys implements SessionOutcome {
    private final AeadKey sendKey;
    private final AeadKey receiveKey;
    private final int localIndex;
    private final int remoteIndex;
    private final byte[] remoteStatic;
    private final byte[] handshakeHash;
    private final boolean initiator;

    SessionKeys(byte[] sendKey, byte[] receiveKey, int localIndex, int remoteIndex, byte[] remoteStatic,
                byte[] handshakeHash, boolean initiator) {
        this.sendKey = AeadKey.of(sendKey);
        this.receiveKey = AeadKey.of(receiveKey);
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.remoteStatic = remoteStatic.clone();
        this.handshakeHash = handshakeHash.clone();
        this.initiator = initiator;
    }

    /**
     * Keys from elsewhere (tests, tools, a fake transport). A real session comes from {@link
     * Initiator#readResponse} or {@link ReceivedInit#respond}. The arrays are copied.
     *
     * @param initiator which side of the handshake these keys belong to (informational)
     */
    public static SessionKeys of(byte[] sendKey, byte[] receiveKey, int localIndex, int remoteIndex,
                                 byte[] remoteStatic, boolean initiator) {
        requireLength(sendKey, ChaChaPoly.KEY_LENGTH, "sendKey");
        requireLength(receiveKey, ChaChaPoly.KEY_LENGTH, "receiveKey");
        requireLength(remoteStatic, X25519.KEY_LENGTH, "remoteStatic");
        return new SessionKeys(sendKey, receiveKey, localIndex, remoteIndex, remoteStatic, new byte[0], initiator);
    }

    /** Key for datagrams this side sends. */
    public AeadKey sendKey() {
        return sendKey;
    }

    /** Key for datagrams this side receives. */
    public AeadKey receiveKey() {
        return receiveKey;
    }

    /** Our index: the receiver index the peer puts on datagrams to us (unsigned 32 bits). */
    public int localIndex() {
        return localIndex;
    }

    /** The peer's index: the receiver index we put on datagrams to it (unsigned 32 bits). */
    public int remoteIndex() {
        return remoteIndex;
    }

    /** A copy of the peer's static public key, authenticated by the handshake. */
    public byte[] remoteStatic() {
        return remoteStatic.clone();
    }

    /**
     * A copy of the final handshake hash h (identical on both sides; usable for channel binding).
     * Empty for keys made with {@link #of}.
     */
    public byte[] handshakeHash() {
        return handshakeHash.clone();
    }

    /** True if this side sent message 1. */
    public boolean isInitiator() {
        return initiator;
    }

    /** Shows indices and role, never key material. */
    @Override
    public String toString() {
        return "SessionKeys[local=" + Integer.toUnsignedString(localIndex) + ", remote="
                + Integer.toUnsignedString(remoteIndex) + ", " + (initiator ? "initiator" : "responder") + "]";
    }

    private static void requireLength(byte[] a, int n, String name) {
        if (a == null || a.length != n) {
            throw new IllegalArgumentException(name + " must be " + n + " bytes, got " + (a == null ? "null" : a.length));
        }
    }
}
