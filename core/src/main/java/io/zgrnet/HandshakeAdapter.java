package io.zgrnet;

import io.zgrnet.noise.Initiator;
import io.zgrnet.noise.KeyPair;
import io.zgrnet.noise.ReceivedInit;
import io.zgrnet.noise.Responder;
import io.zgrnet.noise.SessionKeys;
import io.zgrnet.wire.HandshakeResponse;
import java.lang.foreign.MemorySegment;
import java.security.InvalidKeyException;
import java.security.SecureRandom;

/**
 * The transport's view of the zgrnet handshake (package {@code noise}): the three steps the
 * control agent takes, each returning null when a message fails to authenticate. Verify-then-commit
 * lives in {@code noise}: a failed step changes nothing.
 */
final class HandshakeAdapter {
    private final KeyPair local;
    private final Responder responder;
    private final PeerKey publicKey;
    private final SecureRandom random = new SecureRandom();

    /** A handshake we started: the message to (re)send and the state to finish it. */
    record Initiation(Initiator initiator, byte[] wire, int localIndex) {
    }

    /** An authenticated init from a peer, with what the control agent decides on. */
    record ReceivedInitiation(ReceivedInit init, byte[] remotePublicKey, byte[] remoteEphemeral) {
    }

    /** Our response and the session keys it yields. */
    record Response(byte[] wire, SessionKeys keys) {
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

    /** Finishes our handshake with message 2; null if it does not authenticate. */
    SessionKeys finish(Initiation pending, MemorySegment src, long off, int len) {
        return pending.initiator().readResponse(src, off, len) instanceof SessionKeys keys ? keys : null;
    }

    /** Reads message 1; null if it does not authenticate. */
    ReceivedInitiation readInit(MemorySegment src, long off, int len) {
        if (responder.readInit(src, off, len) instanceof ReceivedInit init) {
            byte[] ephemeral = new byte[32];
            MemorySegment.copy(src, java.lang.foreign.ValueLayout.JAVA_BYTE, off + 5, ephemeral, 0, 32);
            return new ReceivedInitiation(init, init.initiatorStatic(), ephemeral);
        }
        return null;
    }

    /** Message 2 for an authenticated init; null if it cannot be completed. */
    Response respond(ReceivedInitiation received, int localIndex) {
        byte[] wire = new byte[HandshakeResponse.LENGTH];
        if (received.init().respond(localIndex, random, MemorySegment.ofArray(wire), 0) instanceof SessionKeys keys) {
            return new Response(wire, keys);
        }
        return null;
    }
}
