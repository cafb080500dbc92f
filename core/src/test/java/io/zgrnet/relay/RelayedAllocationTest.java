package io.zgrnet.relay;

import static io.zgrnet.relay.RelayedTopology.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zgrnet.IOMode;
import io.zgrnet.MessageHandler;
import io.zgrnet.PeerKey;
import io.zgrnet.TransportCounter;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The relayed data path allocates nothing per datagram: A's writing thread (seal for C, wrap in
 * RELAY_0, seal again for B) and C's consuming thread (open the RELAY_2, open the inner datagram in
 * place, check its source, deliver), measured with the thread allocation counters.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayedAllocationTest {
    private static final int CHUNK = 500;

    private static final class Counting implements MessageHandler {
        long messages;

        @Override
        public void onMessage(PeerKey sender, int protocol, MemorySegment payload, long offset, int length) {
            messages++;
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void writingAndConsumingRelayedDatagramsAllocatesNothingPerDatagram() throws Exception {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "per-thread allocation counter unavailable");
        try (RelayedTopology t = RelayedTopology.open(IOMode.NIO, k -> RelayConfig.builder(k).rateLimit(0, 1).build())) {
            t.a.connect(t.ck, WAIT);
            Counting handler = new Counting();
            byte[] payload = new byte[100];
            long written = 0;
            long consumed = 0;
            for (int round = 0; round < 12; round++) {
                long before = allocatedBytes();
                for (int i = 0; i < CHUNK; i++) {
                    while (!t.a.writeTo(t.ck, payload)) {
                        Thread.onSpinWait();
                    }
                }
                written = allocatedBytes() - before;
                long target = handler.messages + CHUNK;
                long deadline = System.nanoTime() + WAIT.toNanos();
                before = allocatedBytes();
                while (handler.messages < target && System.nanoTime() - deadline < 0) {
                    t.c.poll(handler, 64);
                }
                consumed = allocatedBytes() - before;
                assertEquals(target, handler.messages, "C " + t.c.stats());
            }
            System.getLogger(RelayedAllocationTest.class.getName()).log(System.Logger.Level.INFO,
                    "last round of {0}: {1} bytes allocated writing, {2} consuming", CHUNK, written, consumed);
            assertTrue(t.c.stats().get(TransportCounter.RELAYED_RECEIVED) >= 12L * CHUNK, t.c.stats().toString());
            // One object per datagram would be at least 16 bytes each; one-off runtime work stays far below.
            assertTrue(written < 8 * CHUNK, written + " bytes allocated writing " + CHUNK + " relayed datagrams");
            assertTrue(consumed < 8 * CHUNK, consumed + " bytes allocated consuming " + CHUNK + " relayed datagrams");
        }
    }
}
