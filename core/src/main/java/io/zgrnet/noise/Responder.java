package io.zgrnet.noise;

import io.zgrnet.crypto.X25519;
import io.zgrnet.wire.HandshakeInit;
import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;
import java.security.InvalidKeyException;

/**
 * The responder side for one local static key: reads message 1 from any initiator. Immutable and
 * thread-safe; one instance serves every incoming handshake.
 *
 * <p>{@link #readInit} authenticates the initiator's static key (it decrypts under ss) but decides
 * nothing: the caller checks that key against its peer policy, then calls {@link
 * ReceivedInit#respond}. Note that message 1 carries no timestamp, so a replayed message 1 reads
 * successfully; protecting a live session from it is the peer layer's job (protocol.md).
 */
public final class Responder {
    private final KeyPair localStatic;

    /** A responder for {@code localStatic}. */
    public Responder(KeyPair localStatic) {
        this.localStatic = localStatic;
    }

    /** A copy of our static public key. */
    public byte[] publicKey() {
        return localStatic.publicKey();
    }

    /**
     * Reads message 1. Returns the authenticated initiation, or a {@link HandshakeFailure}
     * ({@code TOO_SHORT}, {@code WRONG_TYPE}, {@code INVALID_KEY}, {@code DECRYPT_FAILED}).
     * Nothing is stored either way.
     */
    public InitOutcome readInit(MemorySegment src, long offset, int length) {
        return readInit(src, offset, length, HandshakeTrace.NONE);
    }

    InitOutcome readInit(MemorySegment src, long offset, int length, HandshakeTrace trace) {
        HandshakeInit msg = new HandshakeInit();
        int r = msg.wrap(src, offset, length);
        if (r != WireResult.OK) {
            return r == WireResult.TOO_SHORT ? HandshakeFailure.TOO_SHORT : HandshakeFailure.WRONG_TYPE;
        }
        byte[] initiatorEphemeral = new byte[HandshakeInit.KEY_LENGTH];
        byte[] encryptedStatic = new byte[HandshakeInit.ENCRYPTED_STATIC_LENGTH];
        msg.ephemeral(initiatorEphemeral);
        msg.encryptedStatic(encryptedStatic);
        int initiatorIndex = msg.senderIndex();

        SymmetricState s = SymmetricState.start(localStatic.publicKeyRef(), trace);
        s.mixHash("e", initiatorEphemeral);
        byte[] initiatorStatic;
        try {
            s.mixKeyDiscard("mixkey_es", X25519.dh(localStatic.privateKeyRef(), initiatorEphemeral));
            byte[] k = s.mixKey("mixkey_empty_before_s", SymmetricState.EMPTY);
            initiatorStatic = s.decryptAndHash("decrypt_and_hash_s", k, encryptedStatic);
            if (initiatorStatic == null) {
                return HandshakeFailure.DECRYPT_FAILED;
            }
            s.mixKeyDiscard("mixkey_ss", X25519.dh(localStatic.privateKeyRef(), initiatorStatic));
        } catch (InvalidKeyException e) {
            return HandshakeFailure.INVALID_KEY;
        }
        return new ReceivedInit(initiatorIndex, initiatorEphemeral, initiatorStatic, s, trace);
    }
}
