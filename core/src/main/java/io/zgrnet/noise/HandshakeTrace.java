package io.zgrnet.noise;

/**
 * Test hook: sees the chaining key and handshake hash after every symmetric step, named as in the
 * oracle's traces ({@code init}, {@code mixhash_prologue}, {@code e}, {@code mixkey_es}, ...),
 * with the step's input (hashed data, DH result, plaintext or ciphertext) and output (derived key,
 * ciphertext or plaintext), either of which may be null. The arrays are live values that the
 * handshake wipes afterwards; implementations copy what they keep.
 */
@FunctionalInterface
interface HandshakeTrace {
    /** Records nothing. */
    HandshakeTrace NONE = (step, ck, h, in, out) -> { };

    void step(String step, byte[] chainingKey, byte[] hash, byte[] input, byte[] output);
}
