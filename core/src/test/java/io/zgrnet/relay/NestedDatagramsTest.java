package io.zgrnet.relay;

import static io.zgrnet.relay.ServiceVectors.A;
import static io.zgrnet.relay.ServiceVectors.B;
import static io.zgrnet.relay.ServiceVectors.R;
import static io.zgrnet.relay.ServiceVectors.R2;
import static io.zgrnet.relay.ServiceVectors.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.PeerKey;
import io.zgrnet.noise.Initiator;
import io.zgrnet.noise.KeyPair;
import io.zgrnet.noise.ReceivedInit;
import io.zgrnet.noise.Responder;
import io.zgrnet.noise.SessionKeys;
import io.zgrnet.peer.Session;
import io.zgrnet.ping.FakeClock;
import io.zgrnet.testing.SharedFiles;
import io.zgrnet.testing.Vectors;
import io.zgrnet.wire.MessageType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every layer of {@code nested_datagrams} rebuilt byte for byte with our codecs, engine and sender
 * plus the existing {@code noise} and {@code peer.Session} code, and peeled back at each hop: a
 * relayed IK handshake A↔B through R, a relayed KCP SYN, the reply B→A, and a path through two
 * relays. Each hop is a real transport datagram over the fixed hop sessions; each relay runs a
 * {@link RelayEngine} on what it decrypted, and its output is the next hop's body.
 */
class NestedDatagramsTest {
    private static final JsonNode V = ServiceVectors.section("nested_datagrams");
    private static final JsonNode HS = V.path("relayed_handshake").path("end_to_end_session");

    /** One node: its relay engine, sender, routes, and the hop sessions to its neighbours. */
    private static final class Node {
        final PeerKey key;
        final PeerDirectory directory = ServiceVectors.directoryOfAll();
        final RouteTable routes = new RouteTable(8, 8);
        final RelayEngine engine;
        final RelaySender sender = new RelaySender(routes, directory);
        final Map<PeerKey, Session> hops = new HashMap<>();

        Node(PeerKey key) {
            this.key = key;
            this.engine = new RelayEngine(RelayConfig.builder(key).build(), directory, routes, new FakeClock(0));
        }
    }

    private final Map<String, Node> nodes = new HashMap<>();
    private final RelayAction action = new RelayAction();

    NestedDatagramsTest() {
        nodes.put("A", new Node(A));
        nodes.put("B", new Node(B));
        nodes.put("R", new Node(R));
        nodes.put("R2", new Node(R2));
        for (JsonNode link : V.path("links")) {
            String x = link.path("between").get(0).asText();
            String y = link.path("between").get(1).asText();
            hop(link, x, y);
            hop(link, y, x);
        }
    }

    /** The fixed hop session of {@code me} towards {@code peer} (test keys, not from a handshake). */
    private void hop(JsonNode link, String me, String peer) {
        SessionKeys k = SessionKeys.of(
                SharedFiles.hex(link.path("key_" + me + "_to_" + peer).asText()),
                SharedFiles.hex(link.path("key_" + peer + "_to_" + me).asText()),
                Vectors.u32(link.path(me + "_local_index")), Vectors.u32(link.path(peer + "_local_index")),
                ServiceVectors.node(peer).toBytes(), me.compareTo(peer) < 0);
        nodes.get(me).hops.put(ServiceVectors.node(peer), new Session(k));
    }

