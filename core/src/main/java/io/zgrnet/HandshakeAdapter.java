package io.zgrnet;

import io.zgrnet.noise.HandshakeFailure;
import io.zgrnet.noise.InitOutcome;
import io.zgrnet.noise.Initiator;
import io.zgrnet.noise.KeyPair;
import io.zgrnet.noise.ReceivedInit;
import io.zgrnet.noise.Responder;
import io.zgrnet.noise.SessionKeys;
import io.zgrnet.noise.SessionOutcome;
import io.zgrnet.wire.HandshakeInit;
import io.zgrnet.wire.HandshakeResponse;
import java.lang.foreign.MemorySegment;
import java.security.InvalidKeyException;
import java.security.SecureRandom;

/**
 * The transport's view of the zgrnet handshake (package {@code noise}): the steps the control
 * agent takes, each returning its result or the reason it was refused (counted per reason).
 * Verify-then-commit lives in {@code noise}: a failed step changes nothing.
 */
final class HandshakeAdapter {
    private final KeyPair local;
    private final Responder responder;
    private final PeerKey publicKey;
    private final SecureRandom random = new SecureRandom();

    /** A handshake we started: the message to (re)send and the state to finish it. */
    record Initiation(Initiator initiator, byte[] wire, int localIndex) {
    }

    /** What reading or answering an initiation gives: a result, or why it was refused. */
    sealed interface Result permits ReceivedInitiation, Response, Refused {
    }

    /** An authenticated init from a peer, with what the control agent decides on. */
    record ReceivedInitiation(ReceivedInit init, byte[] remotePublicKey, byte[] remoteEphemeral) implements Result {
    }

    /** Our response and the session keys it yields. */
    record Response(byte[] wire, SessionKeys keys) implements Result {
    }

    /** A handshake message refused, and why (counted per reason). */
    record Refused(HandshakeFailure reason) implements Result {
    }

    HandshakeAdapter(byte[] privateKey) {
        this.local = KeyPair.fromPrivate(privateKey);
        this.responder = new Responder(local);
        this.publicKey = PeerKey.of(local.publicKey());
    }

    PeerKey publicKey() {
        return publicKey;
    }

    /** Message 1 to {@code remotePublicKey}, or null if that key is unusable (low order). */
    Initiation initiate(byte[] remotePublicKey, int localIndex) {
        try {
            Initiator i = Initiator.start(local, remotePublicKey, localIndex, random);
            return new Initiation(i, i.initMessage(), localIndex);
        } catch (InvalidKeyException e) {
            return null;
        }
    }

    /** Finishes our handshake with message 2: the session keys, or why it was refused. */
    SessionOutcome finish(Initiation pending, MemorySegment src, long off, int len) {
        return pending.initiator().readResponse(src, off, len);
    }

    /** Reads message 1: a {@link ReceivedInitiation}, or {@link Refused} with the reason. */
    Result readInit(MemorySegment src, long off, int len) {
        InitOutcome outcome = responder.readInit(src, off, len);
        if (outcome instanceof ReceivedInit init) {
            byte[] ephemeral = new byte[HandshakeInit.KEY_LENGTH];
            MemorySegment.copy(src, java.lang.foreign.ValueLayout.JAVA_BYTE, off + HandshakeInit.EPHEMERAL_OFFSET,
                    ephemeral, 0, ephemeral.length);
            return new ReceivedInitiation(init, init.initiatorStatic(), ephemeral);
        }
        return new Refused((HandshakeFailure) outcome);
    }

    /** Message 2 for an authenticated init: a {@link Response}, or {@link Refused} with the reason. */
    Result respond(ReceivedInitiation received, int localIndex) {
        byte[] wire = new byte[HandshakeResponse.LENGTH];
        SessionOutcome outcome = received.init().respond(localIndex, random, MemorySegment.ofArray(wire), 0);
        if (outcome instanceof SessionKeys keys) {
            return new Response(wire, keys);
        }
        return new Refused((HandshakeFailure) outcome);
    }
}
