package io.zgrnet.noise;

import static io.zgrnet.testing.Vectors.bytes;
import static io.zgrnet.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.testing.SharedFiles;
import io.zgrnet.wire.HandshakeInit;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * zgrnet's own handshake golden values (testdata/zgrnet-ik-golden.json, from its Go/Zig interop
 * test) and the model's continuation of message 1 in the same file.
 */
class ZgrnetGoldenTest {
    private static final JsonNode GOLDEN = SharedFiles.json("testdata/zgrnet-ik-golden.json");

    @Test
    void keys() {
        JsonNode k = GOLDEN.path("keys");
        assertEquals(k.path("initiator_public").asText(),
                hex(KeyPair.fromPrivate(bytes(k.path("initiator_private_clamped"))).publicKey()));
        assertEquals(k.path("responder_public").asText(),
                hex(KeyPair.fromPrivate(bytes(k.path("responder_private_unclamped"))).publicKey()));
        assertEquals(k.path("initiator_ephemeral_public").asText(),
                hex(KeyPair.fromPrivate(bytes(k.path("initiator_ephemeral_private_clamped"))).publicKey()));
    }

    @Test
    void message1MatchesEveryGoldenValue() throws Exception {
        JsonNode k = GOLDEN.path("keys");
        JsonNode g = GOLDEN.path("golden_from_zgrnet");
        JsonNode m = GOLDEN.path("model_continuation");
        KeyPair initiator = KeyPair.fromPrivate(bytes(k.path("initiator_private_clamped")));
        KeyPair responder = KeyPair.fromPrivate(bytes(k.path("responder_private_unclamped")));
        KeyPair ephemeral = KeyPair.fromPrivate(bytes(k.path("initiator_ephemeral_private_clamped")));
        RecordingTrace trace = new RecordingTrace();
        Initiator hs = Initiator.start(initiator, bytes(k.path("responder_public")), 0x01020304, ephemeral, trace);
        List<RecordingTrace.Step> s = trace.steps;
        assertEquals(List.of("init", "mixhash_prologue", "mixhash_responder_static", "e", "mixkey_es",
                "mixkey_empty_before_s", "encrypt_and_hash_s", "mixkey_ss"),
                s.stream().map(RecordingTrace.Step::name).toList());

        assertEquals(g.path("init_ck").asText(), hex(s.get(0).ck()));
        assertEquals(g.path("init_h").asText(), hex(s.get(0).h()));
        assertEquals(g.path("mixhash_prologue_h").asText(), hex(s.get(1).h()));
        assertEquals(g.path("mixhash_rs_h").asText(), hex(s.get(2).h()));
        assertEquals(g.path("mixhash_e_h").asText(), hex(s.get(3).h()));
        assertEquals(g.path("dh_e_rs").asText(), hex(s.get(4).input()));
        assertEquals(g.path("mixkey_es_ck").asText(), hex(s.get(4).ck()));
        assertEquals(g.path("mixkey_es_k").asText(), hex(s.get(4).output()));
        assertEquals(g.path("mixkey_before_s_ck").asText(), hex(s.get(5).ck()));
        assertEquals(g.path("mixkey_before_s_k").asText(), hex(s.get(5).output()));
        assertEquals(m.path("encrypt_s_ciphertext").asText(), hex(s.get(6).output()));
        assertEquals(m.path("encrypt_s_h").asText(), hex(s.get(6).h()));
        assertEquals(m.path("encrypt_s_ck").asText(), hex(s.get(6).ck()));
        assertEquals(m.path("mixkey_ss_ck").asText(), hex(s.get(7).ck()));
        assertEquals(m.path("mixkey_ss_k").asText(), hex(s.get(7).output()));

        byte[] wire = hs.initMessage();
        assertEquals(m.path("msg1_wire_len").asInt(), wire.length);
        assertEquals(HandshakeInit.LENGTH, wire.length);
        assertEquals(1, wire[0]);
        assertEquals(k.path("initiator_ephemeral_public").asText(), hex(Arrays.copyOfRange(wire, 5, 37)));
        assertEquals(m.path("encrypt_s_ciphertext").asText(), hex(Arrays.copyOfRange(wire, 37, 85)));

        // And zgrnet-java's responder accepts it and learns the initiator's key.
        ReceivedInit got = assertInstanceOf(ReceivedInit.class,
                new Responder(responder).readInit(MemorySegment.ofArray(wire), 0, wire.length));
        assertArrayEquals(bytes(k.path("initiator_public")), got.initiatorStatic());
        assertEquals(0x01020304, got.initiatorIndex());
    }

    @Test
    void everyGoldenFieldIsCovered() {
        // Guards this test against new fields appearing in the golden file unnoticed.
        List<String> covered = List.of("init_ck", "init_h", "mixhash_prologue_h", "mixhash_rs_h", "mixhash_e_h",
                "dh_e_rs", "mixkey_es_ck", "mixkey_es_k", "mixkey_before_s_ck", "mixkey_before_s_k",
                "encrypt_s_ciphertext", "encrypt_s_h", "encrypt_s_ck", "mixkey_ss_ck", "mixkey_ss_k",
                "msg1_wire_len", "status", "msg1_wire_layout");
        for (String section : List.of("golden_from_zgrnet", "model_continuation")) {
            for (Iterator<String> it = GOLDEN.path(section).fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertEquals(true, covered.contains(f), section + "." + f + " is not checked");
            }
        }
    }
}