    /**
     * One hop: {@code step.from} seals the body it built under its session with {@code step.to}
     * (must equal the vector's datagram), {@code step.to} opens it; returns the receiver's engine
     * decision on the decrypted message.
     */
    private int hopAndHandle(JsonNode step, MemorySegment body, long off, int len) {
        assertEquals(step.path("body_hex").asText(), hex(body, off, len), step.path("step").asText() + ": body");
        Node from = nodes.get(step.path("from").asText());
        Node to = nodes.get(step.path("to").asText());
        MemorySegment wire = MemorySegment.ofArray(new byte[512]);
        int n = from.hops.get(to.key).sealAt(step.path("counter").asLong(), step.path("protocol").asInt(), body, off,
                len, wire, 0);
        assertEquals(step.path("datagram_len").asInt(), n, step.path("step").asText());
        assertEquals(step.path("datagram_hex").asText(), hex(wire, 0, n), step.path("step").asText() + ": datagram");

        MemorySegment plain = MemorySegment.ofArray(new byte[512]);
        int p = to.hops.get(from.key).open(wire, 0, n, plain, 0);
        assertEquals(len + 1, p, "opened");
        int protocol = plain.get(ValueLayout.JAVA_BYTE, 0) & 0xFF;
        assertEquals(step.path("protocol").asInt(), protocol);
        MemorySegment out = MemorySegment.ofArray(new byte[512]);
        return to.engine.handle(from.key, protocol, plain, 1, p - 1, out, 0, 512, action);
    }

    /** The relay's decision must be to forward exactly the next step's body to its receiver. */
    private void assertForwardedAs(int kind, JsonNode next) {
        assertEquals(RelayAction.FORWARD, kind, action.toString());
        assertEquals(ServiceVectors.node(next.path("to").asText()), action.target());
        assertEquals(next.path("protocol").asInt(), action.protocol());
    }

    private static String le(int v) {
        return String.format("%02x%02x%02x%02x", v & 0xFF, v >>> 8 & 0xFF, v >>> 16 & 0xFF, v >>> 24 & 0xFF);
    }

    private static SecureRandom draws(String hexText) {
        return new FixedRandom(SharedFiles.hex(hexText));
    }

    /** The relayed handshake; returns {A's, B's} end-to-end session keys. */
    private SessionKeys[] handshake() throws Exception {
        JsonNode steps = V.path("relayed_handshake").path("steps");
        JsonNode draws = HS.path("random_draws_in_order");
        Node a = nodes.get("A");
        Node b = nodes.get("B");
        a.routes.put(B, R); // set by the application on the initiator (§4.6)

        Initiator init = Initiator.start(KeyPair.fromPrivate(ServiceVectors.privateKey("A")), B.toBytes(),
                Vectors.u32(HS.path("A_index")), draws(draws.path("A_ephemeral_private_raw").asText()));
        byte[] initMsg = init.initMessage();
        assertEquals(HS.path("handshake_init_hex").asText(), Vectors.hex(initMsg));
        // The DRBG's index draws are the indices, little endian.
        assertEquals(draws.path("A_index_le").asText(), le(Vectors.u32(HS.path("A_index"))));
        assertEquals(draws.path("B_index_le").asText(), le(Vectors.u32(HS.path("B_index"))));

        // 1 A -> R: A wraps its init for B and sends it to the relay its route names.
        assertSame(R, a.sender.relayFor(B));
        MemorySegment body = MemorySegment.ofArray(new byte[256]);
        int n = a.sender.wrap(B, MemorySegment.ofArray(initMsg), 0, initMsg.length, body, 0, 256);
        int kind = hopAndHandle(steps.get(0), body, 0, n);
        assertForwardedAs(kind, steps.get(1));

        // 2 R -> B: B gets the init in a RELAY_2 from R.
        kind = hopAndHandle(steps.get(1), action.output(), action.offset(), action.length());
        assertEquals(RelayAction.DELIVER, kind);
        assertSame(R, action.via());
        assertEquals(MessageType.HANDSHAKE_INIT, MessageType.of(action.input(), action.innerOffset(),
                action.innerLength()));
        ReceivedInit received = assertInstanceOf(ReceivedInit.class, new Responder(KeyPair.fromPrivate(
                ServiceVectors.privateKey("B"))).readInit(action.input(), action.innerOffset(), action.innerLength()));
        PeerKey initiator = PeerKey.of(received.initiatorStatic());
        assertEquals(A, initiator);
        assertTrue(b.engine.verifyRelayedSource(action, initiator));
        // Authenticated: now B learns to answer A through R (Go does it before authenticating).
        assertTrue(b.routes.learn(initiator, action.via()));
        MemorySegment resp = MemorySegment.ofArray(new byte[57]);
        SessionKeys bKeys = assertInstanceOf(SessionKeys.class, received.respond(Vectors.u32(HS.path("B_index")),
                draws(draws.path("B_ephemeral_private_raw").asText()), resp, 0));
        assertEquals(HS.path("handshake_resp_hex").asText(), hex(resp, 0, 57));

        // 3 B -> R: the response goes back the way the init came.
        assertSame(R, b.sender.relayFor(A));
        n = b.sender.wrap(A, resp, 0, 57, body, 0, 256);
        kind = hopAndHandle(steps.get(2), body, 0, n);
        assertForwardedAs(kind, steps.get(3));

        // 4 R -> A: A matches the response to its pending handshake.
        kind = hopAndHandle(steps.get(3), action.output(), action.offset(), action.length());
        assertEquals(RelayAction.DELIVER, kind);
        assertTrue(a.engine.verifyRelayedSource(action, B));
        SessionKeys aKeys = assertInstanceOf(SessionKeys.class, init.readResponse(action.input(),
                action.innerOffset(), action.innerLength()));
        assertEquals(Vectors.u32(HS.path("B_index")), aKeys.remoteIndex());
        assertEquals(Vectors.u32(HS.path("A_index")), bKeys.remoteIndex());
        // The split keys are the vectors' keys: the inner datagrams below are sealed with them.
        return new SessionKeys[] {aKeys, bKeys};
    }

