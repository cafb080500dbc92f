package io.zgrnet.noise;

import io.zgrnet.crypto.X25519;
import io.zgrnet.wire.HandshakeInit;
import io.zgrnet.wire.HandshakeResponse;
import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One pending handshake on the initiator side: message 1 is built by {@link #start}, and the first
 * authentic response turns it into {@link SessionKeys}. Make a new one (new ephemeral key) for each
 * attempt.
 *
 * <p>Immutable except a one-shot flag: {@link #readResponse} works on a local copy of (ck, h) and
 * commits nothing but that flag, so a forged or corrupted response leaves the handshake waiting for
 * the genuine one, and any thread may call it (exactly one success is ever returned).
 */
public final class Initiator {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair localStatic;
    private final byte[] remoteStatic;
    private final int localIndex;
    private final KeyPair ephemeral;
    /** (ck, h) after message 1: never modified (see {@link SymmetricState}). */
    private final byte[] chainingKey;
    private final byte[] hash;
    private final byte[] message;
    private final HandshakeTrace trace;
    private final AtomicBoolean used = new AtomicBoolean();

    private Initiator(KeyPair localStatic, byte[] remoteStatic, int localIndex, KeyPair ephemeral,
                      SymmetricState state, byte[] message, HandshakeTrace trace) {
        this.localStatic = localStatic;
        this.remoteStatic = remoteStatic;
        this.localIndex = localIndex;
        this.ephemeral = ephemeral;
        this.chainingKey = state.chainingKey();
        this.hash = state.hash();
        this.message = message;
        this.trace = trace;
    }

    /**
     * Starts a handshake with a fresh ephemeral key from a shared {@link SecureRandom}.
     *
     * @see #start(KeyPair, byte[], int, SecureRandom)
     */
    public static Initiator start(KeyPair localStatic, byte[] remoteStatic, int localIndex) throws InvalidKeyException {
        return start(localStatic, remoteStatic, localIndex, RANDOM);
    }

    /**
     * Starts a handshake: computes message 1 (85 bytes) for the responder whose static public key
     * is {@code remoteStatic}.
     *
     * @param localIndex our index for this session, chosen at random by the caller (unsigned 32 bits)
     * @throws InvalidKeyException if {@code remoteStatic} is a low-order point (an all-zero DH result);
     *         a configuration error, since the initiator chose that key
     */
    public static Initiator start(KeyPair localStatic, byte[] remoteStatic, int localIndex, SecureRandom random)
            throws InvalidKeyException {
        return start(localStatic, remoteStatic, localIndex, KeyPair.generate(random), HandshakeTrace.NONE);
    }

    /** Deterministic form for vectors and tests: the ephemeral key is given. */
    static Initiator start(KeyPair localStatic, byte[] remoteStatic, int localIndex, KeyPair ephemeral,
                           HandshakeTrace trace) throws InvalidKeyException {
        if (remoteStatic == null || remoteStatic.length != X25519.KEY_LENGTH) {
            throw new IllegalArgumentException("remoteStatic must be " + X25519.KEY_LENGTH + " bytes");
        }
        byte[] rs = remoteStatic.clone();
        SymmetricState s = SymmetricState.start(rs, trace);
        s.mixHash("e", ephemeral.publicKeyRef());
        s.mixKeyDiscard("mixkey_es", X25519.dh(ephemeral.privateKeyRef(), rs));
        byte[] k = s.mixKey("mixkey_empty_before_s", SymmetricState.EMPTY);
        byte[] encryptedStatic = s.encryptAndHash("encrypt_and_hash_s", k, localStatic.publicKeyRef());
        s.mixKeyDiscard("mixkey_ss", X25519.dh(localStatic.privateKeyRef(), rs));
        // zgrnet sends no payload in message 1, and an empty non-final payload adds nothing at all.
        byte[] message = new byte[HandshakeInit.LENGTH];
        HandshakeInit.write(MemorySegment.ofArray(message), 0, localIndex, ephemeral.publicKeyRef(), encryptedStatic);
        return new Initiator(localStatic, rs, localIndex, ephemeral, s, message, trace);
    }

    /** Our index for this session: responses carry it as their receiver index. */
    public int localIndex() {
        return localIndex;
    }

    /** A copy of the responder's static public key. */
    public byte[] remoteStatic() {
        return remoteStatic.clone();
    }

    /** Writes message 1 ({@link HandshakeInit#LENGTH} bytes) at {@code dst[offset]}; returns its length. */
    public int writeInit(MemorySegment dst, long offset) {
        MemorySegment.copy(MemorySegment.ofArray(message), 0, dst, offset, message.length);
        return message.length;
    }

    /** A copy of message 1. */
    public byte[] initMessage() {
        return message.clone();
    }

    /** True once a response has been accepted. */
    public boolean isUsed() {
        return used.get();
    }

    /** (ck, h) after message 1, for tests: the committed state a failed read must not change. */
    byte[] chainingKey() {
        return chainingKey.clone();
    }

    byte[] hash() {
        return hash.clone();
    }

    /**
     * Reads message 2 and, if it is authentic and answers this handshake, returns the session keys.
     * Anything else returns a {@link HandshakeFailure} and leaves this handshake as it was.
     */
    public SessionOutcome readResponse(MemorySegment src, long offset, int length) {
        HandshakeResponse msg = new HandshakeResponse();
        int r = msg.wrap(src, offset, length);
        if (r != WireResult.OK) {
            return r == WireResult.TOO_SHORT ? HandshakeFailure.TOO_SHORT : HandshakeFailure.WRONG_TYPE;
        }
        if (msg.receiverIndex() != localIndex) {
            return HandshakeFailure.WRONG_INDEX;
        }
        if (used.get()) {
            return HandshakeFailure.ALREADY_USED;
        }
        byte[] responderEphemeral = new byte[HandshakeResponse.KEY_LENGTH];
        byte[] tag = new byte[HandshakeResponse.LENGTH - HandshakeResponse.TAG_OFFSET];
        msg.ephemeral(responderEphemeral);
        msg.tag(tag);
        int remoteIndex = msg.senderIndex();

        SymmetricState s = new SymmetricState(chainingKey, hash, trace);
        s.mixHash("e", responderEphemeral);
        try {
            s.mixKeyDiscard("mixkey_ee", X25519.dh(ephemeral.privateKeyRef(), responderEphemeral));
            s.mixKeyDiscard("mixkey_se", X25519.dh(localStatic.privateKeyRef(), responderEphemeral));
        } catch (InvalidKeyException e) {
            return HandshakeFailure.INVALID_KEY;
        }
        byte[] k = s.mixKey("mixkey_empty_before_payload", SymmetricState.EMPTY);
        if (s.decryptAndHash("decrypt_and_hash_payload", k, tag) == null) {
            return HandshakeFailure.DECRYPT_FAILED;
        }
        byte[][] split = s.split();
        // Commit: only now, and only once.
        if (!used.compareAndSet(false, true)) {
            return HandshakeFailure.ALREADY_USED;
        }
        return new SessionKeys(split[0], split[1], localIndex, remoteIndex, remoteStatic, s.hash(), true);
    }
}
