package io.zgrnet.peer;

import static io.zgrnet.testing.Vectors.bytes;
import static io.zgrnet.testing.Vectors.hex;
import static io.zgrnet.testing.Vectors.u32;
import static io.zgrnet.testing.Vectors.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.noise.SessionKeys;
import io.zgrnet.testing.Vectors;
import io.zgrnet.wire.ProtocolByte;
import io.zgrnet.wire.TransportHeader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Every transport datagram of every vector file, sealed and opened, and every negative case with
 * zgrnet-java's (stricter) outcome.
 */
class SessionVectorsTest {

    /** The two sides' sessions, built from the vectors' transport keys and indices. */
    record Pair(Session initiator, Session responder) {
        static Pair of(JsonNode v) {
            JsonNode tk = v.path("transport_keys");
            JsonNode s = v.path("sessions");
            JsonNode k = v.path("keys");
            return new Pair(
                    new Session(SessionKeys.of(bytes(tk.path("initiator").path("send")),
                            bytes(tk.path("initiator").path("recv")), u32(s.path("initiator").path("local_index")),
                            u32(s.path("initiator").path("remote_index")),
                            bytes(k.path("responder_static").path("public")), true)),
                    new Session(SessionKeys.of(bytes(tk.path("responder").path("send")),
                            bytes(tk.path("responder").path("recv")), u32(s.path("responder").path("local_index")),
                            u32(s.path("responder").path("remote_index")),
                            bytes(k.path("initiator_static").path("public")), false)));
        }

        Session sender(JsonNode t) {
            return t.path("direction").asText().equals("i2r") ? initiator : responder;
        }

        Session receiver(JsonNode t) {
            return t.path("direction").asText().equals("i2r") ? responder : initiator;
        }
    }

    @TestFactory
    Stream<DynamicNode> transport() {
        return Vectors.perFile(v -> Stream.of(
                dynamicTest("seal produces every wire exactly", () -> sealAll(v)),
                dynamicTest("open recovers every plaintext, then every replay is refused", () -> openAll(v, false)),
                dynamicTest("open in place", () -> openAll(v, true)),
                dynamicTest("decrypt on a worker, acceptCounter on the owner", () -> decryptThenAccept(v)),
                dynamicTest("datagrams for the other side carry the wrong index", () -> wrongIndex(v))));
    }

    private static int protocolOf(JsonNode t) {
        return t.path("protocol").isNull() ? ProtocolByte.NONE : t.path("protocol").asInt();
    }

    private static void sealAll(JsonNode v) {
        Pair p = Pair.of(v);
        for (JsonNode t : v.path("transport")) {
            byte[] payload = bytes(t.path("payload"));
            MemorySegment dst = MemorySegment.ofArray(new byte[payload.length + TransportHeader.OVERHEAD + 10]);
            Session sender = p.sender(t);
            assertEquals(u32(t.path("receiver_index")), sender.remoteIndex());
            assertEquals(t.path("key").asText(), hex(sender.keys().sendKey().toBytes()));
            int n = sender.sealAt(u64(t.path("counter")), protocolOf(t), MemorySegment.ofArray(payload), 0,
                    payload.length, dst, 7);
            String where = t.path("direction").asText() + " counter " + t.path("counter").asText();
            assertEquals(t.path("wire_len").asInt(), n, where);
            assertEquals(t.path("wire").asText(), hex(dst, 7, n), where);
            assertEquals(t.path("ciphertext").asText(), hex(dst, 7 + TransportHeader.LENGTH, n - TransportHeader.LENGTH));
        }
    }

    private static void openAll(JsonNode v, boolean inPlace) {
        Pair p = Pair.of(v);
        for (JsonNode t : v.path("transport")) {
            String where = t.path("direction").asText() + " counter " + t.path("counter").asText();
            byte[] wire = bytes(t.path("wire"));
            MemorySegment src = MemorySegment.ofArray(wire);
            MemorySegment dst = inPlace ? src : MemorySegment.ofArray(new byte[wire.length]);
            long dstOff = inPlace ? TransportHeader.LENGTH : 0;
            Session receiver = p.receiver(t);
            int n = receiver.open(src, 0, wire.length, dst, dstOff);
            assertEquals(t.path("plaintext").asText().length() / 2, n, where + ": " + TransportResult.name(n));
            assertEquals(t.path("plaintext").asText(), hex(dst, dstOff, n), where);
            if (protocolOf(t) == ProtocolByte.NONE) {
                assertEquals(0, n, where + " keepalive");
            } else {
                assertEquals(protocolOf(t), dst.get(ValueLayout.JAVA_BYTE, dstOff) & 0xFF, where);
                assertEquals(t.path("payload").asText(), hex(dst, dstOff + 1, n - 1), where);
            }
        }
        for (JsonNode t : v.path("transport")) {
            byte[] wire = bytes(t.path("wire"));
            assertEquals(TransportResult.REPLAYED, p.receiver(t).open(MemorySegment.ofArray(wire), 0, wire.length,
                    MemorySegment.ofArray(new byte[wire.length]), 0), "replay of counter " + t.path("counter"));
        }
    }