    @Test
    void relayedHandshake() throws Exception {
        handshake();
        assertEquals(2, nodes.get("R").engine.stats().get(RelayCounter.RELAY2_SENT));
    }

    @Test
    void relayedKcpSyn() throws Exception {
        SessionKeys[] keys = handshake();
        Session aToB = new Session(keys[0]);
        Session bFromA = new Session(keys[1]);
        JsonNode steps = V.path("relayed_transport_kcp_syn");
        JsonNode inner = steps.get(0);
        MemorySegment innerWire = MemorySegment.ofArray(new byte[128]);
        MemorySegment synFrame = MemorySegment.ofArray(SharedFiles.hex(inner.path("body_hex").asText()));
        int n = aToB.sealAt(inner.path("counter").asLong(), inner.path("protocol").asInt(), synFrame, 0,
                (int) synFrame.byteSize(), innerWire, 0);
        assertEquals(inner.path("inner_datagram_hex").asText(), hex(innerWire, 0, n));

        MemorySegment body = MemorySegment.ofArray(new byte[256]);
        int len = nodes.get("A").sender.wrap(B, innerWire, 0, n, body, 0, 256);
        int kind = hopAndHandle(steps.get(1), body, 0, len);
        assertForwardedAs(kind, steps.get(2));
        kind = hopAndHandle(steps.get(2), action.output(), action.offset(), action.length());
        assertEquals(RelayAction.DELIVER, kind);
        assertEquals(inner.path("inner_datagram_hex").asText(), hex(action.input(), action.innerOffset(),
                action.innerLength()), "the relay did not touch it");
        MemorySegment plain = MemorySegment.ofArray(new byte[64]);
        int p = bFromA.open(action.input(), action.innerOffset(), action.innerLength(), plain, 0);
        assertEquals(steps.get(3).path("inner_plaintext_hex").asText(), hex(plain, 0, p));
        assertTrue(nodes.get("B").engine.verifyRelayedSource(action, A));
    }

