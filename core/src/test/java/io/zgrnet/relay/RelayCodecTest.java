package io.zgrnet.relay;

import static io.zgrnet.relay.ServiceVectors.hex;
import static io.zgrnet.relay.ServiceVectors.padded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.testing.SharedFiles;
import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every encoding of {@code relay_messages} built by our codecs and parsed back, and every decode
 * case with Go's verdict, at an odd offset inside a larger buffer (the codecs must honour it).
 */
class RelayCodecTest {
    private static final int PAD = 7;

    /** The seven body layouts. */
    enum Kind { RELAY0, RELAY1, RELAY2, BIND0, BIND1, BIND2, ALIAS }

    @Test
    void sizesMatchTheConstants() {
        JsonNode c = ServiceVectors.section("constants").path("relay");
        assertEquals(c.path("Relay0HeaderSize").asInt(), Relay0.HEADER_LENGTH);
        assertEquals(c.path("Relay1HeaderSize").asInt(), Relay1.HEADER_LENGTH);
        assertEquals(c.path("Relay2HeaderSize").asInt(), Relay2.HEADER_LENGTH);
        assertEquals(c.path("Relay0BindSize").asInt(), Relay0Bind.LENGTH);
        assertEquals(c.path("Relay1BindSize").asInt(), Relay1Bind.LENGTH);
        assertEquals(c.path("Relay2BindSize").asInt(), Relay2Bind.LENGTH);
        assertEquals(c.path("Relay0AliasSize_min").asInt(), RelayAlias.HEADER_LENGTH);
        assertEquals(c.path("DefaultTTL").asInt(), RelayConstants.DEFAULT_TTL);
        assertEquals(c.path("StrategyAuto").asInt(), RelayConstants.STRATEGY_AUTO);
        assertEquals(c.path("StrategyFastest").asInt(), RelayConstants.STRATEGY_FASTEST);
        assertEquals(c.path("StrategyCheapest").asInt(), RelayConstants.STRATEGY_CHEAPEST);
    }

    @TestFactory
    Stream<DynamicTest> encodings() {
        return each(ServiceVectors.section("relay_messages").path("encodings")).map(e -> dynamicTest(
                e.path("name").asText(), () -> {
                    Kind kind = ofProtocol(e.path("protocol").asInt());
                    String wire = e.path("encoded_hex").asText();
                    // Encode into the middle of a larger buffer.
                    MemorySegment out = MemorySegment.ofArray(new byte[PAD + 200]);
                    int n = encode(kind, e.path("fields"), out, PAD);
                    assertEquals(e.path("len").asInt(), n);
                    assertEquals(wire, hex(out, PAD, n));
                    // And back.
                    MemorySegment in = padded(wire, PAD);
                    assertEquals(expected(e.path("fields")), decode(kind, in, PAD, n));
                }));
    }

    @TestFactory
    Stream<DynamicTest> decodeCases() {
        return each(ServiceVectors.section("relay_messages").path("decode_cases")).map(c -> dynamicTest(
                c.path("name").asText(), () -> {
                    Kind kind = ofName(c.path("name").asText());
                    MemorySegment in = padded(c.path("input_hex").asText(), PAD);
                    Map<String, String> got = decode(kind, in, PAD, c.path("input_len").asInt());
                    if (c.path("result").asText().equals("error")) {
                        assertEquals("relay: message too short", c.path("error").asText());
                        assertEquals(Map.of("error", "TOO_SHORT"), got);
                    } else {
                        assertEquals(expected(c.path("decoded")), got);
                    }
                }));
    }

