package io.zgrnet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class OrderedPipelineTest {
    @Test
    void rejectsBadCapacity() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OrderedPipeline(6, s -> s));
        assertTrue(e.getMessage().contains("capacity"));
    }

    @Test
    void deliversInArrivalOrderEvenWhenProcessedOutOfOrder() {
        OrderedPipeline p = new OrderedPipeline(8, slot -> slot * 10);
        for (int i = 0; i < 3; i++) {
            assertTrue(p.offer(i));
        }
        assertFalse(p.headReady());
        assertEquals(1, p.processOne());
        assertTrue(p.headReady());
        assertEquals(0, p.headSlot());
        assertEquals(0, p.headResult());
        p.advance();
        assertFalse(p.headReady());
        assertEquals(1, p.processOne());
        assertEquals(1, p.processOne());
        assertEquals(0, p.processOne());
        assertEquals(1, p.headSlot());
        assertEquals(10, p.headResult());
        p.advance();
        assertEquals(20, p.headResult());
        p.advance();
        assertEquals(0, p.size());
    }

    @Test
    void fullRingRefusesWithoutBlockingAndRecoversAfterConsume() {
        OrderedPipeline p = new OrderedPipeline(4, slot -> 0);
        for (int i = 0; i < 4; i++) {
            assertTrue(p.offer(i));
        }
        assertFalse(p.offer(99), "a full ring must refuse, not block");
        p.processOne();
        p.advance();
        assertTrue(p.offer(4));
    }

    @Test
    void processorExceptionCompletesTheEntryAsDropped() {
        OrderedPipeline p = new OrderedPipeline(4, slot -> {
            throw new IllegalStateException("boom");
        });
        p.offer(1);
        assertEquals(1, p.processOne());
        assertTrue(p.headReady());
        assertEquals(Integer.MIN_VALUE, p.headResult());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void manyWorkersKeepOrderAcrossLaps() throws Exception {
        final int total = 100_000;
        // Uneven work per slot, so workers finish out of order.
        OrderedPipeline p = new OrderedPipeline(256, slot -> {
            int spins = (slot * 7919) & 63;
            for (int i = 0; i < spins; i++) {
                Thread.onSpinWait();
            }
            return slot ^ 0x5a5a;
        });
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            Thread t = Thread.ofPlatform().name("worker-" + w).start(() -> {
                while (!stop.get()) {
                    if (p.processOne() == 0) {
                        Thread.onSpinWait();
                    }
                }
            });
            workers.add(t);
        }
        long[] refused = new long[1];
        Thread producer = Thread.ofPlatform().name("producer").start(() -> {
            int next = 0;
            while (next < total) {
                if (p.offer(next)) {
                    next++;
                } else {
                    refused[0]++;
                    Thread.onSpinWait();
                }
            }
        });
        int expected = 0;
        while (expected < total) {
            if (p.headReady()) {
                assertEquals(expected, p.headSlot());
                assertEquals(expected ^ 0x5a5a, p.headResult());
                p.advance();
                expected++;
            } else {
                Thread.onSpinWait();
            }
        }
        producer.join();
        stop.set(true);
        for (Thread t : workers) {
            t.join();
        }
        assertEquals(0, p.size());
    }
}
