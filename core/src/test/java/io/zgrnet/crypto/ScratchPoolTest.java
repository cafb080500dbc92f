package io.zgrnet.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The scratch pool behind the multi-block engine: sizing, exhaustion, and use from many threads. */
class ScratchPoolTest {
    @Test
    void slotCountIsAPowerOfTwoBetween8And256() {
        assertEquals(8, ScratchPool.slotCount(1));
        assertEquals(8, ScratchPool.slotCount(4));
        assertEquals(16, ScratchPool.slotCount(5));
        assertEquals(64, ScratchPool.slotCount(32));
        assertEquals(256, ScratchPool.slotCount(1000));
    }

    @Test
    void exhaustedPoolFallsBackToTheScalarEngine() {
        // One thread can hold every slot it probes; the next AEAD call must still be correct.
        List<Integer> held = new ArrayList<>();
        try {
            int slot;
            while ((slot = ScratchPool.acquire()) >= 0) {
                assertTrue(!held.contains(slot), "slot handed out twice");
                held.add(slot);
            }
            assertTrue(held.size() >= 1);
            SplittableRandom random = new SplittableRandom(3);
            byte[] key = ChaChaPolyTest.bytes(random, 32);
            byte[] pt = ChaChaPolyTest.bytes(random, 1200);
            byte[] sealed = ChaChaPoly.seal(AeadKey.of(key), 77, new byte[0], pt);
            assertArrayEquals(JdkChaChaPoly.seal(key, JdkChaChaPoly.nonce(77), new byte[0], pt), sealed);
            assertArrayEquals(pt, ChaChaPoly.open(AeadKey.of(key), 77, new byte[0], sealed));
        } finally {
            held.forEach(ScratchPool::release);
        }
        int again = ScratchPool.acquire();
        assertNotEquals(-1, again, "released slots are reusable");
        ScratchPool.release(again);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentCallersNeverSeeEachOthersKeystream() throws Exception {
        int threads = 8;
        int perThread = 400;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = 1000 + t;
                results.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    byte[] key = ChaChaPolyTest.bytes(random, 32);
                    AeadKey aeadKey = AeadKey.of(key);
                    int checked = 0;
                    for (int i = 0; i < perThread; i++) {
                        byte[] pt = ChaChaPolyTest.bytes(random, 256 + random.nextInt(2000));
                        long counter = random.nextLong();
                        byte[] sealed = ChaChaPoly.seal(aeadKey, counter, new byte[0], pt);
                        if (i % 50 == 0) {
                            assertArrayEquals(JdkChaChaPoly.seal(key, JdkChaChaPoly.nonce(counter), new byte[0], pt), sealed);
                        }
                        assertArrayEquals(pt, ChaChaPoly.open(aeadKey, counter, new byte[0], sealed));
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(perThread, f.get(50, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
