package io.zgrnet.noise;

import io.zgrnet.crypto.X25519;
import io.zgrnet.wire.HandshakeResponse;
import java.lang.foreign.MemorySegment;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An authenticated message 1, held by the responder until it answers. Immutable except a one-shot
 * flag: {@link #respond} succeeds at most once, and writes message 2 only when it succeeds.
 */
public final class ReceivedInit implements InitOutcome {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int initiatorIndex;
    private final byte[] initiatorEphemeral;
    private final byte[] initiatorStatic;
    /** (ck, h) after message 1: never modified (see {@link SymmetricState}). */
    private final byte[] chainingKey;
    private final byte[] hash;
    private final HandshakeTrace trace;
    private final AtomicBoolean used = new AtomicBoolean();

    ReceivedInit(int initiatorIndex, byte[] initiatorEphemeral, byte[] initiatorStatic, SymmetricState state,
                 HandshakeTrace trace) {
        this.initiatorIndex = initiatorIndex;
        this.initiatorEphemeral = initiatorEphemeral;
        this.initiatorStatic = initiatorStatic;
        this.chainingKey = state.chainingKey();
        this.hash = state.hash();
        this.trace = trace;
    }

    /** The initiator's index (unsigned 32 bits): our response and transport datagrams carry it. */
    public int initiatorIndex() {
        return initiatorIndex;
    }

    /** A copy of the initiator's static public key, authenticated by message 1. */
    public byte[] initiatorStatic() {
        return initiatorStatic.clone();
    }

    /** True once {@link #respond} has succeeded. */
    public boolean isUsed() {
        return used.get();
    }

    byte[] chainingKey() {
        return chainingKey.clone();
    }

    byte[] hash() {
        return hash.clone();
    }

    /** {@link #respond(int, SecureRandom, MemorySegment, long)} with a shared {@link SecureRandom}. */
    public SessionOutcome respond(int localIndex, MemorySegment dst, long offset) {
        return respond(localIndex, RANDOM, dst, offset);
    }

    /**
     * Builds message 2 ({@link HandshakeResponse#LENGTH} bytes at {@code dst[offset]}) with a fresh
     * ephemeral key and returns the responder's session keys. Returns {@link
     * HandshakeFailure#ALREADY_USED} on a second call and {@link HandshakeFailure#INVALID_KEY} if a
     * DH result is all zero; {@code dst} is written only on success.
     *
     * @param localIndex our index for this session, chosen at random by the caller (unsigned 32 bits)
     */
    public SessionOutcome respond(int localIndex, SecureRandom random, MemorySegment dst, long offset) {
        return respond(localIndex, KeyPair.generate(random), dst, offset);
    }

    /** Deterministic form for vectors and tests: the ephemeral key is given. */
    SessionOutcome respond(int localIndex, KeyPair ephemeral, MemorySegment dst, long offset) {
        if (offset < 0 || dst.byteSize() - offset < HandshakeResponse.LENGTH) {
            throw new IndexOutOfBoundsException("message 2 needs " + HandshakeResponse.LENGTH + " bytes at offset "
                    + offset + " of a " + dst.byteSize() + "-byte segment");
        }
        if (used.get()) {
            return HandshakeFailure.ALREADY_USED;
        }
        SymmetricState s = new SymmetricState(chainingKey, hash, trace);
        s.mixHash("e", ephemeral.publicKeyRef());
        try {
            s.mixKeyDiscard("mixkey_ee", X25519.dh(ephemeral.privateKeyRef(), initiatorEphemeral));
            s.mixKeyDiscard("mixkey_se", X25519.dh(ephemeral.privateKeyRef(), initiatorStatic));
        } catch (InvalidKeyException e) {
            return HandshakeFailure.INVALID_KEY;
        }
        byte[] k = s.mixKey("mixkey_empty_before_payload", SymmetricState.EMPTY);
        // The final message always carries a tag, even over an empty payload.
        byte[] tag = s.encryptAndHash("encrypt_and_hash_payload", k, SymmetricState.EMPTY);
        byte[][] split = s.split();
        if (!used.compareAndSet(false, true)) {
            return HandshakeFailure.ALREADY_USED;
        }
        HandshakeResponse.write(dst, offset, localIndex, initiatorIndex, ephemeral.publicKeyRef(), tag);
        return new SessionKeys(split[1], split[0], localIndex, initiatorIndex, initiatorStatic, s.hash(), false);
    }
}