    private static void decryptThenAccept(JsonNode v) {
        Pair p = Pair.of(v);
        for (JsonNode t : v.path("transport")) {
            byte[] wire = bytes(t.path("wire"));
            MemorySegment src = MemorySegment.ofArray(wire);
            MemorySegment dst = MemorySegment.ofArray(new byte[wire.length]);
            Session receiver = p.receiver(t);
            int n = receiver.decrypt(src, 0, wire.length, dst, 0);
            assertEquals(t.path("plaintext").asText(), hex(dst, 0, n));
            assertEquals(n, receiver.decrypt(src, 0, wire.length, dst, 0), "decrypt is stateless");
            long counter = TransportHeader.counter(src, 0);
            assertEquals(u64(t.path("counter")), counter);
            assertTrue(receiver.acceptCounter(counter));
            assertEquals(false, receiver.acceptCounter(counter));
        }
    }

    private static void wrongIndex(JsonNode v) {
        Pair p = Pair.of(v);
        if (p.initiator().localIndex() == p.responder().localIndex()) {
            return; // both sides drew the same index: nothing to tell apart
        }
        for (JsonNode t : v.path("transport")) {
            byte[] wire = bytes(t.path("wire"));
            assertEquals(TransportResult.WRONG_INDEX, p.sender(t).open(MemorySegment.ofArray(wire), 0, wire.length,
                    MemorySegment.ofArray(new byte[wire.length]), 0));
        }
    }

    /**
     * Each negative case on a fresh responder session. zgrnet's "replay_detected" for a packet it
     * never accepted is its window poisoned by a forgery; zgrnet-java must accept that genuine
     * packet. Exact duplicates of accepted packets stay refused.
     */
    @TestFactory
    Stream<DynamicNode> negativeCases() {
        return Vectors.perFile(v -> StreamSupport.stream(v.path("negative_cases").spliterator(), false)
                .map(c -> dynamicTest(c.path("name").asText(), () -> negative(v, c))));
    }

    private static void negative(JsonNode v, JsonNode c) {
        Session responder = Pair.of(v).responder();
        Set<String> accepted = new HashSet<>();
        int i = 0;
        for (JsonNode step : c.path("steps")) {
            String where = c.path("name").asText() + ", step " + i++ + " (zgrnet: " + step.path("result").asText() + ")";
            byte[] wire = bytes(step.path("wire"));
            long maxBefore = responder.maxReceivedCounter();
            MemorySegment dst = MemorySegment.ofArray(new byte[wire.length]);
            int n = responder.open(MemorySegment.ofArray(wire), 0, wire.length, dst, 0);
            switch (step.path("result").asText()) {
                case "decrypt_failed" -> {
                    assertEquals(TransportResult.DECRYPT_FAILED, n, where);
                    assertEquals(maxBefore, responder.maxReceivedCounter(), where + ": forgery moved the window");
                }
                case "message_too_short" -> assertEquals(TransportResult.TOO_SHORT, n, where);
                case "ok" -> {
                    assertTrue(n >= 0, where + ": " + TransportResult.name(n));
                    if (step.path("protocol").isNull()) {
                        assertEquals(0, n, where + " keepalive");
                    } else {
                        assertEquals(step.path("protocol").asInt(), dst.get(ValueLayout.JAVA_BYTE, 0) & 0xFF, where);
                        assertEquals(step.path("payload").asText(), hex(dst, 1, n - 1), where);
                    }
                    accepted.add(hex(wire));
                }
                case "replay_detected" -> {
                    if (accepted.contains(hex(wire))) {
                        assertEquals(TransportResult.REPLAYED, n, where + ": a true duplicate");
                    } else {
                        assertTrue(n >= 0, where + ": genuine packet after a forgery must survive, got "
                                + TransportResult.name(n));
                        accepted.add(hex(wire));
                        assertEquals(genuinePlaintext(v, wire), hex(dst, 0, n), where);
                    }
                }
                default -> assertTrue(n < 0, where + ": expected a refusal, got " + n);
            }
        }
    }

    /** The plaintext of the genuine transport datagram {@code wire} (it must be in transport[]). */
    private static String genuinePlaintext(JsonNode v, byte[] wire) {
        for (JsonNode t : v.path("transport")) {
            if (t.path("wire").asText().equals(hex(wire))) {
                return t.path("plaintext").asText();
            }
        }
        throw new AssertionError("accepted a datagram that is not in transport[]: " + hex(wire));
    }
}