    @Test
    void relayedReply() throws Exception {
        SessionKeys[] keys = handshake();
        Session bToA = new Session(keys[1]);
        Session aFromB = new Session(keys[0]);
        JsonNode steps = V.path("relayed_reply_raw");
        JsonNode inner = steps.get(0);
        MemorySegment innerWire = MemorySegment.ofArray(new byte[128]);
        MemorySegment hi = MemorySegment.ofArray(SharedFiles.hex(inner.path("body_hex").asText()));
        int n = bToA.sealAt(inner.path("counter").asLong(), inner.path("protocol").asInt(), hi, 0,
                (int) hi.byteSize(), innerWire, 0);
        assertEquals(inner.path("inner_datagram_hex").asText(), hex(innerWire, 0, n));

        // B answers through the route it learned from the relayed init.
        Node b = nodes.get("B");
        assertSame(R, b.sender.relayFor(A));
        MemorySegment body = MemorySegment.ofArray(new byte[256]);
        int len = b.sender.wrap(A, innerWire, 0, n, body, 0, 256);
        int kind = hopAndHandle(steps.get(1), body, 0, len);
        assertForwardedAs(kind, steps.get(2));
        kind = hopAndHandle(steps.get(2), action.output(), action.offset(), action.length());
        assertEquals(RelayAction.DELIVER, kind);
        MemorySegment plain = MemorySegment.ofArray(new byte[64]);
        int p = aFromB.open(action.input(), action.innerOffset(), action.innerLength(), plain, 0);
        assertEquals("00" + inner.path("body_hex").asText(), hex(plain, 0, p));
        assertTrue(nodes.get("A").engine.verifyRelayedSource(action, B));
    }

    @Test
    void twoRelays() throws Exception {
        SessionKeys[] keys = handshake();
        Session aToB = new Session(keys[0]);
        Session bFromA = new Session(keys[1]);
        JsonNode steps = V.path("two_relays");
        JsonNode inner = steps.get(0);
        byte[] plainExpected = SharedFiles.hex(steps.get(4).path("inner_plaintext_hex").asText());
        assertEquals(inner.path("protocol").asInt(), plainExpected[0] & 0xFF);
        MemorySegment innerWire = MemorySegment.ofArray(new byte[128]);
        int n = aToB.sealAt(inner.path("counter").asLong(), inner.path("protocol").asInt(),
                MemorySegment.ofArray(plainExpected), 1, plainExpected.length - 1, innerWire, 0);
        assertEquals(inner.path("inner_datagram_hex").asText(), hex(innerWire, 0, n));

        // This path asks for strategy 1 (fastest); our RelaySender always writes 0, so the
        // RELAY_0 is built with the codec directly.
        MemorySegment body = MemorySegment.ofArray(new byte[256]);
        MemorySegment bKey = MemorySegment.ofArray(B.toBytes());
        int len = Relay0.write(body, 0, RelayConstants.DEFAULT_TTL, RelayConstants.STRATEGY_FASTEST, bKey, 0,
                innerWire, 0, n);
        nodes.get("R").routes.put(B, R2);
        int kind = hopAndHandle(steps.get(1), body, 0, len);
        assertForwardedAs(kind, steps.get(2));
        kind = hopAndHandle(steps.get(2), action.output(), action.offset(), action.length());
        assertForwardedAs(kind, steps.get(3));
        kind = hopAndHandle(steps.get(3), action.output(), action.offset(), action.length());
        assertEquals(RelayAction.DELIVER, kind);
        assertSame(R2, action.via());
        MemorySegment plain = MemorySegment.ofArray(new byte[64]);
        int p = bFromA.open(action.input(), action.innerOffset(), action.innerLength(), plain, 0);
        assertEquals(steps.get(4).path("inner_plaintext_hex").asText(), hex(plain, 0, p));
        assertTrue(nodes.get("B").engine.verifyRelayedSource(action, A));
    }

    /** Hands out fixed bytes as "random" draws: the vectors' DRBG output, once. */
    private static final class FixedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] bytes;
        private boolean used;

        FixedRandom(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public void nextBytes(byte[] out) {
            if (used || out.length != bytes.length) {
                throw new IllegalStateException("unexpected draw of " + out.length + " bytes");
            }
            used = true;
            System.arraycopy(bytes, 0, out, 0, out.length);
        }
    }
}
