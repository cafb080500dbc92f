package io.zgrnet.noise;

/**
 * Why a handshake message was refused. Returned, not thrown: handshake messages come from the
 * network and a refusal is counted, never an error of this process. A refusal changes no state.
 */
public enum HandshakeFailure implements InitOutcome, SessionOutcome {
    /** Shorter than the message type requires. */
    TOO_SHORT,
    /** The type byte is not the expected message type. */
    WRONG_TYPE,
    /** A response whose receiver index is not this pending handshake's index. */
    WRONG_INDEX,
    /** A Diffie-Hellman result was all zero: the peer sent a low-order public key. */
    INVALID_KEY,
    /** An AEAD tag did not verify: wrong keys, a forged or corrupted message. */
    DECRYPT_FAILED,
    /** This handshake state already produced its result; a second message (a replay) is refused. */
    ALREADY_USED
}
