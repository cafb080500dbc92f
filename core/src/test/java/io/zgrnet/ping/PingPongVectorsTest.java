package io.zgrnet.ping;

import static io.zgrnet.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.noise.SessionKeys;
import io.zgrnet.peer.Session;
import io.zgrnet.testing.SharedFiles;
import io.zgrnet.testing.Vectors;
import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The {@code ping_pong} vectors: PING and PONG bytes encoded and decoded, the responder's answer
 * with the vectors' metrics, the decode cases, and both full datagrams over the fixed A-R session
 * (sealed by us, byte for byte, then opened and answered).
 */
class PingPongVectorsTest {
    private static final JsonNode ROOT = SharedFiles.json("testdata/services-vectors.json");
    private static final JsonNode V = ROOT.path("ping_pong");
    private static final int PAD = 3;

    private static MemorySegment padded(String hexText) {
        byte[] b = SharedFiles.hex(hexText);
        byte[] out = new byte[PAD + b.length + 8];
        System.arraycopy(b, 0, out, PAD, b.length);
        return MemorySegment.ofArray(out);
    }

    private static NodeMetrics metrics() {
        JsonNode m = V.path("metrics");
        return new NodeMetrics(m.path("load").asInt(), m.path("relay_count").asInt(), m.path("bw_avail").asInt(),
                m.path("price").asLong());
    }

    @Test
    void sizesMatchTheConstants() {
        JsonNode c = ROOT.path("constants").path("relay");
        assertEquals(c.path("PingSize").asInt(), Ping.LENGTH);
        assertEquals(c.path("PongSize").asInt(), Pong.LENGTH);
    }

    @Test
    void pingEncodesAndDecodes() {
        JsonNode p = V.path("ping");
        MemorySegment out = MemorySegment.ofArray(new byte[PAD + 12]);
        assertEquals(12, Ping.write(out, PAD, Vectors.u32(p.path("ping_id")), Vectors.u64(p.path("timestamp"))));
        assertEquals(p.path("encoded_hex").asText(), hex(out, PAD, 12));
        MemorySegment in = padded(p.path("encoded_hex").asText());
        assertEquals(WireResult.OK, Ping.validate(in, PAD, 12));
        assertEquals(Vectors.u32(p.path("ping_id")), Ping.id(in, PAD));
        assertEquals(Vectors.u64(p.path("timestamp")), Ping.timestamp(in, PAD));
    }

    @Test
    void pongEncodesAndDecodes() {
        JsonNode p = V.path("pong");
        JsonNode f = p.path("fields");
        MemorySegment out = MemorySegment.ofArray(new byte[PAD + 21]);
        assertEquals(21, Pong.write(out, PAD, Vectors.u32(f.path("ping_id")), Vectors.u64(f.path("timestamp")),
                f.path("load").asInt(), f.path("relay_count").asInt(), f.path("bw_avail").asInt(),
                (int) f.path("price").asLong()));
        assertEquals(p.path("encoded_hex").asText(), hex(out, PAD, 21));
        MemorySegment in = padded(p.path("encoded_hex").asText());
        assertEquals(WireResult.OK, Pong.validate(in, PAD, 21));
        assertEquals(Vectors.u32(f.path("ping_id")), Pong.id(in, PAD));
        assertEquals(Vectors.u64(f.path("timestamp")), Pong.timestamp(in, PAD));
        assertEquals(f.path("load").asInt(), Pong.load(in, PAD));
        assertEquals(f.path("relay_count").asInt(), Pong.relayCount(in, PAD));
        assertEquals(f.path("bw_avail").asInt(), Pong.bwAvail(in, PAD));
        assertEquals(f.path("price").asLong(), Integer.toUnsignedLong(Pong.price(in, PAD)));
        assertEquals(metrics(), new NodeMetrics(Pong.load(in, PAD), Pong.relayCount(in, PAD), Pong.bwAvail(in, PAD),
                Integer.toUnsignedLong(Pong.price(in, PAD))));
    }

