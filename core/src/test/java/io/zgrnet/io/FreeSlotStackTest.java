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
    void pushAllPutsTheFirstOnTopAndPopManyTakesFromTheTop() {
        FreeSlotStack s = new FreeSlotStack(10, 6); // indices 10..15, as a pool's large slots
        s.push(15);
        s.pushAll(new int[] {99, 12, 10, 14, 99}, 1, 3);
        int[] out = new int[8];
        assertEquals(2, s.popMany(out, 1, 2));
        assertEquals(12, out[1]);
        assertEquals(10, out[2]);
        assertEquals(2, s.popMany(out, 0, 8), "only what is left");
        assertEquals(14, out[0]);
        assertEquals(15, out[1]);
        assertEquals(0, s.popMany(out, 0, 8), "empty");
        s.pushAll(out, 0, 0);
        assertEquals(-1, s.pop(), "pushing nothing leaves it empty");
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
        hammer((s, held, batch) -> {
            int n = 0;
            for (int k = 0; k < 2; k++) {
                int slot = s.pop();
                if (slot < 0) {
                    break;
                }
                held[n++] = slot;
            }
            return n;
        }, (s, held, n) -> {
            for (int k = 0; k < n; k++) {
                s.push(held[k]);
            }
        });
    }

    /**
     * As above, with batches: threads pop one to three slots with one CAS and push them back with
     * one. A walk down a chain that changed under it must not hand out a slot twice or lose one.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentBatchesNeverHandOneSlotToTwoThreadsAndLoseNone() throws Exception {
        hammer((s, held, batch) -> s.popMany(held, 0, batch), (s, held, n) -> s.pushAll(held, 0, n));
    }

    private interface Take {
        int take(FreeSlotStack s, int[] into, int batch);
    }

    private interface Give {
        void give(FreeSlotStack s, int[] slots, int count);
    }

    /** Four threads (batches of 1, 2, 3, 1) take and give back 8 slots 200,000 times each. */
    private static void hammer(Take take, Give give) throws Exception {
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
            int batch = 1 + t % 3;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    int[] held = new int[3];
                    for (int r = 0; r < rounds && failure.get() == null; r++) {
                        int n = take.take(s, held, batch);
                        for (int k = 0; k < n; k++) {
                            if (!owned.compareAndSet(held[k], 0, 1)) {
                                failure.set("slot " + held[k] + " handed out twice");
                            }
                        }
                        for (int k = 0; k < n; k++) {
                            owned.set(held[k], 0);
                        }
                        give.give(s, held, n);
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
