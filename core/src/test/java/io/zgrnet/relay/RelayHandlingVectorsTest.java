package io.zgrnet.relay;

import static io.zgrnet.relay.RelayCodecTest.each;
import static io.zgrnet.relay.ServiceVectors.A;
import static io.zgrnet.relay.ServiceVectors.hex;
import static io.zgrnet.relay.ServiceVectors.padded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.PeerKey;
import io.zgrnet.ping.FakeClock;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code relay_handling} vector replayed through {@link RelayEngine}: same next hop, same
 * protocol byte, same body byte for byte, or a refusal for the same reason; and the route-table
 * semantics of Go's {@code NextHop}/{@code RelayFor}.
 */
class RelayHandlingVectorsTest {
    private static final int PAD = 5;

    @TestFactory
    Stream<DynamicTest> handlers() {
        return each(ServiceVectors.section("relay_handling").path("handlers"))
                .map(v -> dynamicTest(v.path("name").asText(), () -> replay(v)));
    }

    private static void replay(JsonNode v) {
        PeerKey at = ServiceVectors.node(v.path("at").asText());
        PeerDirectory directory = ServiceVectors.directoryOfAll();
        RouteTable routes = new RouteTable(16, 16);
        for (JsonNode r : v.path("routes")) {
            routes.put(ServiceVectors.key(r.path("dst").asText()), ServiceVectors.key(r.path("next_hop").asText()));
        }
        RelayEngine engine = new RelayEngine(RelayConfig.builder(at).build(), directory, routes, new FakeClock(0));
        String handler = v.path("handler").asText();
        int protocol = switch (handler) {
            case "HandleRelay0" -> 66;
            case "HandleRelay1" -> 67;
            case "HandleRelay2" -> 68;
            default -> throw new IllegalArgumentException(handler);
        };
        // HandleRelay1/2 take no sender in Go. The RELAY_1 cases run at R2, whose routes may point
        // back at R, so the sender must not be R (that would be a loop, which we refuse): we let A
        // hand it over. The RELAY_2 case runs at B, delivered by R.
        PeerKey from = v.has("from") ? ServiceVectors.key(v.path("from").asText()) : protocol == 67 ? A
                : ServiceVectors.R;
        JsonNode outcome = v.path("outcome");
        String body = protocol == 68 ? outcome.path("src").asText() + outcome.path("inner_hex").asText()
                : v.path("body_hex").asText();
        MemorySegment in = padded(body, PAD);
        MemorySegment out = MemorySegment.ofArray(new byte[PAD + 2048]);
        RelayAction a = new RelayAction();
        int kind = engine.handle(from, protocol, in, PAD, body.length() / 2, out, PAD, 2048, a);

        if (protocol == 68) {
            assertEquals(RelayAction.DELIVER, kind, a.toString());
            assertSame(from, a.via());
            assertEquals(outcome.path("src").asText(), hex(a.input(), a.sourceOffset(), 32));
            assertEquals(outcome.path("inner_hex").asText(), hex(a.input(), a.innerOffset(), a.innerLength()));
            assertEquals(1, engine.stats().get(RelayCounter.DELIVERED));
        } else if (outcome.path("result").asText().equals("action")) {
            assertEquals(RelayAction.FORWARD, kind, a.toString());
            assertEquals(ServiceVectors.key(outcome.path("send_to").asText()), a.target());
            assertSame(directory.canonical(a.target()), a.target(), "the directory's instance");
            assertEquals(outcome.path("protocol").asInt(), a.protocol());
            assertEquals(outcome.path("body_hex").asText(), hex(a.output(), a.offset(), a.length()));
            assertEquals(PAD, a.offset());
            assertEquals(1, engine.stats().get(a.protocol() == 68 ? RelayCounter.RELAY2_SENT
                    : RelayCounter.RELAY1_SENT));
            // Never more than one datagram out, and no extra answer outside bind mode.
            assertEquals(0, a.answerLength());
        } else {
            assertEquals(RelayAction.REFUSED, kind, a.toString());
            RelayCounter expected = switch (outcome.path("error").asText()) {
                case "relay: TTL expired" -> RelayCounter.REFUSED_TTL_EXPIRED;
                case "relay: message too short" -> RelayCounter.REFUSED_TOO_SHORT;
                default -> throw new IllegalArgumentException(outcome.toString());
            };
            assertEquals(expected, a.reason());
            assertEquals(1, engine.stats().get(expected));
        }
    }

    @Test
    void routeTableSemantics() {
        JsonNode t = ServiceVectors.section("relay_handling").path("route_table");
        RouteTable routes = new RouteTable(16, 16);
        for (JsonNode r : t.path("routes")) {
            routes.put(ServiceVectors.key(r.path("dst").asText()), ServiceVectors.key(r.path("next_hop").asText()));
        }
        PeerKey[] dsts = {ServiceVectors.B, ServiceVectors.R, A};
        String[] names = {"B", "R", "A_no_route"};
        for (int i = 0; i < dsts.length; i++) {
            assertEquals(ServiceVectors.key(t.path("NextHop").path(names[i]).asText()), routes.nextHop(dsts[i]),
                    "NextHop " + names[i]);
            JsonNode relay = t.path("RelayFor").path(names[i]);
            if (relay.isNull()) {
                assertNull(routes.relayFor(dsts[i]), "RelayFor " + names[i]);
            } else {
                assertEquals(ServiceVectors.key(relay.asText()), routes.relayFor(dsts[i]), "RelayFor " + names[i]);
            }
        }
    }
}
