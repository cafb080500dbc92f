package io.zgrnet.relay;

import static io.zgrnet.relay.ServiceVectors.A;
import static io.zgrnet.relay.ServiceVectors.B;
import static io.zgrnet.relay.ServiceVectors.R;
import static io.zgrnet.relay.ServiceVectors.R2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zgrnet.ping.FakeClock;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The engine's per-datagram paths allocate nothing once every neighbour has been seen: forwarding
 * (RELAY_2 and RELAY_1), delivering, answering a ping, and a refusal, on off-heap buffers as the
 * transport's pool provides them. Measured with the JVM's per-thread allocation counter after a
 * warm-up (a short loop: a few tens of milliseconds).
 */
class RelayAllocationTest {
    private static final int WARMUP = 30_000;
    private static final int MEASURED = 20_000;

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().threadId());
    }

    @Test
    void handleDoesNotAllocate() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "per-thread allocation counter unavailable");
        PeerDirectory directory = ServiceVectors.directoryOfAll();
        RouteTable routes = new RouteTable(8, 8);
        routes.put(R2, R2);
        routes.put(A, R2); // RELAY_0 to A from B goes on as RELAY_1 via R2
        RelayEngine engine = new RelayEngine(RelayConfig.builder(R).rateLimit(0, 1).build(), directory, routes,
                new FakeClock(0));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment direct = body(arena, B, A);
            MemorySegment routed = body(arena, A, B);
            MemorySegment out = arena.allocate(256);
            RelayAction a = new RelayAction();
            long sink = loop(engine, direct, routed, out, a, WARMUP);
            long before = allocatedBytes();
            sink += loop(engine, direct, routed, out, a, MEASURED);
            long allocated = allocatedBytes() - before;
            assertTrue(allocated < MEASURED, allocated + " bytes allocated in " + MEASURED + " iterations (sink "
                    + sink + ")");
        }
        assertEquals(0, engine.stats().get(RelayCounter.REFUSED_NO_ROUTE));
    }

    /** A RELAY_0 to {@code dst} with a 40-byte payload; the first bytes double as a PING and a RELAY_2. */
    private static MemorySegment body(Arena arena, io.zgrnet.PeerKey src, io.zgrnet.PeerKey dst) {
        MemorySegment s = arena.allocate(34 + 40);
        MemorySegment.copy(MemorySegment.ofArray(dst.toBytes()), 0, s, 2, 32);
        s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 8);
        return s;
    }

    private static long loop(RelayEngine e, MemorySegment direct, MemorySegment routed, MemorySegment out,
                             RelayAction a, int n) {
        long sink = 0;
        for (int i = 0; i < n; i++) {
            sink += e.handle(A, 66, direct, 0, 74, out, 0, 256, a);     // RELAY_2 to B
            sink += e.handle(B, 66, routed, 0, 74, out, 0, 256, a);     // RELAY_1 to R2
            sink += e.handle(A, 68, direct, 0, 74, out, 0, 256, a);     // DELIVER
            sink += e.handle(A, 70, direct, 0, 12, out, 0, 256, a);     // PONG
            sink += e.handle(A, 66, direct, 0, 20, out, 0, 256, a);     // too short
            sink += a.length();
        }
        return sink;
    }
}
