package io.zgrnet.noise;

import static io.zgrnet.testing.Vectors.bytes;
import static io.zgrnet.testing.Vectors.hex;
import static io.zgrnet.testing.Vectors.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.crypto.Blake2s;
import io.zgrnet.crypto.Hkdf;
import io.zgrnet.crypto.HmacBlake2s;
import io.zgrnet.crypto.X25519;
import io.zgrnet.testing.SharedFiles;
import io.zgrnet.testing.Vectors;
import io.zgrnet.wire.HandshakeResponse;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every handshake value of every vector file: keys, DH results, each ck/h step of both
 * traces (with the step's data, DH, key and ciphertext), both wire messages byte for byte, the
 * split and the transport keys, indices, and the {@code extra} primitive values.
 */
class HandshakeVectorsTest {

    @TestFactory
    Stream<DynamicNode> vectors() {
        return Vectors.perFile(v -> {
            VectorSet set = VectorSet.of(v);
            return Stream.of(
                    dynamicTest("keys: clamping and public keys", () -> keys(v)),
                    dynamicTest("dh: es, ss, ee, se from both sides", () -> dh(v)),
                    dynamicTest("initiator: message 1 and its 8 trace steps", () -> initiatorMessage1(set)),
                    dynamicTest("responder: reads message 1, writes message 2, all 13 steps", () -> responder(set)),
                    dynamicTest("initiator: reads message 2, all 13 steps, session keys", () -> initiatorFinish(set)),
                    dynamicTest("extra: primitive values", () -> extra(v)));
        });
    }

    private static void keys(JsonNode v) {
        JsonNode keys = v.path("keys");
        for (String name : List.of("initiator_static", "responder_static", "initiator_ephemeral",
                "responder_ephemeral")) {
            JsonNode k = keys.path(name);
            byte[] raw = bytes(k.path("private_raw"));
            assertEquals(k.path("private_clamped").asText(), hex(X25519.clamp(raw)), name + " clamped");
            assertEquals(k.path("public").asText(), hex(KeyPair.fromPrivate(raw).publicKey()), name + " public");
            assertEquals(k.path("public").asText(),
                    hex(KeyPair.fromPrivate(bytes(k.path("private_clamped"))).publicKey()), name + " public (clamped)");
            assertArrayEquals(X25519.clamp(raw), KeyPair.fromPrivate(raw).privateKeyRef(), name + " stored clamped");
        }
    }

    private static void dh(JsonNode v) throws Exception {
        JsonNode k = v.path("keys");
        JsonNode dh = v.path("dh");
        Map<String, String[]> pairs = Map.of(
                "es", new String[] {"initiator_ephemeral", "responder_static"},
                "ss", new String[] {"initiator_static", "responder_static"},
                "ee", new String[] {"initiator_ephemeral", "responder_ephemeral"},
                "se", new String[] {"initiator_static", "responder_ephemeral"});
        for (Map.Entry<String, String[]> e : pairs.entrySet()) {
            JsonNode a = k.path(e.getValue()[0]);
            JsonNode b = k.path(e.getValue()[1]);
            String expected = dh.path(e.getKey()).asText();
            assertEquals(expected, hex(X25519.dh(bytes(a.path("private_raw")), bytes(b.path("public")))), e.getKey());
            assertEquals(expected, hex(X25519.dh(bytes(b.path("private_raw")), bytes(a.path("public")))),
                    e.getKey() + " (other side)");
        }
    }

    private static void initiatorMessage1(VectorSet set) throws Exception {
        JsonNode hs = set.v().path("handshake");
        RecordingTrace trace = new RecordingTrace();
        Initiator initiator = set.startInitiator(trace);
        int msg1Steps = hs.path("initiator_trace_msg1_steps").asInt();
        assertEquals(msg1Steps, trace.steps.size(), "steps in message 1");
        assertTrace(hs.path("initiator_trace"), trace.steps, 0, msg1Steps);

        byte[] wire = initiator.initMessage();
        assertEquals(hs.path("handshake_init_len").asInt(), wire.length);
        assertEquals(hs.path("handshake_init_wire").asText(), hex(wire));
        assertEquals(hs.path("msg1_noise").asText(), hex(Arrays.copyOfRange(wire, 5, wire.length)));
        byte[] viaSegment = new byte[wire.length + 7];
        assertEquals(wire.length, initiator.writeInit(MemorySegment.ofArray(viaSegment), 7));
        assertEquals(hex(wire), hex(Arrays.copyOfRange(viaSegment, 7, viaSegment.length)));
        assertEquals(hs.path("after_msg1").path("ck").asText(), hex(initiator.chainingKey()));
        assertEquals(hs.path("after_msg1").path("h").asText(), hex(initiator.hash()));
        assertEquals(hs.path("initial").path("ck").asText(), hex(trace.steps.get(0).ck()));
        assertEquals(hs.path("initial").path("h").asText(), hex(trace.steps.get(0).h()));
        assertEquals(set.initiatorIndex(), initiator.localIndex());
    }

    private static void responder(VectorSet set) {
        JsonNode v = set.v();
        JsonNode hs = v.path("handshake");
        RecordingTrace trace = new RecordingTrace();
        Responder responder = new Responder(set.responderStatic());
        byte[] init = set.initWire();
        ReceivedInit received = assertInstanceOf(ReceivedInit.class,
                responder.readInit(MemorySegment.ofArray(init), 0, init.length, trace));
        int msg1Steps = hs.path("responder_trace_msg1_steps").asInt();
        assertEquals(msg1Steps, trace.steps.size());
        assertEquals(hs.path("after_msg1").path("ck").asText(), hex(received.chainingKey()));
        assertEquals(hs.path("after_msg1").path("h").asText(), hex(received.hash()));
        assertEquals(set.initiatorIndex(), received.initiatorIndex());
        assertEquals(hs.path("responder_learned_initiator_static").asText(), hex(received.initiatorStatic()));

        byte[] out = new byte[64];
        SessionKeys keys = assertInstanceOf(SessionKeys.class,
                received.respond(set.responderIndex(), set.responderEphemeral(), MemorySegment.ofArray(out), 3));
        assertEquals(hs.path("handshake_resp_len").asInt(), HandshakeResponse.LENGTH);
        assertEquals(hs.path("handshake_resp_wire").asText(), hex(Arrays.copyOfRange(out, 3, 3 + 57)));
        assertEquals(hs.path("msg2_noise").asText(), hex(Arrays.copyOfRange(out, 3 + 9, 3 + 57)));
        assertTrace(hs.path("responder_trace"), trace.steps, 0, hs.path("responder_trace").size());
        assertEquals(hs.path("responder_trace").size(), trace.steps.size());

        JsonNode tk = v.path("transport_keys").path("responder");
        assertEquals(tk.path("send").asText(), hex(keys.sendKey().toBytes()));
        assertEquals(tk.path("recv").asText(), hex(keys.receiveKey().toBytes()));
        assertEquals(v.path("split").path("k2").asText(), hex(keys.sendKey().toBytes()));
        assertEquals(v.path("split").path("k1").asText(), hex(keys.receiveKey().toBytes()));
        JsonNode s = v.path("sessions").path("responder");
        assertEquals(u32(s.path("local_index")), keys.localIndex());
        assertEquals(u32(s.path("remote_index")), keys.remoteIndex());
        assertEquals(v.path("keys").path("initiator_static").path("public").asText(), hex(keys.remoteStatic()));
        assertEquals(hs.path("after_msg2").path("h").asText(), hex(keys.handshakeHash()));
        assertFalse(keys.isInitiator());
        assertTrue(received.isUsed());
    }

    private static void initiatorFinish(VectorSet set) throws Exception {
        JsonNode v = set.v();
        JsonNode hs = v.path("handshake");
        RecordingTrace trace = new RecordingTrace();
        Initiator initiator = set.startInitiator(trace);
        byte[] resp = set.respWire();
        SessionKeys keys = assertInstanceOf(SessionKeys.class,
                initiator.readResponse(MemorySegment.ofArray(resp), 0, resp.length));
        assertEquals(hs.path("initiator_trace").size(), trace.steps.size());
        assertTrace(hs.path("initiator_trace"), trace.steps, 0, trace.steps.size());
        RecordingTrace.Step last = trace.steps.getLast();
        assertEquals(hs.path("after_msg2").path("ck").asText(), hex(last.ck()));
        assertEquals(hs.path("after_msg2").path("h").asText(), hex(last.h()));

        JsonNode tk = v.path("transport_keys").path("initiator");
        assertEquals(tk.path("send").asText(), hex(keys.sendKey().toBytes()));
        assertEquals(tk.path("recv").asText(), hex(keys.receiveKey().toBytes()));
        assertEquals(v.path("split").path("k1").asText(), hex(keys.sendKey().toBytes()));
        assertEquals(v.path("split").path("k2").asText(), hex(keys.receiveKey().toBytes()));
        JsonNode s = v.path("sessions").path("initiator");
        assertEquals(u32(s.path("local_index")), keys.localIndex());
        assertEquals(u32(s.path("remote_index")), keys.remoteIndex());
        assertEquals(v.path("keys").path("responder_static").path("public").asText(), hex(keys.remoteStatic()));
        assertEquals(hs.path("after_msg2").path("h").asText(), hex(keys.handshakeHash()));
        assertTrue(keys.isInitiator());
        assertTrue(initiator.isUsed());
    }

    private static void extra(JsonNode v) {
        JsonNode x = v.path("extra");
        assertEquals(x.path("blake2s_empty").asText(), hex(Blake2s.hash(new byte[0])));
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 1);
        assertEquals(x.path("hmac_blake2s_key32x01_msg_abc").asText(),
                hex(HmacBlake2s.mac(key, "abc".getBytes(StandardCharsets.US_ASCII))));
        byte[][] hkdf = Hkdf.derive(bytes(v.path("handshake").path("initial").path("ck")), new byte[0], 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(x.path("hkdf3_ck_initial_ikm_empty").get(i).asText(), hex(hkdf[i]), "hkdf output " + i);
        }
        for (Map.Entry<String, JsonNode> e : x.path("e2e_test_keys").properties()) {
            assertEquals(e.getValue().asText(), hex(KeyPair.fromPrivate(SharedFiles.hex(e.getKey())).publicKey()),
                    e.getKey());
        }
    }

    /** Compares recorded steps [from, to) with the oracle's trace: name, ck, h and every detail. */
    static void assertTrace(JsonNode expected, List<RecordingTrace.Step> actual, int from, int to) {
        for (int i = from; i < to; i++) {
            JsonNode e = expected.get(i);
            RecordingTrace.Step a = actual.get(i);
            String where = "step " + i + " (" + e.path("step").asText() + ")";
            assertEquals(e.path("step").asText(), a.name(), where + " name");
            assertEquals(e.path("ck").asText(), hex(a.ck()), where + " ck");
            assertEquals(e.path("h").asText(), hex(a.h()), where + " h");
            boolean decrypt = a.name().startsWith("decrypt");
            for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                byte[] got = switch (f) {
                    case "step", "ck", "h" -> null;
                    case "data", "dh" -> a.input();
                    case "discarded_key", "key" -> a.output();
                    case "ciphertext" -> decrypt ? a.input() : a.output();
                    default -> throw new AssertionError(where + ": unknown trace field " + f);
                };
                if (!List.of("step", "ck", "h").contains(f)) {
                    assertEquals(e.path(f).asText(), got == null ? null : hex(got), where + " " + f);
                }
            }
        }
    }
}
