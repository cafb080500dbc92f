package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The in-order consumer (the reader's thread) allocates nothing per datagram, delivered or dropped:
 * a flood of forged packets must not turn into garbage on the thread that serves the application.
 * (Decryption runs on the workers and is measured by the crypto benchmarks.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReceiveAllocationTest {
    private static final int CHUNK = 500;

    /** A handler as a field-holding class, as MessageHandler's contract asks. */
    private static final class Counting implements MessageHandler {
        long messages;
        long bytes;

        @Override
        public void onMessage(PeerKey sender, int protocol, MemorySegment payload, long offset, int length) {
            messages++;
            bytes += length;
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void theConsumerAllocatesNothingPerDeliveredOrDroppedDatagram() throws Exception {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "per-thread allocation counter unavailable");
        try (UDP udp = UDP.open(config(IOMode.AUTO).build());
             ManualPeer peer = TransportLifecycleTest.connectedPeer(udp)) {
            Counting handler = new Counting();
            long[] allocated = new long[1];
            // Warm-up (the JIT compiles the consumer), then one measured round.
            for (int round = 0; round < 12; round++) {
                boolean measured = round == 11;
                long dropsBefore = udp.stats().get(TransportCounter.DROP_DECRYPT_FAILED);
                long received = udp.stats().get(TransportCounter.DATAGRAMS_RECEIVED);
                byte[] forged = ByteBuffer.allocate(13 + 32).order(ByteOrder.LITTLE_ENDIAN).put((byte) 4)
                        .putInt(peer.session.remoteIndex()).putLong(1L << 40).array();
                for (int i = 0; i < CHUNK; i++) {
                    peer.send(udp, 0, new byte[32]);
                    peer.sendRaw(forged, udp);
                }
                long expected = received + 2 * CHUNK;
                TransportLifecycleTest.await("datagrams received",
                        () -> udp.stats().get(TransportCounter.DATAGRAMS_RECEIVED) >= expected);
                long delivered = handler.messages + CHUNK;
                long allocatedBefore = allocatedBytes();
                while (handler.messages < delivered
                        || udp.stats().get(TransportCounter.DROP_DECRYPT_FAILED) < dropsBefore + CHUNK) {
                    TransportTestSupport.poll(udp, handler, 64);
                }
                if (measured) {
                    allocated[0] = allocatedBytes() - allocatedBefore;
                }
            }
            assertEquals(0, udp.stats().get(TransportCounter.DROP_RECEIVE_QUEUE_FULL));
            // One object per datagram would be at least 16 bytes each (before the fix: ~150 bytes);
            // one-off runtime work (a late JIT step, a striped counter's new cell) stays far below.
            assertTrue(allocated[0] < 8 * 2 * CHUNK, allocated[0] + " bytes allocated by the consumer for "
                    + 2 * CHUNK + " datagrams");
        }
    }
}
