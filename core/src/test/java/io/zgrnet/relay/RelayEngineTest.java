package io.zgrnet.relay;

import static io.zgrnet.relay.ServiceVectors.A;
import static io.zgrnet.relay.ServiceVectors.B;
import static io.zgrnet.relay.ServiceVectors.R;
import static io.zgrnet.relay.ServiceVectors.R2;
import static io.zgrnet.relay.ServiceVectors.hex;
import static io.zgrnet.relay.ServiceVectors.padded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.PeerKey;
import io.zgrnet.ping.FakeClock;
import io.zgrnet.ping.NodeMetrics;
import io.zgrnet.testing.SharedFiles;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The engine's decisions beyond what Go's vectors cover: every refusal reason, the PING answer
 * (the {@code ping_pong} handler vectors), what passes through, the source check at the
 * destination, and the bookkeeping (exactly one outcome counter per datagram, nothing written on a
 * refusal).
 */
class RelayEngineTest {
    private static final long MS = 1_000_000;
    private static final String INNER = "6532652d63697068657274657874";

    private final PeerDirectory directory = ServiceVectors.directoryOfAll();
    private final RouteTable routes = new RouteTable(8, 8);
    private final FakeClock clock = new FakeClock(42 * MS);
    private final RelayAction a = new RelayAction();
    private final byte[] outBytes = new byte[1024];
    private final MemorySegment out = MemorySegment.ofArray(outBytes);
    private int handled;

    private RelayEngine engine(PeerKey at) {
        return new RelayEngine(RelayConfig.builder(at).build(), directory, routes, clock);
    }

    private static String relay0(int ttl, int strategy, PeerKey dst, String payload) {
        return String.format("%02x%02x", ttl, strategy) + dst.toHex() + payload;
    }

    private static String relay1(int ttl, int strategy, PeerKey src, PeerKey dst, String payload) {
        return String.format("%02x%02x", ttl, strategy) + src.toHex() + dst.toHex() + payload;
    }

    private int handle(RelayEngine e, PeerKey from, int protocol, String bodyHex) {
        return handle(e, from, protocol, bodyHex, outBytes.length);
    }

    private int handle(RelayEngine e, PeerKey from, int protocol, String bodyHex, int outCap) {
        handled++;
        return e.handle(from, protocol, padded(bodyHex, 1), 1, bodyHex.length() / 2, out, 0, outCap, a);
    }

    private void assertRefused(RelayCounter reason, int kind) {
        assertEquals(RelayAction.REFUSED, kind, a.toString());
        assertEquals(reason, a.reason());
        assertTrue(reason.isRefusal());
    }

    /** Every handled datagram moved exactly one outcome counter. */
    private void assertOneOutcomeEach(RelayEngine e) {
        long sum = 0;
        for (RelayCounter c : RelayCounter.values()) {
            if (c != RelayCounter.BINDS_SENT && c != RelayCounter.BIND_TABLE_FULL) {
                sum += e.stats().get(c);
            }
        }
        assertEquals(handled, sum, e.stats().toString());
    }

    private void assertNothingWritten() {
        for (byte b : outBytes) {
            assertEquals(0, b);
        }
    }

    // ------------------------------------------------------------------------------ loops

    @Test
    void loopsAreRefused() {
        RelayEngine r = engine(R);
        // Back to the sender: dst is the sender itself (a reflection)...
        assertRefused(RelayCounter.REFUSED_LOOP, handle(r, A, 66, relay0(8, 0, A, INNER)));
        // ...or the route for dst leads back to the sender.
        routes.put(B, A);
        assertRefused(RelayCounter.REFUSED_LOOP, handle(r, A, 66, relay0(8, 0, B, INNER)));
        // Addressed to this relay, or routed through itself.
        assertRefused(RelayCounter.REFUSED_LOOP, handle(r, A, 66, relay0(8, 0, R, INNER)));
        routes.put(B, R);
        assertRefused(RelayCounter.REFUSED_LOOP, handle(r, A, 66, relay0(8, 0, B, INNER)));
        assertNothingWritten();
        assertEquals(4, r.stats().get(RelayCounter.REFUSED_LOOP));
        assertOneOutcomeEach(r);
    }