    @Test
    void responderAnswersWithTheMetrics() {
        PingResponder r = new PingResponder(metrics());
        MemorySegment in = padded(V.path("ping").path("encoded_hex").asText());
        MemorySegment out = MemorySegment.ofArray(new byte[PAD + 21]);
        assertEquals(21, r.answer(in, PAD, 12, out, PAD));
        assertEquals(V.path("handle_ping").path("outcome").path("body_hex").asText(), hex(out, PAD, 21));
    }

    @Test
    void decodeCases() {
        PingResponder r = new PingResponder(NodeMetrics.ZERO);
        MemorySegment out = MemorySegment.ofArray(new byte[32]);
        for (JsonNode c : V.path("decode_cases")) {
            String name = c.path("name").asText();
            switch (name) {
                case "ping_11_bytes" -> {
                    assertEquals("relay: message too short", c.path("error").asText());
                    assertEquals(WireResult.TOO_SHORT, Ping.validate(MemorySegment.ofArray(new byte[11]), 0, 11));
                    assertEquals(WireResult.TOO_SHORT, r.answer(MemorySegment.ofArray(new byte[11]), 0, 11, out, 0));
                }
                case "pong_20_bytes" -> {
                    assertEquals("relay: message too short", c.path("error").asText());
                    assertEquals(WireResult.TOO_SHORT, Pong.validate(MemorySegment.ofArray(new byte[20]), 0, 20));
                }
                case "ping_14_bytes_zero_metrics" -> {
                    MemorySegment in = padded(c.path("input_hex").asText());
                    assertEquals(21, r.answer(in, PAD, 14, out, 0));
                    assertEquals(c.path("outcome").path("body_hex").asText(), hex(out, 0, 21));
                }
                default -> throw new AssertionError("unexpected decode case " + name);
            }
        }
    }

    @Test
    void fullDatagramsOverTheFixedSession() {
        JsonNode link = V.path("link");
        byte[] aPub = SharedFiles.hex(ROOT.path("nodes").path("A").path("public").asText());
        byte[] rPub = SharedFiles.hex(ROOT.path("nodes").path("R").path("public").asText());
        int aIndex = Vectors.u32(link.path("A_local_index"));
        int rIndex = Vectors.u32(link.path("R_local_index"));
        byte[] aToR = SharedFiles.hex(link.path("key_A_to_R").asText());
        byte[] rToA = SharedFiles.hex(link.path("key_R_to_A").asText());
        Session a = new Session(SessionKeys.of(aToR, rToA, aIndex, rIndex, rPub, true));
        Session r = new Session(SessionKeys.of(rToA, aToR, rIndex, aIndex, aPub, false));
        PingResponder responder = new PingResponder(metrics());

        JsonNode ping = V.path("datagrams").get(0);
        JsonNode pong = V.path("datagrams").get(1);
        MemorySegment wire = MemorySegment.ofArray(new byte[128]);
        MemorySegment body = padded(ping.path("body_hex").asText());
        int n = a.sealAt(ping.path("counter").asLong(), ping.path("protocol").asInt(), body, PAD, 12, wire, 0);
        assertEquals(ping.path("datagram_len").asInt(), n);
        assertEquals(ping.path("datagram_hex").asText(), hex(wire, 0, n));

        // R opens it, answers, and seals the answer on the same session.
        MemorySegment plain = MemorySegment.ofArray(new byte[128]);
        int p = r.open(wire, 0, n, plain, 0);
        assertEquals(13, p);
        assertEquals(70, plain.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        MemorySegment answer = MemorySegment.ofArray(new byte[21]);
        assertEquals(21, responder.answer(plain, 1, p - 1, answer, 0));
        assertEquals(pong.path("body_hex").asText(), hex(answer, 0, 21));
        int m = r.sealAt(pong.path("counter").asLong(), pong.path("protocol").asInt(), answer, 0, 21, wire, 0);
        assertEquals(pong.path("datagram_len").asInt(), m);
        assertEquals(pong.path("datagram_hex").asText(), hex(wire, 0, m));
        assertEquals(22, a.open(wire, 0, m, plain, 0));
        assertEquals(71, plain.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
    }
}
