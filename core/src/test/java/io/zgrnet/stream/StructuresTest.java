package io.zgrnet.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The mux's fixed-size structures: byte ring, stream table, early-FIN memory. */
class StructuresTest {
    @Test
    void byteRingWrapsAndRefusesOverflow() {
        ByteRing ring = new ByteRing(10);
        ring.append(new byte[] {1, 2, 3, 4, 5, 6, 7}, 0, 7);
        byte[] out = new byte[10];
        assertEquals(5, ring.read(out, 0, 5));
        ring.append(new byte[] {8, 9, 10, 11, 12, 13, 14, 15}, 0, 8); // wraps
        assertEquals(0, ring.free());
        assertThrows(IllegalStateException.class, () -> ring.append(new byte[1], 0, 1));
        assertEquals(10, ring.read(out, 0, 10));
        assertArrayEquals(new byte[] {6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, out);
        assertEquals(0, ring.read(out, 0, 10));
    }

    @Test
    void streamTableAgreesWithAHashMapUnderRandomChurn() {
        Mux mux = new Mux(MuxConfig.builder().maxStreams(64).build(), true, (b, o, l) -> { }, StreamListener.NONE);
        StreamTable table = new StreamTable(64);
        Map<Integer, io.zgrnet.stream.Stream> model = new HashMap<>();
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            // Few distinct ids, many collisions: exercises probing and backward-shift deletion.
            int id = random.nextInt(200) * 1024 + 1;
            io.zgrnet.stream.Stream have = table.get(id);
            assertSame(model.get(id), have);
            if (have != null) {
                table.remove(have);
                model.remove(id);
            } else if (!table.isFull()) {
                io.zgrnet.stream.Stream s = new io.zgrnet.stream.Stream(mux, id, 0, new byte[0], true);
                assertTrue(table.add(s));
                model.put(id, s);
            } else {
                assertFalse(table.add(new io.zgrnet.stream.Stream(mux, id, 0, new byte[0], true)));
            }
            assertEquals(model.size(), table.size());
        }
        for (int i = 0; i < table.size(); i++) {
            assertSame(model.get(table.at(i).id()), table.at(i), "dense array consistent");
        }
    }

    @Test
    void earlyFinsExpireAndAreTakenOnce() {
        EarlyFins fins = new EarlyFins(2);
        fins.remember(3, 100);
        assertTrue(fins.take(3, 50));
        assertFalse(fins.take(3, 50), "taken once");
        fins.remember(5, 100);
        assertFalse(fins.take(5, 100), "expired");
        fins.remember(7, Long.MAX_VALUE);
        fins.startClock(200);
        fins.expire(200);
        assertFalse(fins.take(7, 150), "expired when the clock started");
        fins.remember(9, 1000);
        fins.remember(11, 1000);
        fins.remember(13, 1000); // replaces the oldest
        assertFalse(fins.take(9, 0));
        assertTrue(fins.take(13, 0));
    }
}
