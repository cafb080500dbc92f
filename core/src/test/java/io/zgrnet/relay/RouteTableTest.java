package io.zgrnet.relay;

import static io.zgrnet.relay.ServiceVectors.A;
import static io.zgrnet.relay.ServiceVectors.B;
import static io.zgrnet.relay.ServiceVectors.R;
import static io.zgrnet.relay.ServiceVectors.R2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.PeerKey;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Static routes, learned routes (static wins), the hook, and Go's NextHop/RelayFor. */
class RouteTableTest {

    private static MemorySegment bytes(PeerKey k) {
        return PeerDirectoryTest.at(k, 0);
    }

    @Test
    void noRouteMeansDirect() {
        RouteTable t = new RouteTable(4, 4);
        assertSame(B, t.nextHop(B));
        assertNull(t.relayFor(B));
        assertNull(t.lookup(bytes(B), 0, 0));
    }

    @Test
    void staticRoutesAndRemoval() {
        RouteTable t = new RouteTable(4, 4);
        assertTrue(t.put(B, R));
        assertEquals(R, t.nextHop(B));
        assertEquals(R, t.relayFor(B));
        assertEquals(R, t.lookup(bytes(B), 0, 0));
        assertTrue(t.put(B, R2), "replaced");
        assertEquals(R2, t.relayFor(B));
        assertTrue(t.remove(B));
        assertFalse(t.remove(B));
        assertNull(t.relayFor(B));
    }

    @Test
    void aRouteToItselfIsDirect() {
        RouteTable t = new RouteTable(4, 4);
        t.put(R, R);
        assertEquals(R, t.nextHop(R));
        assertNull(t.relayFor(R));
    }

    @Test
    void learnedRoutesNeverOverrideStaticOnes() {
        // Go lets any relayed handshake init rewrite the route (services.md §6.4.7); we do not.
        RouteTable t = new RouteTable(4, 4);
        t.put(A, R2);
        assertFalse(t.learn(A, R));
        assertEquals(R2, t.relayFor(A));
        t.remove(A);
        assertNull(t.relayFor(A), "the refused learn left nothing behind");
        assertTrue(t.learn(A, R));
        assertEquals(R, t.relayFor(A));
        assertEquals(R, t.lookup(bytes(A), 0, 0));
        assertTrue(t.put(A, R2), "a static route set later wins over the learned one");
        assertEquals(R2, t.relayFor(A));
        assertTrue(t.remove(A));
        assertEquals(R, t.relayFor(A), "the learned route is still there underneath");
        assertTrue(t.learn(A, A), "learning 'via itself' means direct");
        assertNull(t.relayFor(A));
        assertTrue(t.learnedRoutes().isEmpty());
    }

    @Test
    void tablesAreBounded() {
        RouteTable t = new RouteTable(1, 1);
        assertTrue(t.put(A, R));
        assertFalse(t.put(B, R));
        assertTrue(t.put(A, R2), "replacing is not growth");
        assertTrue(t.learn(B, R));
        assertFalse(t.learn(R2, R));
        assertEquals(1, t.staticRoutes().size());
        assertEquals(1, t.learnedRoutes().size());
    }

    @Test
    void theHookIsAskedFirstAndMayDecline() {
        RouteTable t = new RouteTable(4, 4);
        t.put(B, R);
        int[] strategies = new int[1];
        t.hook((dst, off, strategy) -> {
            strategies[0] = strategy;
            return dst.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off) == B.toBytes()[0] && strategy == 1 ? R2 : null;
        });
        assertEquals(R2, t.lookup(bytes(B), 0, 1));
        assertEquals(1, strategies[0]);
        assertEquals(R, t.lookup(bytes(B), 0, 0), "declined: the table decides");
        t.hook(null);
        assertEquals(R, t.lookup(bytes(B), 0, 1));
    }
}