    @Test
    void writingAFieldOutOfRangeIsAProgrammingError() {
        MemorySegment out = MemorySegment.ofArray(new byte[100]);
        MemorySegment key = MemorySegment.ofArray(new byte[32]);
        assertThrows(IllegalArgumentException.class, () -> Relay0.write(out, 0, 256, 0, key, 0, key, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Relay1.write(out, 0, 1, -1, key, 0, key, 0, key, 0, 0));
    }

    @Test
    void payloadMayAlreadySitWhereItBelongs() {
        // The zero-copy layout: the payload is placed first, then the header is written around it.
        byte[] buf = new byte[34 + 3];
        buf[34] = 1;
        buf[35] = 2;
        buf[36] = 3;
        MemorySegment s = MemorySegment.ofArray(buf);
        MemorySegment key = MemorySegment.ofArray(new byte[32]);
        assertEquals(37, Relay0.write(s, 0, 8, 0, key, 0, s, 34, 3));
        assertEquals("0800" + "00".repeat(32) + "010203", hex(s, 0, 37));
    }

    // ------------------------------------------------------------------------------ helpers

    static Stream<JsonNode> each(JsonNode array) {
        Iterator<JsonNode> it = array.elements();
        return StreamSupport.stream(((Iterable<JsonNode>) () -> it).spliterator(), false);
    }

    private static Kind ofProtocol(int protocol) {
        return switch (protocol) {
            case 66 -> Kind.RELAY0;
            case 67 -> Kind.RELAY1;
            case 68 -> Kind.RELAY2;
            case 72 -> Kind.BIND0;
            case 74 -> Kind.BIND1;
            case 76 -> Kind.BIND2;
            case 73, 75, 77 -> Kind.ALIAS;
            default -> throw new IllegalArgumentException("protocol " + protocol);
        };
    }

    private static Kind ofName(String name) {
        if (name.startsWith("ALIAS")) {
            return Kind.ALIAS;
        }
        if (name.startsWith("RELAY_0_BIND")) {
            return Kind.BIND0;
        }
        if (name.startsWith("RELAY_1_BIND")) {
            return Kind.BIND1;
        }
        if (name.startsWith("RELAY_2_BIND")) {
            return Kind.BIND2;
        }
        return ofProtocol(66 + (name.charAt("RELAY_".length()) - '0'));
    }

    private static int encode(Kind kind, JsonNode f, MemorySegment out, long off) {
        MemorySegment src = key(f, "src");
        MemorySegment dst = key(f, "dst");
        MemorySegment payload = MemorySegment.ofArray(SharedFiles.hex(f.path("payload_hex").asText("")));
        int plen = (int) payload.byteSize();
        int ttl = f.path("ttl").asInt();
        int strategy = f.path("strategy").asInt();
        int id = (int) f.path("relay_id").asLong();
        return switch (kind) {
            case RELAY0 -> Relay0.write(out, off, ttl, strategy, dst, 0, payload, 0, plen);
            case RELAY1 -> Relay1.write(out, off, ttl, strategy, src, 0, dst, 0, payload, 0, plen);
            case RELAY2 -> Relay2.write(out, off, src, 0, payload, 0, plen);
            case BIND0 -> Relay0Bind.write(out, off, id, dst, 0);
            case BIND1 -> Relay1Bind.write(out, off, id, src, 0, dst, 0);
            case BIND2 -> Relay2Bind.write(out, off, id, src, 0);
            case ALIAS -> RelayAlias.write(out, off, id, payload, 0, plen);
        };
    }

    private static MemorySegment key(JsonNode f, String name) {
        return f.has(name) ? MemorySegment.ofArray(SharedFiles.hex(f.path(name).asText())) : null;
    }

    /** The fields as text, in the vectors' names; {@code {error=...}} on a refusal. */
    static Map<String, String> decode(Kind kind, MemorySegment s, long off, int len) {
        Map<String, String> m = new TreeMap<>();
        int r = switch (kind) {
            case RELAY0 -> Relay0.validate(s, off, len);
            case RELAY1 -> Relay1.validate(s, off, len);
            case RELAY2 -> Relay2.validate(s, off, len);
            case BIND0 -> Relay0Bind.validate(s, off, len);
            case BIND1 -> Relay1Bind.validate(s, off, len);
            case BIND2 -> Relay2Bind.validate(s, off, len);
            case ALIAS -> RelayAlias.validate(s, off, len);
        };
        if (r != WireResult.OK) {
            m.put("error", WireResult.name(r));
            return m;
        }
        switch (kind) {
            case RELAY0 -> {
                m.put("ttl", "" + Relay0.ttl(s, off));
                m.put("strategy", "" + Relay0.strategy(s, off));
                m.put("dst", hex(s, Relay0.dstOffset(off), 32));
                m.put("payload_hex", hex(s, Relay0.payloadOffset(off), Relay0.payloadLength(len)));
            }
            case RELAY1 -> {
                m.put("ttl", "" + Relay1.ttl(s, off));
                m.put("strategy", "" + Relay1.strategy(s, off));
                m.put("src", hex(s, Relay1.srcOffset(off), 32));
                m.put("dst", hex(s, Relay1.dstOffset(off), 32));
                m.put("payload_hex", hex(s, Relay1.payloadOffset(off), Relay1.payloadLength(len)));
            }
            case RELAY2 -> {
                m.put("src", hex(s, Relay2.srcOffset(off), 32));
                m.put("payload_hex", hex(s, Relay2.payloadOffset(off), Relay2.payloadLength(len)));
            }
            case BIND0 -> {
                m.put("relay_id", Integer.toUnsignedString(Relay0Bind.relayId(s, off)));
                m.put("dst", hex(s, Relay0Bind.dstOffset(off), 32));
            }
            case BIND1 -> {
                m.put("relay_id", Integer.toUnsignedString(Relay1Bind.relayId(s, off)));
                m.put("src", hex(s, Relay1Bind.srcOffset(off), 32));
                m.put("dst", hex(s, Relay1Bind.dstOffset(off), 32));
            }
            case BIND2 -> {
                m.put("relay_id", Integer.toUnsignedString(Relay2Bind.relayId(s, off)));
                m.put("src", hex(s, Relay2Bind.srcOffset(off), 32));
            }
            case ALIAS -> {
                m.put("relay_id", Integer.toUnsignedString(RelayAlias.relayId(s, off)));
                m.put("payload_hex", hex(s, RelayAlias.payloadOffset(off), RelayAlias.payloadLength(len)));
            }
        }
        return m;
    }

    private static Map<String, String> expected(JsonNode fields) {
        Map<String, String> m = new TreeMap<>();
        fields.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }
}
