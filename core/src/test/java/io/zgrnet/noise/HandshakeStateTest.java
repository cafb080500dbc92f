package io.zgrnet.noise;

import static io.zgrnet.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.testing.SharedFiles;
import java.lang.foreign.MemorySegment;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Verify, then commit: every refused handshake message leaves the handshake exactly as it was, and
 * the genuine message that follows still completes it. Uses vectors.json (seed 1).
 */
class HandshakeStateTest {
    private static final VectorSet SET = VectorSet.of(SharedFiles.json("oracle/vectors.json"));
    /** A low-order point: X25519 with it gives an all-zero result. */
    private static final byte[] ZERO_POINT = new byte[32];

    private static byte[] flip(byte[] b, int index) {
        byte[] c = b.clone();
        c[index] ^= 0x01;
        return c;
    }

    private static byte[] with(byte[] b, int from, byte[] part) {
        byte[] c = b.clone();
        System.arraycopy(part, 0, c, from, part.length);
        return c;
    }

    private static Object read(Responder r, byte[] msg, int len) {
        return r.readInit(MemorySegment.ofArray(msg), 0, len);
    }

    private static Object read(Initiator i, byte[] msg, int len) {
        return i.readResponse(MemorySegment.ofArray(msg), 0, len);
    }

    @Test
    void refusedMessage1ThenGenuine() {
        Responder responder = new Responder(SET.responderStatic());
        byte[] init = SET.initWire();
        assertSame(HandshakeFailure.TOO_SHORT, read(responder, init, 84));
        assertSame(HandshakeFailure.TOO_SHORT, read(responder, new byte[0], 0));
        assertSame(HandshakeFailure.WRONG_TYPE, read(responder, with(init, 0, new byte[] {2}), 85));
        assertSame(HandshakeFailure.WRONG_TYPE, read(responder, with(init, 0, new byte[] {4}), 85));
        assertSame(HandshakeFailure.INVALID_KEY, read(responder, with(init, 5, ZERO_POINT), 85));
        assertSame(HandshakeFailure.DECRYPT_FAILED, read(responder, flip(init, 5), 85));   // ephemeral
        assertSame(HandshakeFailure.DECRYPT_FAILED, read(responder, flip(init, 40), 85));  // encrypted static
        assertSame(HandshakeFailure.DECRYPT_FAILED, read(responder, flip(init, 84), 85));  // its tag
        // Another responder's key cannot read it either.
        assertSame(HandshakeFailure.DECRYPT_FAILED, read(new Responder(SET.initiatorStatic()), init, 85));

        // The responder keeps nothing, so the genuine message still completes the vector handshake.
        ReceivedInit ok = assertInstanceOf(ReceivedInit.class, read(responder, init, 85));
        byte[] out = new byte[57];
        assertInstanceOf(SessionKeys.class,
                ok.respond(SET.responderIndex(), SET.responderEphemeral(), MemorySegment.ofArray(out), 0));
        assertArrayEquals(SET.respWire(), out);
    }

    @Test
    void senderIndexIsNotAuthenticatedButReadAsIs() {
        // zgrnet does not bind the index into the handshake: a changed index still reads (as zgrnet).
        byte[] init = with(SET.initWire(), 1, new byte[] {9, 9, 9, 9});
        ReceivedInit ok = assertInstanceOf(ReceivedInit.class, read(new Responder(SET.responderStatic()), init, 85));
        assertEquals(0x09090909, ok.initiatorIndex());
    }

    @Test
    void longerMessagesAreAcceptedTailIgnored() throws Exception {
        byte[] init = Arrays.copyOf(SET.initWire(), 85 + 40);
        Arrays.fill(init, 85, init.length, (byte) 0x5a);
        ReceivedInit ok = assertInstanceOf(ReceivedInit.class,
                read(new Responder(SET.responderStatic()), init, init.length));
        assertEquals(SET.initiatorIndex(), ok.initiatorIndex());

        byte[] resp = Arrays.copyOf(SET.respWire(), 57 + 3);
        Initiator initiator = SET.startInitiator(HandshakeTrace.NONE);
        assertInstanceOf(SessionKeys.class, read(initiator, resp, resp.length));
    }

