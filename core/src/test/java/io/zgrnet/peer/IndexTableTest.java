package io.zgrnet.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IndexTableTest {
    @Test
    void putGetRemoveIncludingZeroAndNegativeIndices() {
        IndexTable<String> t = new IndexTable<>();
        assertTrue(t.put(0, "zero"));
        assertTrue(t.put(-1, "minus one"));
        assertFalse(t.put(0, "again"), "an index in use must be refused");
        assertEquals("zero", t.get(0));
        assertEquals("minus one", t.get(-1));
        assertNull(t.get(1));
        assertFalse(t.remove(0, "other value"));
        assertTrue(t.remove(0, "zero"));
        assertNull(t.get(0));
        assertEquals(1, t.size());
    }

    @Test
    void allocateNeverCollidesAndSurvivesGrowthAndChurn() {
        IndexTable<Integer> t = new IndexTable<>();
        SplittableRandom random = new SplittableRandom(42);
        // A generator with a tiny range forces collisions that allocate must skip.
        var tiny = new java.util.random.RandomGenerator() {
            @Override
            public long nextLong() {
                return random.nextInt(5000);
            }

            @Override
            public int nextInt() {
                return random.nextInt(5000);
            }
        };
        Map<Integer, Integer> model = new HashMap<>();
        for (int round = 0; round < 20_000; round++) {
            if (model.size() < 2000 && (model.isEmpty() || random.nextInt(3) != 0)) {
                Integer v = round;
                int index = t.allocate(v, tiny);
                assertFalse(model.containsKey(index), "allocate returned an index in use: " + index);
                model.put(index, v);
            } else {
                int index = model.keySet().iterator().next();
                assertTrue(t.remove(index, model.remove(index)));
            }
        }
        assertEquals(model.size(), t.size());
        for (Map.Entry<Integer, Integer> e : model.entrySet()) {
            assertSame(e.getValue(), t.get(e.getKey()));
        }
    }
}
