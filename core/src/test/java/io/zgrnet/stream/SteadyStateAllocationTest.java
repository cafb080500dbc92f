package io.zgrnet.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Once streams exist and the segment pool has grown to its high-water mark, the per-packet path
 * (write, flush, frame output, input, ACK processing, drain, read, update) allocates nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SteadyStateAllocationTest {
    private static final int ROUND = 500;

    /** Frames wait in preallocated slots, each with its MemorySegment made once. */
    private static final class SlotLink implements FrameOutput {
        final byte[][] slots = new byte[256][1500];
        final MemorySegment[] segments = new MemorySegment[256];
        final int[] lengths = new int[256];
        int count;
        Mux target;

        SlotLink() {
            for (int i = 0; i < slots.length; i++) {
                segments[i] = MemorySegment.ofArray(slots[i]);
            }
        }

        @Override
        public void sendFrame(byte[] buf, int off, int len) {
            System.arraycopy(buf, off, slots[count], 0, len);
            lengths[count++] = len;
        }

        void deliver() {
            for (int i = 0; i < count; i++) {
                target.input(segments[i], 0, lengths[i]);
            }
            count = 0;
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void thePerPacketPathAllocatesNothing() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "per-thread allocation counter unavailable");
        SlotLink ab = new SlotLink();
        SlotLink ba = new SlotLink();
        Mux a = new Mux(MuxConfig.defaults(), true, ab, StreamListener.NONE);
        Mux b = new Mux(MuxConfig.defaults(), false, ba, StreamListener.NONE);
        ab.target = b;
        ba.target = a;
        a.update(0);
        b.update(0);
        io.zgrnet.stream.Stream s = a.open();
        ab.deliver();
        io.zgrnet.stream.Stream r = b.accept();
        byte[] data = new byte[3000];
        byte[] buf = new byte[8192];
        long now = 0;
        long received = 0;
        long allocated = 0;
        for (int round = 0; round < 30; round++) {
            long before = allocatedBytes();
            for (int i = 0; i < ROUND; i++) {
                now += 10;
                assertEquals(data.length, s.write(data, 0, data.length));
                ab.deliver();
                a.update(now);
                b.update(now);
                ab.deliver();
                ba.deliver();
                int n;
                while ((n = r.read(buf, 0, buf.length)) > 0) {
                    received += n;
                }
            }
            allocated = allocatedBytes() - before;
        }
        assertEquals(30L * ROUND * data.length, received);
        // One object per packet would be 16+ bytes each; a late JIT step stays far below.
        assertTrue(allocated < 8 * ROUND, allocated + " bytes allocated for " + ROUND + " writes of 3000 B");
    }
}