    @Test
    void refusedMessage2LeavesInitiatorUntouchedThenGenuineCompletes() throws Exception {
        Initiator initiator = SET.startInitiator(HandshakeTrace.NONE);
        byte[] ck = initiator.chainingKey();
        byte[] h = initiator.hash();
        byte[] msg1 = initiator.initMessage();
        byte[] resp = SET.respWire();

        Object[][] attacks = {
            {read(initiator, resp, 56), HandshakeFailure.TOO_SHORT},
            {read(initiator, resp, 0), HandshakeFailure.TOO_SHORT},
            {read(initiator, with(resp, 0, new byte[] {1}), 57), HandshakeFailure.WRONG_TYPE},
            {read(initiator, flip(resp, 5), 57), HandshakeFailure.WRONG_INDEX},
            {read(initiator, with(resp, 9, ZERO_POINT), 57), HandshakeFailure.INVALID_KEY},
            {read(initiator, flip(resp, 9), 57), HandshakeFailure.DECRYPT_FAILED},  // ephemeral
            {read(initiator, flip(resp, 41), 57), HandshakeFailure.DECRYPT_FAILED}, // tag
            {read(initiator, flip(resp, 56), 57), HandshakeFailure.DECRYPT_FAILED}, // tag
        };
        for (int i = 0; i < attacks.length; i++) {
            assertSame(attacks[i][1], attacks[i][0], "attack " + i);
            assertArrayEquals(ck, initiator.chainingKey(), "ck after attack " + i);
            assertArrayEquals(h, initiator.hash(), "h after attack " + i);
            assertArrayEquals(msg1, initiator.initMessage(), "message 1 after attack " + i);
            assertFalse(initiator.isUsed(), "used after attack " + i);
        }
        // A response from a different responder ephemeral (a valid point, wrong tag) is refused too.
        byte[] otherE = KeyPair.fromPrivate(new byte[32]).publicKey();
        assertSame(HandshakeFailure.DECRYPT_FAILED, read(initiator, with(resp, 9, otherE), 57));

        SessionKeys keys = assertInstanceOf(SessionKeys.class, read(initiator, resp, 57));
        assertEquals(SET.v().path("transport_keys").path("initiator").path("send").asText(),
                hex(keys.sendKey().toBytes()));
        assertTrue(initiator.isUsed());
        // The same response again (a replay) is refused: the handshake is finished.
        assertSame(HandshakeFailure.ALREADY_USED, read(initiator, resp, 57));
    }

    @Test
    void respondSucceedsOnceAndWritesOnlyOnSuccess() {
        byte[] init = SET.initWire();
        ReceivedInit received = assertInstanceOf(ReceivedInit.class,
                read(new Responder(SET.responderStatic()), init, 85));
        byte[] out = new byte[57];
        assertInstanceOf(SessionKeys.class,
                received.respond(SET.responderIndex(), SET.responderEphemeral(), MemorySegment.ofArray(out), 0));
        byte[] second = new byte[57];
        assertSame(HandshakeFailure.ALREADY_USED,
                received.respond(SET.responderIndex(), new SecureRandom(), MemorySegment.ofArray(second), 0));
        assertArrayEquals(new byte[57], second);
        assertThrows(IndexOutOfBoundsException.class,
                () -> received.respond(1, MemorySegment.ofArray(new byte[56]), 0));
    }

    @Test
    void lowOrderRemoteStaticIsAConfigurationError() {
        assertThrows(InvalidKeyException.class,
                () -> Initiator.start(SET.initiatorStatic(), ZERO_POINT, 1, new SecureRandom()));
        assertThrows(IllegalArgumentException.class,
                () -> Initiator.start(SET.initiatorStatic(), new byte[31], 1, new SecureRandom()));
    }

    @Test
    void randomHandshakesAgree() throws Exception {
        Random indices = new Random(42);
        for (int round = 0; round < 8; round++) {
            SecureRandom rnd = new SecureRandom();
            KeyPair a = KeyPair.generate(rnd);
            KeyPair b = KeyPair.generate(rnd);
            int ia = indices.nextInt();
            int ib = indices.nextInt();
            Initiator initiator = Initiator.start(a, b.publicKey(), ia);
            MemorySegment buf = MemorySegment.ofArray(new byte[128]);
            int n1 = initiator.writeInit(buf, 0);
            ReceivedInit received = assertInstanceOf(ReceivedInit.class, new Responder(b).readInit(buf, 0, n1));
            assertArrayEquals(a.publicKey(), received.initiatorStatic());
            SessionKeys rk = assertInstanceOf(SessionKeys.class, received.respond(ib, buf, 0));
            SessionKeys ik = assertInstanceOf(SessionKeys.class, initiator.readResponse(buf, 0, 57));
            assertArrayEquals(ik.sendKey().toBytes(), rk.receiveKey().toBytes());
            assertArrayEquals(ik.receiveKey().toBytes(), rk.sendKey().toBytes());
            assertNotEquals(hex(ik.sendKey().toBytes()), hex(ik.receiveKey().toBytes()));
            assertArrayEquals(ik.handshakeHash(), rk.handshakeHash());
            assertEquals(ia, ik.localIndex());
            assertEquals(ib, ik.remoteIndex());
            assertEquals(ib, rk.localIndex());
            assertEquals(ia, rk.remoteIndex());
            assertArrayEquals(b.publicKey(), ik.remoteStatic());
            assertArrayEquals(a.publicKey(), rk.remoteStatic());
        }
    }

    @Test
    void toStringShowsNoSecrets() throws Exception {
        Initiator initiator = SET.startInitiator(HandshakeTrace.NONE);
        byte[] resp = SET.respWire();
        SessionKeys keys = assertInstanceOf(SessionKeys.class, read(initiator, resp, 57));
        String s = keys.toString() + SET.initiatorStatic();
        assertFalse(s.contains(hex(keys.sendKey().toBytes())));
        assertFalse(s.contains(hex(SET.initiatorStatic().privateKeyRef())));
    }
}
