package io.zgrnet.peer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zgrnet.noise.SessionKeys;
import io.zgrnet.wire.TransportHeader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The per-datagram code of this package and {@code wire} allocates nothing: header parsing and
 * writing, the replay window, and every {@link Session#open} path that ends before the AEAD (which
 * belongs to the crypto package and is measured by its own benchmarks). Measured with the JVM's
 * per-thread allocation counter after a warm-up, so the JIT has compiled the loop.
 * (The full seal/open path is measured by HandshakeBenchmark with {@code -prof gc}.)
 */
class AllocationTest {
    private static final int WARMUP = 200_000;
    private static final int MEASURED = 100_000;

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().threadId());
    }

    @Test
    void headerWindowAndEarlyDropsDoNotAllocate() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "per-thread allocation counter unavailable");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment d = arena.allocate(64);
            MemorySegment out = arena.allocate(64);
            Session s = new Session(SessionKeys.of(new byte[32], new byte[32], 7, 9, new byte[32], true));
            ReplayWindow w = new ReplayWindow();
            long sink = loop(d, out, s, w, WARMUP);
            long before = allocatedBytes();
            sink += loop(d, out, s, w, MEASURED);
            long allocated = allocatedBytes() - before;
            // A per-datagram allocation would be at least 16 bytes per iteration; the counter itself
            // and one-off runtime work (a late JIT step) account for a few hundred bytes in total.
            assertTrue(allocated < MEASURED, allocated + " bytes allocated in " + MEASURED + " iterations (sink "
                    + sink + ")");
        }
    }

    private static long loop(MemorySegment d, MemorySegment out, Session s, ReplayWindow w, int n) {
        long sink = 0;
        for (int i = 0; i < n; i++) {
            TransportHeader.write(d, 0, 7, i);
            sink += TransportHeader.validate(d, 0, 29) + TransportHeader.receiverIndex(d, 0)
                    + TransportHeader.counter(d, 0);
            sink += w.check(i) ? 1 : 0;
            sink += w.update(i * 3L) ? 1 : 0;
            sink += s.open(d, 0, 28, out, 0);                 // too short
            TransportHeader.write(d, 0, 8, i);
            sink += s.open(d, 0, 40, out, 0);                 // wrong index
        }
        return sink;
    }
}
