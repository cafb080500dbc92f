package io.zgrnet.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FreeSlotStackTest {
    @Test
    void lastPushedIsFirstPoppedAndEmptyIsMinusOne() {
        FreeSlotStack s = new FreeSlotStack(4);
        assertEquals(-1, s.pop());
        s.push(2);
        s.push(0);
        s.push(3);
        assertEquals(3, s.pop());
        assertEquals(0, s.pop());
        s.push(1);
        assertEquals(1, s.pop());
        assertEquals(2, s.pop());
        assertEquals(-1, s.pop());
    }

    @Test
    void capacityIsValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FreeSlotStack(0));
        assertTrue(e.getMessage().contains("capacity"), e.getMessage());
    }

    /**
     * Threads pop and push the same few slots as fast as they can (the ABA-prone pattern). A slot
     * handed to two threads at once would fail the ownership CAS; a lost slot would be missing at
     * the end.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentPopPushNeverHandsOneSlotToTwoThreadsAndLosesNone() throws Exception {
        int capacity = 8;
        int threads = 4;
        int rounds = 200_000;
        FreeSlotStack s = new FreeSlotStack(capacity);
        for (int i = 0; i < capacity; i++) {
            s.push(i);
        }
        AtomicIntegerArray owned = new AtomicIntegerArray(capacity);
        AtomicReference<String> failure = new AtomicReference<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    int[] held = new int[2];
                    for (int r = 0; r < rounds && failure.get() == null; r++) {
                        int n = 0;
                        for (int k = 0; k < 2; k++) {
                            int slot = s.pop();
                            if (slot < 0) {
                                break;
                            }
                            if (!owned.compareAndSet(slot, 0, 1)) {
                                failure.set("slot " + slot + " handed out twice");
                            }
                            held[n++] = slot;
                        }
                        for (int k = 0; k < n; k++) {
                            owned.set(held[k], 0);
                            s.push(held[k]);
                        }
                    }
                } catch (Exception e) {
                    failure.set(e.toString());
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        assertEquals(null, failure.get());
        Set<Integer> left = new HashSet<>();
        for (int slot; (slot = s.pop()) >= 0; ) {
            assertTrue(left.add(slot), "slot " + slot + " twice on the stack");
        }
        assertEquals(capacity, left.size(), "no slot lost: " + left);
    }
}
