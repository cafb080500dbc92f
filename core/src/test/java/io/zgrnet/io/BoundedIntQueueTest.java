package io.zgrnet.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BoundedIntQueueTest {
    @Test
    void fifoBoundedAndReusableAcrossLaps() {
        BoundedIntQueue q = new BoundedIntQueue(4);
        assertEquals(4, q.capacity());
        for (int lap = 0; lap < 3; lap++) {
            for (int i = 0; i < 4; i++) {
                assertTrue(q.offer(lap * 10 + i));
            }
            assertFalse(q.offer(99), "full queue must refuse");
            for (int i = 0; i < 4; i++) {
                assertEquals(lap * 10 + i, q.poll());
            }
            assertEquals(-1, q.poll());
        }
        assertEquals(8, new BoundedIntQueue(5).capacity());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentProducersAndConsumersLoseAndDuplicateNothing() throws Exception {
        BoundedIntQueue q = new BoundedIntQueue(64);
        int perProducer = 50_000;
        int producers = 2;
        AtomicLong sum = new AtomicLong();
        AtomicLong count = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perProducer; i++) {
                    while (!q.offer(base + i)) {
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        for (int c = 0; c < 2; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (count.get() < (long) producers * perProducer) {
                    int v = q.poll();
                    if (v >= 0) {
                        sum.addAndGet(v);
                        count.incrementAndGet();
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        long n = (long) producers * perProducer;
        assertEquals(n, count.get());
        assertEquals(n * (n - 1) / 2, sum.get());
    }
}