    @Test
    void relay1BouncingBackIsALoop() {
        // relay_handling's relay1_via_next_relay with R as the sender: R2 would send it back to R.
        RelayEngine r2 = engine(R2);
        routes.put(B, R);
        assertRefused(RelayCounter.REFUSED_LOOP, handle(r2, R, 67, relay1(7, 2, A, B, INNER)));
        assertEquals(RelayAction.FORWARD, handle(r2, A, 67, relay1(7, 2, A, B, INNER)), "from elsewhere it is fine");
        assertOneOutcomeEach(r2);
    }

    // ------------------------------------------------------------------------------ routes

    @Test
    void nextHopMustBeAKnownPeer() {
        RelayEngine r = engine(R);
        byte[] stranger = new byte[32];
        new Random(3).nextBytes(stranger);
        PeerKey s = PeerKey.of(stranger);
        assertRefused(RelayCounter.REFUSED_NO_ROUTE, handle(r, A, 66, relay0(8, 0, s, INNER)));
        routes.put(B, s);
        assertRefused(RelayCounter.REFUSED_NO_ROUTE, handle(r, A, 66, relay0(8, 0, B, INNER)));
        routes.put(s, R2);
        assertEquals(RelayAction.FORWARD, handle(r, A, 66, relay0(8, 0, s, INNER)),
                "an unknown destination behind a known relay is fine");
        assertEquals(R2, a.target());
        assertEquals(67, a.protocol());
        directory.remove(R2);
        assertRefused(RelayCounter.REFUSED_NO_ROUTE, handle(r, A, 66, relay0(8, 0, s, INNER)));
        assertOneOutcomeEach(r);
    }

    @Test
    void learnedRoutesAndTheHookSteerForwarding() {
        RelayEngine r = engine(R);
        routes.learn(B, R2);
        assertEquals(RelayAction.FORWARD, handle(r, A, 66, relay0(3, 0, B, INNER)));
        assertEquals(R2, a.target());
        assertEquals(relay1(2, 0, A, B, INNER), hex(out, 0, a.length()));
        routes.hook((dst, off, strategy) -> strategy == RelayConstants.STRATEGY_CHEAPEST ? B : null);
        assertEquals(RelayAction.FORWARD, handle(r, A, 66, relay0(3, 2, B, INNER)));
        assertEquals(B, a.target(), "the hook said: direct");
        assertEquals(68, a.protocol());
        assertEquals(A.toHex() + INNER, hex(out, 0, a.length()));
        assertOneOutcomeEach(r);
    }

    @Test
    void theSenderMustBeInTheDirectory() {
        RelayEngine r = engine(R);
        byte[] k = new byte[32];
        k[0] = 9;
        assertRefused(RelayCounter.REFUSED_UNKNOWN_SENDER, handle(r, PeerKey.of(k), 66, relay0(8, 0, B, INNER)));
        assertNothingWritten();
    }

    // ------------------------------------------------------------------------------ sizes

    @Test
    void emptyPayloadsAreRefusedEverywhere() {
        RelayEngine r = engine(R);
        assertRefused(RelayCounter.REFUSED_EMPTY_PAYLOAD, handle(r, A, 66, relay0(8, 0, B, "")));
        assertRefused(RelayCounter.REFUSED_EMPTY_PAYLOAD, handle(r, A, 67, relay1(8, 0, A, B, "")));
        assertRefused(RelayCounter.REFUSED_EMPTY_PAYLOAD, handle(r, A, 68, B.toHex()));
        assertRefused(RelayCounter.REFUSED_TOO_SHORT, handle(r, A, 68, B.toHex().substring(2)));
        assertRefused(RelayCounter.REFUSED_TOO_SHORT, handle(r, A, 67, relay1(8, 0, A, B, "").substring(2)));
        assertNothingWritten();
        assertOneOutcomeEach(r);
    }

