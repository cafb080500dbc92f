package io.zgrnet.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PacketPoolTest {
    @Test
    void exhaustionReturnsMinusOneAndReleaseRefills() {
        try (PacketPool pool = new PacketPool(3, 64)) {
            Set<Integer> taken = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                int s = pool.acquire();
                assertTrue(s >= 0 && s < 3);
                assertTrue(taken.add(s), "distinct slots");
            }
            assertEquals(-1, pool.acquire());
            assertEquals(3, pool.outstanding());
            pool.release(1);
            assertEquals(1, pool.acquire());
            assertEquals(-1, pool.acquire());
        }
    }

    /** LIFO reuse: the slot released last is handed out next, while its cache lines are warm. */
    @Test
    void theSlotReleasedLastIsAcquiredFirst() {
        try (PacketPool pool = new PacketPool(8, 64)) {
            int a = pool.acquire();
            int b = pool.acquire();
            int c = pool.acquire();
            assertEquals(0, a, "a fresh pool hands out slot 0 first");
            pool.release(a);
            pool.release(c);
            assertEquals(c, pool.acquire());
            assertEquals(a, pool.acquire());
            assertEquals(2, pool.outstanding() - 1, "b, c and a are out");
            pool.release(b);
            assertEquals(2, pool.outstanding());
        }
    }

    @Test
    void batchesAreAcquiredAndReleasedLikeSingleSlots() {
        try (PacketPool pool = new PacketPool(4, 64, 2, 128)) {
            int[] slots = new int[6];
            assertEquals(4, pool.acquire(slots, 1, 5), "small slots only, as many as there are");
            assertEquals(4, pool.outstanding());
            assertEquals(0, pool.acquire(slots, 0, 1), "exhausted");
            slots[5] = pool.acquireLarge();
            pool.length(slots[1], 10);
            pool.release(slots, 1, 5); // four small and one large
            assertEquals(0, pool.outstanding());
            assertEquals(slots[1], pool.acquire(), "the batch's first slot is on top");
            assertEquals(0, pool.length(slots[1]), "an acquired slot starts empty");
            assertTrue(pool.acquireLarge() >= 4);
        }
    }

    @Test
    void aDoubleReleaseInABatchThrowsAndReturnsTheSlotsBeforeIt() {
        try (PacketPool pool = new PacketPool(4, 64)) {
            int[] slots = new int[3];
            assertEquals(3, pool.acquire(slots, 0, 3));
            pool.release(slots[1]);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(slots, 0, 3));
            assertTrue(e.getMessage().contains("slot " + slots[1]), e.getMessage());
            assertEquals(1, pool.outstanding(), "slots[0] came back, slots[2] is still out");
            pool.release(slots[2]);
            assertEquals(0, pool.outstanding());
        }
    }

    @Test
    void batchBoundsAreChecked() {
        try (PacketPool pool = new PacketPool(4, 64)) {
            int[] slots = new int[2];
            IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> pool.acquire(slots, 1, 2));
            assertTrue(a.getMessage().contains("max"), a.getMessage());
            IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> pool.release(slots, 0, 3));
            assertTrue(r.getMessage().contains("count"), r.getMessage());
        }
    }

    @Test
    void doubleReleaseThrows() {
        try (PacketPool pool = new PacketPool(4, 64)) {
            int s = pool.acquire();
            pool.release(s);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(s));
            assertTrue(e.getMessage().contains("slot " + s));
            assertThrows(IllegalStateException.class, () -> pool.release(3), "never acquired");
            assertEquals(0, pool.outstanding());
        }
    }

    @Test
    void acquireResetsLengthAndOffsetAndSlotsDoNotOverlap() {
        try (PacketPool pool = new PacketPool(4, 128)) {
            int s = pool.acquire();
            pool.length(s, 77);
            pool.dataOffset(s, 5);
            pool.release(s);
            int t = pool.acquire();
            while (t != s) {
                t = pool.acquire();
            }
            assertEquals(0, pool.length(s));
            assertEquals(0, pool.dataOffset(s));
            assertEquals(128, pool.slot(1).byteSize());
            assertEquals(pool.slab().address() + 2 * 128, pool.slotAddress(2));
            assertEquals(pool.addresses().address() + 3 * PacketPool.ADDRESS_SIZE, pool.addressAddress(3));
            assertEquals(0, pool.slab().address() % 4096, "page aligned");
        }
    }

    @Test
    void invalidSizesAreRejectedNamingTheArgument() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PacketPool(0, 64)).getMessage()
                .contains("slotCount"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PacketPool(1, 100)).getMessage()
                .contains("slotSize"));
    }

    @Test
    void largeSlotsFollowTheSmallOnesInTheSameSlabAndNeverMix() {
        try (PacketPool pool = new PacketPool(5, 128, 3, 4096)) {
            assertEquals(8, pool.capacity());
            assertEquals(5, pool.smallCapacity());
            assertEquals(3, pool.largeCapacity());
            assertEquals(4096, pool.maxDatagram());
            int large = pool.acquireLarge();
            assertEquals(5, large, "large slots are indices 5..7");
            assertTrue(pool.isLarge(large));
            assertEquals(4096, pool.slotSize(large));
            assertEquals(128, pool.slotSize(0));
            assertEquals(4096, pool.slot(large).byteSize());
            assertEquals(0, pool.slotOffset(large) % 4096, "large slots are page aligned");
            assertTrue(pool.slotOffset(large) >= 5 * 128, "after the small slots");
            assertEquals(pool.slotOffset(large) + 4096, pool.slotOffset(6));
            assertEquals(pool.slab().address() + pool.slotOffset(7), pool.slotAddress(7));
            assertTrue(pool.slotOffset(7) + 4096 <= pool.slab().byteSize(), "inside the slab");
            assertEquals(pool.addresses().address() + 7L * PacketPool.ADDRESS_SIZE, pool.addressAddress(7));

            assertEquals(6, pool.acquireLarge());
            assertEquals(7, pool.acquireLarge());
            assertEquals(-1, pool.acquireLarge(), "large slots exhausted");
            int small = pool.acquire();
            assertEquals(0, small, "small slots unaffected");
            assertEquals(4, pool.outstanding());
            assertEquals(3, pool.outstandingLarge());
            pool.release(6);
            assertEquals(-1, pool.acquireFor(5000), "above maxDatagram: none");
            assertEquals(6, pool.acquireFor(129), "a datagram above a small slot takes a large one");
            assertEquals(1, pool.acquireFor(128), "one that fits takes a small one");
            pool.release(large);
            pool.length(large, 4000);
            assertEquals(large, pool.acquireLarge());
            assertEquals(0, pool.length(large), "reset on acquire");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                pool.release(7);
                pool.release(7);
            });
            assertTrue(e.getMessage().contains("slot 7"));
        }
    }

    @Test
    void withoutLargeSlotsTheSmallSlotIsTheLimit() {
        try (PacketPool pool = new PacketPool(4, 128)) {
            assertEquals(0, pool.largeCapacity());
            assertEquals(128, pool.maxDatagram());
            assertEquals(-1, pool.acquireLarge());
            assertEquals(-1, pool.acquireFor(129));
            assertEquals(0, pool.acquireFor(128));
        }
    }

    /** A datagram that filled a small slot and went on in a spill area comes out whole in a large slot. */
    @Test
    void aSpilledDatagramIsCopiedWholeWithItsAddressIntoALargeSlot() {
        try (PacketPool pool = new PacketPool(4, 128, 1, 4096); Arena arena = Arena.ofConfined()) {
            MemorySegment spill = arena.allocate(2 * 4096);
            int small = pool.acquire();
            for (int i = 0; i < 128; i++) {
                pool.slab().set(ValueLayout.JAVA_BYTE, pool.slotOffset(small) + i, (byte) i);
            }
            for (int i = 0; i < 1000 - 128; i++) {
                spill.set(ValueLayout.JAVA_BYTE, 4096 + i, (byte) (128 + i));
            }
            pool.addresses().set(ValueLayout.JAVA_LONG, pool.addressOffset(small), 0x1122334455667788L);

            int large = pool.acquireLargeFromSpill(small, spill, 4096, 1000);
            assertTrue(pool.isLarge(large));
            for (int i = 0; i < 1000; i++) {
                assertEquals((byte) i, pool.slab().get(ValueLayout.JAVA_BYTE, pool.slotOffset(large) + i), "byte " + i);
            }
            assertEquals(0x1122334455667788L, pool.addresses().get(ValueLayout.JAVA_LONG, pool.addressOffset(large)));
            assertEquals(-1, pool.acquireLargeFromSpill(small, spill, 4096, 1000), "no large slot left");
            assertEquals(2, pool.outstanding(), "the small slot stays the caller's");
            pool.release(large);
            pool.release(small);
        }
    }

    @Test
    void invalidLargeSizesAreRejectedNamingTheArgument() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PacketPool(4, 2048, 2, 2048))
                .getMessage().contains("largeSlotSize"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PacketPool(4, 2048, 2, 65600))
                .getMessage().contains("largeSlotSize"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PacketPool(4, 2048, -1, 65536))
                .getMessage().contains("largeCount"));
        try (PacketPool p = new PacketPool(4, 2048, 0, 0)) {
            assertEquals(0, p.largeSlotSize(), "no large slots: size ignored");
        }
    }

    @Test
    void closedPoolHandsOutNothing() {
        PacketPool pool = new PacketPool(2, 64);
        pool.close();
        assertTrue(pool.isClosed());
        assertEquals(-1, pool.acquire());
        pool.close();
    }

    @Test
    void concurrentAcquireReleaseKeepsTheCountExact() throws Exception {
        int slots = 64;
        int threads = 4;
        int rounds = 200_000;
        try (PacketPool pool = new PacketPool(slots, 64)) {
            // owner[slot] = the thread holding it: two holders at once would be a pool bug.
            AtomicReferenceArray<Thread> owner = new AtomicReferenceArray<>(slots);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            Thread[] workers = new Thread[threads];
            for (int w = 0; w < threads; w++) {
                workers[w] = new Thread(() -> {
                    int[] held = new int[8];
                    try {
                        start.await();
                        for (int r = 0; r < rounds; r++) {
                            int n = 0;
                            int want = 1 + (r & 7);
                            while (n < want) {
                                int s = pool.acquire();
                                if (s < 0) {
                                    break;
                                }
                                if (!owner.compareAndSet(s, null, Thread.currentThread())) {
                                    throw new AssertionError("slot " + s + " handed out twice");
                                }
                                held[n++] = s;
                            }
                            for (int i = 0; i < n; i++) {
                                owner.set(held[i], null);
                                pool.release(held[i]);
                            }
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }, "pool-worker-" + w);
                workers[w].start();
            }
            start.countDown();
            for (Thread t : workers) {
                t.join(TimeUnit.SECONDS.toMillis(25));
                assertFalse(t.isAlive(), "worker finished");
            }
            if (failure.get() != null) {
                throw new AssertionError("worker failed", failure.get());
            }
            assertEquals(0, pool.outstanding());
            Set<Integer> all = new HashSet<>();
            for (int i = 0; i < slots; i++) {
                all.add(pool.acquire());
            }
            assertEquals(slots, all.size(), "every slot once");
            assertFalse(all.contains(-1));
            assertEquals(-1, pool.acquire());
        }
    }
}
