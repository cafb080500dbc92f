package io.zgrnet.relay;

import static io.zgrnet.relay.RelayCodecTest.each;
import static io.zgrnet.relay.ServiceVectors.B;
import static io.zgrnet.relay.ServiceVectors.R;
import static io.zgrnet.relay.ServiceVectors.R2;
import static io.zgrnet.relay.ServiceVectors.hex;
import static io.zgrnet.relay.ServiceVectors.padded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.PeerKey;
import io.zgrnet.ping.FakeClock;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code bind_alias} steps of zgrnet's relay library, in order, through one engine in bind
 * mode at R: the same forwards, the same BIND answers with ids 1 and 2, the same ALIAS forwards
 * (ttl reset to 8, strategy 0) and refusals. Go reports both refusals as "no route"; we name them.
 */
class BindAliasVectorsTest {
    private static final int PAD = 3;

    private final PeerDirectory directory = ServiceVectors.directoryOfAll();
    private final RouteTable routes = new RouteTable(8, 8);
    private final FakeClock clock = new FakeClock(0);
    private final RelayEngine engine = new RelayEngine(RelayConfig.builder(R).bindMode(true).build(), directory,
            routes, clock);
    private final RelayAction a = new RelayAction();
    private final MemorySegment out = MemorySegment.ofArray(new byte[PAD + 512]);

    @Test
    void everyStepInOrder() {
        JsonNode section = ServiceVectors.section("bind_alias");
        assertEquals(RelayConstants.RESERVED_RELAY_ID + 1, section.path("bind_table_first_id").asInt());
        List<JsonNode> steps = each(section.path("steps")).toList();
        assertEquals(6, steps.size());
        for (JsonNode step : steps) {
            String call = step.path("call").asText();
            if (call.contains("route B->R2")) {
                routes.put(B, R2);
            }
            PeerKey from = ServiceVectors.node(step.path("from").asText());
            String body = step.path("body_hex").asText();
            int protocol = call.startsWith("HandleRelay0WithBind") ? 66 : 73;
            int kind = engine.handle(from, protocol, padded(body, PAD), PAD, body.length() / 2, out, PAD, 512, a);
            if (protocol == 66) {
                assertTrue(step.path("error").isNull());
                assertAction(step.path("forward"), kind, call);
                JsonNode bind = step.path("bind");
                assertTrue(a.hasAnswer(), call);
                assertEquals(bind.path("protocol").asInt(), a.answerProtocol());
                assertEquals(ServiceVectors.key(bind.path("send_to").asText()), from, "the BIND goes to the sender");
                assertEquals(bind.path("body_hex").asText(), hex(a.answerSegment(), a.answerOffset(),
                        a.answerLength()));
            } else {
                JsonNode outcome = step.path("outcome");
                if (outcome.path("result").asText().equals("action")) {
                    assertAction(outcome, kind, call);
                    assertFalse(a.hasAnswer());
                } else {
                    assertEquals("relay: no route to destination", outcome.path("error").asText());
                    assertEquals(RelayAction.REFUSED, kind);
                    assertEquals(step.path("relay_id").asInt() == 99 ? RelayCounter.REFUSED_UNKNOWN_ALIAS
                            : RelayCounter.REFUSED_SOURCE_MISMATCH, a.reason(), call);
                }
            }
        }
        assertEquals(2, engine.stats().get(RelayCounter.BINDS_SENT));
        assertEquals(2, engine.binds().size());
    }

    @Test
    void aRepeatedRelay0DoesNotAnnounceAgain() {
        // zgrnet's library allocates a new id and sends a new BIND for every RELAY_0; we bind once.
        String body = each(ServiceVectors.section("bind_alias").path("steps")).findFirst().orElseThrow()
                .path("body_hex").asText();
        PeerKey a0 = ServiceVectors.A;
        assertEquals(RelayAction.FORWARD, engine.handle(a0, 66, padded(body, 0), 0, body.length() / 2, out, 0, 512, a));
        assertTrue(a.hasAnswer());
        assertEquals(RelayAction.FORWARD, engine.handle(a0, 66, padded(body, 0), 0, body.length() / 2, out, 0, 512, a));
        assertFalse(a.hasAnswer());
        assertEquals(1, engine.binds().size());
    }

    @Test
    void aFullTableStillForwards() {
        RelayEngine small = new RelayEngine(RelayConfig.builder(R).bindMode(true).bindCapacity(1).build(), directory,
                routes, clock);
        String body = each(ServiceVectors.section("bind_alias").path("steps")).findFirst().orElseThrow()
                .path("body_hex").asText();
        assertEquals(RelayAction.FORWARD, small.handle(ServiceVectors.A, 66, padded(body, 0), 0, body.length() / 2,
                out, 0, 512, a));
        assertTrue(a.hasAnswer());
        assertEquals(RelayAction.FORWARD, small.handle(B, 66, padded(body.replace(B.toHex(),
                ServiceVectors.A.toHex()), 0), 0, body.length() / 2, out, 0, 512, a));
        assertFalse(a.hasAnswer());
        assertEquals(1, small.stats().get(RelayCounter.BIND_TABLE_FULL));
    }

    @Test
    void bindingsExpireByAge() {
        String body = each(ServiceVectors.section("bind_alias").path("steps")).findFirst().orElseThrow()
                .path("body_hex").asText();
        engine.handle(ServiceVectors.A, 66, padded(body, 0), 0, body.length() / 2, out, 0, 512, a);
        clock.advance(1_000);
        assertEquals(0, engine.expireBindings(1_001));
        assertEquals(1, engine.expireBindings(1_000));
        String alias = "01000000653265";
        assertEquals(RelayAction.REFUSED, engine.handle(ServiceVectors.A, 73, padded(alias, 0), 0, 7, out, 0, 512, a));
        assertEquals(RelayCounter.REFUSED_UNKNOWN_ALIAS, a.reason());
    }

    private void assertAction(JsonNode expected, int kind, String call) {
        assertEquals(RelayAction.FORWARD, kind, call + ": " + a);
        assertEquals(ServiceVectors.key(expected.path("send_to").asText()), a.target(), call);
        assertEquals(expected.path("protocol").asInt(), a.protocol(), call);
        assertEquals(expected.path("body_hex").asText(), hex(a.output(), a.offset(), a.length()), call);
    }
}