    @Test
    void oversizeAndSmallBuffersAreRefusedBeforeWriting() {
        RelayEngine r = new RelayEngine(RelayConfig.builder(R).maxBodyLength(100).build(), directory, routes, clock);
        String payload = "ab".repeat(50);
        // RELAY_2: 32 + 50 = 82 fits; RELAY_1: 66 + 50 = 116 does not.
        assertEquals(RelayAction.FORWARD, handle(r, A, 66, relay0(8, 0, B, payload)));
        assertEquals(82, a.length());
        java.util.Arrays.fill(outBytes, (byte) 0);
        routes.put(B, R2);
        assertRefused(RelayCounter.REFUSED_OVERSIZE, handle(r, A, 66, relay0(8, 0, B, payload)));
        routes.remove(B);
        assertRefused(RelayCounter.REFUSED_BUFFER_TOO_SMALL, handle(r, A, 66, relay0(8, 0, B, payload), 81));
        assertNothingWritten();
        assertEquals(RelayAction.FORWARD, handle(r, A, 66, relay0(8, 0, B, payload), 82), "exactly enough");
        assertOneOutcomeEach(r);
    }

    @Test
    void theDefaultLimitIsTheLargestSealablePayload() {
        RelayEngine r = engine(R);
        routes.put(B, R2);
        byte[] big = new byte[65505 - 66 + 1];
        byte[] body = new byte[34 + big.length];
        body[0] = 8;
        System.arraycopy(B.toBytes(), 0, body, 2, 32);
        MemorySegment outBig = MemorySegment.ofArray(new byte[70_000]);
        handled++;
        assertRefused(RelayCounter.REFUSED_OVERSIZE, r.handle(A, 66, MemorySegment.ofArray(body), 0, body.length,
                outBig, 0, 70_000, a));
        handled++;
        assertEquals(RelayAction.FORWARD, r.handle(A, 66, MemorySegment.ofArray(body), 0, body.length - 1, outBig, 0,
                70_000, a));
        assertEquals(65505, a.length());
        assertOneOutcomeEach(r);
    }

    // ------------------------------------------------------------------------------ rate, switches

    @Test
    void eachNeighbourIsRateLimitedOnTheInjectedClock() {
        RelayEngine r = new RelayEngine(RelayConfig.builder(R).rateLimit(10, 2).build(), directory, routes, clock);
        String m = relay0(8, 0, B, INNER);
        assertEquals(RelayAction.FORWARD, handle(r, A, 66, m));
        assertEquals(RelayAction.FORWARD, handle(r, A, 66, m));
        assertRefused(RelayCounter.REFUSED_RATE_LIMITED, handle(r, A, 66, m));
        assertRefused(RelayCounter.REFUSED_RATE_LIMITED, handle(r, A, 70, "00".repeat(12))); // pings share it
        assertEquals(RelayAction.FORWARD, handle(r, R2, 66, m), "another neighbour is not affected");
        clock.advance(100 * MS);
        assertEquals(RelayAction.FORWARD, handle(r, A, 66, m), "one packet per 100 ms");
        assertRefused(RelayCounter.REFUSED_RATE_LIMITED, handle(r, A, 66, m));
        // Delivering costs no send: not limited.
        assertEquals(RelayAction.DELIVER, handle(r, A, 68, A.toHex() + INNER));
        assertOneOutcomeEach(r);
    }

    @Test
    void withRelayingOffOnlyRelay2IsHandled() {
        // A Go node without a route table drops RELAY_0/1 and PINGs but delivers RELAY_2.
        RelayEngine r = new RelayEngine(RelayConfig.builder(R).relaying(false).answerPings(false).build(), directory,
                routes, clock);
        assertRefused(RelayCounter.REFUSED_RELAY_DISABLED, handle(r, A, 66, relay0(8, 0, B, INNER)));
        assertRefused(RelayCounter.REFUSED_RELAY_DISABLED, handle(r, A, 67, relay1(8, 0, A, B, INNER)));
        assertRefused(RelayCounter.REFUSED_PING_DISABLED, handle(r, A, 70, "00".repeat(12)));
        assertEquals(RelayAction.DELIVER, handle(r, A, 68, A.toHex() + INNER));
        assertOneOutcomeEach(r);
    }

    @Test
    void everythingElsePassesToTheApplication() {
        RelayEngine r = engine(R);
        for (int p : new int[] {0, 64, 69, 71, 72, 73, 74, 75, 76, 77, 128, 255}) {
            assertEquals(RelayAction.PASS, handle(r, A, p, "0102030405"), "protocol " + p);
        }
        assertNothingWritten();
        assertOneOutcomeEach(r);
    }

