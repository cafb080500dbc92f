package io.zgrnet.noise;

import io.zgrnet.crypto.AeadKey;
import io.zgrnet.crypto.Blake2s;
import io.zgrnet.crypto.ChaChaPoly;
import io.zgrnet.crypto.Hkdf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The (ck, h) pair of a handshake in progress: a local working copy, never shared. Every operation
 * replaces the arrays instead of writing into them, so a snapshot held elsewhere (a pending
 * handshake's committed state) is never modified: a failed read just drops its working copy.
 */
final class SymmetricState {
    /** zgrnet's protocol name; 33 bytes, so it is hashed rather than padded. */
    static final String PROTOCOL_NAME = "Noise_IK_25519_ChaChaPoly_BLAKE2s";
    private static final byte[] INITIAL = Blake2s.hash(PROTOCOL_NAME.getBytes(StandardCharsets.US_ASCII));
    static final byte[] EMPTY = new byte[0];
    /** Handshake keys are used exactly once, always with the all-zero nonce. */
    private static final long HANDSHAKE_NONCE = 0;

    private byte[] ck;
    private byte[] h;
    private final HandshakeTrace trace;

    SymmetricState(byte[] chainingKey, byte[] hash, HandshakeTrace trace) {
        this.ck = chainingKey;
        this.h = hash;
        this.trace = trace;
    }

    /**
     * ck = h = HASH(protocol name), then the pre-messages both sides share: MixHash(empty prologue),
     * MixHash(responder's static public key).
     */
    static SymmetricState start(byte[] responderStatic, HandshakeTrace trace) {
        SymmetricState s = new SymmetricState(INITIAL, INITIAL, trace);
        trace.step("init", s.ck, s.h, null, null);
        s.mixHash("mixhash_prologue", EMPTY);
        s.mixHash("mixhash_responder_static", responderStatic);
        return s;
    }

    byte[] chainingKey() {
        return ck;
    }

    byte[] hash() {
        return h;
    }

    /** h = HASH(h || data). */
    void mixHash(String step, byte[] data) {
        h = Blake2s.hash(h, data);
        trace.step(step, ck, h, data, null);
    }

    /** (ck, k) = HKDF(ck, ikm, 2); returns k. */
    byte[] mixKey(String step, byte[] ikm) {
        byte[][] out = Hkdf.derive(ck, ikm, 2);
        ck = out[0];
        trace.step(step, ck, h, ikm, out[1]);
        return out[1];
    }

    /** MixKey whose key zgrnet throws away (the DH steps); the key is wiped here. */
    void mixKeyDiscard(String step, byte[] ikm) {
        Arrays.fill(mixKey(step, ikm), (byte) 0);
        Arrays.fill(ikm, (byte) 0);
    }

    /** c = ENC(k, h, plaintext); MixHash(c); returns c. */
    byte[] encryptAndHash(String step, byte[] key, byte[] plaintext) {
        AeadKey k = AeadKey.of(key);
        byte[] c = ChaChaPoly.seal(k, HANDSHAKE_NONCE, h, plaintext);
        k.destroy();
        Arrays.fill(key, (byte) 0);
        h = Blake2s.hash(h, c);
        trace.step(step, ck, h, plaintext, c);
        return c;
    }

    /** p = DEC(k, h, c); on success MixHash(c) and return p; on failure null and h unchanged. */
    byte[] decryptAndHash(String step, byte[] key, byte[] ciphertext) {
        AeadKey k = AeadKey.of(key);
        byte[] p = ChaChaPoly.open(k, HANDSHAKE_NONCE, h, ciphertext);
        k.destroy();
        Arrays.fill(key, (byte) 0);
        if (p == null) {
            return null;
        }
        h = Blake2s.hash(h, ciphertext);
        trace.step(step, ck, h, ciphertext, p);
        return p;
    }

    /** (k1, k2) = HKDF(ck, empty, 2): k1 carries initiator-to-responder traffic, k2 the reverse. */
    byte[][] split() {
        return Hkdf.derive(ck, EMPTY, 2);
    }
}
