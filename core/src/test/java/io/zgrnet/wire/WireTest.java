package io.zgrnet.wire;

import static io.zgrnet.testing.Vectors.bytes;
import static io.zgrnet.testing.Vectors.hex;
import static io.zgrnet.testing.Vectors.u32;
import static io.zgrnet.testing.Vectors.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.testing.Vectors;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Sizes, parsing and building of the three datagram formats, against the vectors' wire bytes. */
class WireTest {

    @Test
    void sizesMatchTheSpec() {
        assertEquals(85, HandshakeInit.LENGTH);
        assertEquals(57, HandshakeResponse.LENGTH);
        assertEquals(13, TransportHeader.LENGTH);
        assertEquals(29, TransportHeader.MIN_DATAGRAM_LENGTH);
        assertEquals(65505, TransportHeader.MAX_PAYLOAD_LENGTH);
        assertEquals(30, TransportHeader.OVERHEAD);
    }

    @TestFactory
    Stream<DynamicNode> vectors() {
        return Vectors.perFile(v -> Stream.of(
                dynamicTest("handshake init: parse and rebuild", () -> init(v)),
                dynamicTest("handshake response: parse and rebuild", () -> response(v)),
                dynamicTest("transport headers: parse and rebuild", () -> transport(v))));
    }

    private static void init(JsonNode v) {
        byte[] wire = bytes(v.path("handshake").path("handshake_init_wire"));
        byte[] longer = Arrays.copyOf(wire, wire.length + 9);
        HandshakeInit m = new HandshakeInit();
        assertEquals(MessageType.HANDSHAKE_INIT, MessageType.of(MemorySegment.ofArray(wire), 0, wire.length));
        assertEquals(WireResult.OK, m.wrap(MemorySegment.ofArray(longer), 0, longer.length), "tail ignored");
        assertEquals(u32(v.path("inputs").path("initiator_sender_index")), m.senderIndex());
        byte[] e = new byte[32];
        byte[] s = new byte[48];
        m.ephemeral(e);
        m.encryptedStatic(s);
        assertEquals(v.path("keys").path("initiator_ephemeral").path("public").asText(), hex(e));
        byte[] rebuilt = new byte[85];
        assertEquals(85, HandshakeInit.write(MemorySegment.ofArray(rebuilt), 0, m.senderIndex(), e, s));
        assertEquals(hex(wire), hex(rebuilt));
        assertEquals(WireResult.TOO_SHORT, m.wrap(MemorySegment.ofArray(wire), 0, 84));
        wire[0] = 2;
        assertEquals(WireResult.WRONG_TYPE, m.wrap(MemorySegment.ofArray(wire), 0, 85));
    }

    private static void response(JsonNode v) {
        byte[] wire = bytes(v.path("handshake").path("handshake_resp_wire"));
        HandshakeResponse m = new HandshakeResponse();
        assertEquals(WireResult.OK, m.wrap(MemorySegment.ofArray(Arrays.copyOf(wire, 100)), 0, 100), "tail ignored");
        assertEquals(u32(v.path("inputs").path("responder_sender_index")), m.senderIndex());
        assertEquals(u32(v.path("inputs").path("initiator_sender_index")), m.receiverIndex());
        byte[] e = new byte[32];
        byte[] tag = new byte[16];
        m.ephemeral(e);
        m.tag(tag);
        assertEquals(v.path("keys").path("responder_ephemeral").path("public").asText(), hex(e));
        byte[] rebuilt = new byte[57];
        HandshakeResponse.write(MemorySegment.ofArray(rebuilt), 0, m.senderIndex(), m.receiverIndex(), e, tag);
        assertEquals(hex(wire), hex(rebuilt));
        assertEquals(WireResult.TOO_SHORT, m.wrap(MemorySegment.ofArray(wire), 0, 56));
        wire[0] = 1;
        assertEquals(WireResult.WRONG_TYPE, m.wrap(MemorySegment.ofArray(wire), 0, 57));
    }

    private static void transport(JsonNode v) {
        for (JsonNode t : v.path("transport")) {
            byte[] wire = bytes(t.path("wire"));
            MemorySegment s = MemorySegment.ofArray(wire);
            assertEquals(WireResult.OK, TransportHeader.validate(s, 0, wire.length));
            assertEquals(MessageType.TRANSPORT, MessageType.of(s, 0, wire.length));
            assertEquals(u32(t.path("receiver_index")), TransportHeader.receiverIndex(s, 0));
            assertEquals(u64(t.path("counter")), TransportHeader.counter(s, 0));
            byte[] header = new byte[13];
            TransportHeader.write(MemorySegment.ofArray(header), 0, u32(t.path("receiver_index")), u64(t.path("counter")));
            assertEquals(hex(Arrays.copyOf(wire, 13)), hex(header));
            assertEquals(t.path("nonce").asText().substring(0, 16), hex(Arrays.copyOfRange(wire, 5, 13)),
                    "nonce = LE64(counter) || 0^4");
            assertEquals(WireResult.TOO_SHORT, TransportHeader.validate(s, 0, 28));
        }
    }

    @Test
    void emptyDatagramHasNoType() {
        assertEquals(WireResult.TOO_SHORT, MessageType.of(MemorySegment.NULL, 0, 0));
        assertEquals("COOKIE_REPLY", MessageType.name(MessageType.COOKIE_REPLY));
        assertEquals("chat", ProtocolByte.name(ProtocolByte.CHAT));
        assertEquals("unassigned", ProtocolByte.name(255));
    }
}