    // ------------------------------------------------------------------------------ ping

    @Test
    void pingIsAnsweredAsGoDoes() {
        JsonNode v = ServiceVectors.section("ping_pong");
        JsonNode m = v.path("metrics");
        RelayEngine r = new RelayEngine(RelayConfig.builder(R).metrics(new NodeMetrics(m.path("load").asInt(),
                m.path("relay_count").asInt(), m.path("bw_avail").asInt(), m.path("price").asLong())).build(),
                directory, routes, clock);
        PeerKey from = ServiceVectors.key(v.path("handle_ping").path("from").asText());
        JsonNode outcome = v.path("handle_ping").path("outcome");
        assertEquals(RelayAction.ANSWER, handle(r, from, 70, v.path("ping").path("encoded_hex").asText()));
        assertEquals(ServiceVectors.key(outcome.path("send_to").asText()), a.target());
        assertSame(from, a.target(), "straight back to the sender");
        assertEquals(outcome.path("protocol").asInt(), a.protocol());
        assertEquals(outcome.path("body_hex").asText(), hex(out, 0, a.length()));

        // The decode cases: trailing bytes ignored (zero metrics), short pings refused.
        r.metrics(NodeMetrics.ZERO);
        for (JsonNode c : v.path("decode_cases")) {
            String name = c.path("name").asText();
            if (name.startsWith("ping_11")) {
                assertRefused(RelayCounter.REFUSED_TOO_SHORT, handle(r, from, 70, "00".repeat(11)));
            } else if (name.startsWith("ping_14")) {
                assertEquals(RelayAction.ANSWER, handle(r, from, 70, c.path("input_hex").asText()));
                assertEquals(c.path("outcome").path("body_hex").asText(), hex(out, 0, a.length()));
            }
        }
        assertRefused(RelayCounter.REFUSED_BUFFER_TOO_SMALL, handle(r, from, 70, "00".repeat(12), 20));
        assertEquals(2, r.stats().get(RelayCounter.PONGS_SENT));
        assertOneOutcomeEach(r);
    }

    // ------------------------------------------------------------------------------ destination

    @Test
    void theDestinationChecksTheClaimedSourceAfterwards() {
        RelayEngine b = engine(B);
        assertEquals(RelayAction.DELIVER, handle(b, R, 68, A.toHex() + INNER));
        assertSame(R, a.via());
        assertEquals(INNER, hex(a.input(), a.innerOffset(), a.innerLength()));
        // The inner datagram authenticated as A's session: fine. As anyone else: a lying relay.
        assertTrue(b.verifyRelayedSource(a, A));
        assertFalse(b.verifyRelayedSource(a, R2));
        assertEquals(1, b.stats().get(RelayCounter.REFUSED_SOURCE_MISMATCH));
        RelayAction notDelivered = new RelayAction();
        b.handle(R, 64, padded("00", 0), 0, 1, out, 0, 16, notDelivered);
        assertFalse(b.verifyRelayedSource(notDelivered, A), "only a DELIVER has a source");
    }

    @Test
    void theInnerDatagramIsNeverTouched() {
        RelayEngine r = engine(R);
        byte[] inner = SharedFiles.hex(INNER);
        String body = relay0(8, 0, B, INNER);
        MemorySegment in = padded(body, 0);
        byte[] before = in.toArray(ValueLayout.JAVA_BYTE);
        handled++;
        assertEquals(RelayAction.FORWARD, r.handle(A, 66, in, 0, body.length() / 2, out, 0, 1024, a));
        assertEquals(hex(MemorySegment.ofArray(inner), 0, inner.length), hex(out, 32, inner.length));
        assertEquals(hex(MemorySegment.ofArray(before), 0, before.length), hex(in, 0, before.length), "input unchanged");
    }

    @Test
    void configurationErrorsNameTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RelayConfig.builder(R).maxBodyLength(70_000).build());
        assertTrue(e.getMessage().startsWith("maxBodyLength"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RelayConfig.builder(R).rateLimit(-1, 1).build());
        assertTrue(e.getMessage().startsWith("ratePerSecond"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RelayConfig.builder(null).build());
        assertTrue(e.getMessage().startsWith("localKey"), e.getMessage());
    }
}
