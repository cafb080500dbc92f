package io.zgrnet.peer;

import static io.zgrnet.testing.Vectors.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.testing.Vectors;
import java.util.Random;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ReplayWindowTest {

    /** Every op of every replay_filter_cases entry: check, then update, then max. */
    @TestFactory
    Stream<DynamicNode> vectorCases() {
        return Vectors.perFile(v -> StreamSupport.stream(v.path("replay_filter_cases").spliterator(), false)
                .map(c -> dynamicTest(c.path("name").asText(), () -> replay(c))));
    }

    private static void replay(JsonNode c) {
        ReplayWindow w = new ReplayWindow();
        int i = 0;
        for (JsonNode op : c.path("ops")) {
            long n = u64(op.path("nonce"));
            boolean accepted = op.path("accepted").asBoolean();
            String where = "op " + i++ + " nonce " + Long.toUnsignedString(n);
            long maxBefore = w.max();
            assertEquals(accepted, w.check(n), where + " check");
            assertEquals(accepted, w.check(n), where + " check is repeatable");
            assertEquals(maxBefore, w.max(), where + " check moved max");
            assertEquals(accepted, w.update(n), where + " update");
            assertEquals(u64(op.path("max_nonce_after")), w.max(), where + " max after");
            assertFalse(w.check(n), where + " accepted twice");
        }
    }

    @Test
    void freshWindowAcceptsZeroOnce() {
        ReplayWindow w = new ReplayWindow();
        assertEquals(0, w.max());
        assertTrue(w.update(0));
        assertFalse(w.update(0));
    }

    @Test
    void resetForgetsEverything() {
        ReplayWindow w = new ReplayWindow();
        w.update(-1L);
        w.reset();
        assertEquals(0, w.max());
        assertTrue(w.update(5));
        assertTrue(w.update(0));
    }

    /**
     * Differential test against a direct port of zgrnet's replay.go (a 2048-bit bitmap shifted on
     * every advance) over deterministic random walks: small steps, big jumps, duplicates, the u64
     * top, and counters just outside the window.
     */
    @Test
    void matchesShiftingBitmapReference() {
        Random r = new Random(20240611L);
        for (int walk = 0; walk < 40; walk++) {
            ReplayWindow w = new ReplayWindow();
            GoReplayFilter ref = new GoReplayFilter();
            long cur = walk % 4 == 0 ? -1L - r.nextInt(100_000) : r.nextInt(5000);
            for (int i = 0; i < 5000; i++) {
                long n = switch (r.nextInt(8)) {
                    case 0 -> cur + 1 + r.nextInt(4);                 // in order
                    case 1 -> cur + r.nextInt(3 * ReplayWindow.WINDOW_SIZE); // jump
                    case 2 -> ref.max;                                    // duplicate of max
                    case 3 -> ref.max - 2047 - r.nextInt(3);              // window edge
                    case 4 -> ref.max - r.nextInt(70);                    // word boundary zone
                    case 5 -> cur - r.nextInt(ReplayWindow.WINDOW_SIZE);  // late
                    case 6 -> r.nextLong();                               // anywhere
                    default -> ref.max - 63 - 64L * r.nextInt(34);
                };
                boolean ok = ref.check(n);
                assertEquals(ok, w.check(n), "walk " + walk + " op " + i + " check " + Long.toUnsignedString(n));
                if (r.nextInt(4) != 0) { // sometimes only check, as open() does for a forged datagram
                    assertEquals(ok, ref.checkAndUpdate(n));
                    assertEquals(ok, w.update(n), "walk " + walk + " op " + i + " update");
                }
                assertEquals(ref.max, w.max());
                if (Long.compareUnsigned(n, cur) > 0 && r.nextInt(8) != 6) {
                    cur = n;
                }
            }
        }
    }

    /** zgrnet replay.go, transcribed: bitmap bit d means counter max - d was seen. */
    private static final class GoReplayFilter {
        private static final int SIZE = 2048;
        private static final int WORDS = SIZE / 64;
        private final long[] bitmap = new long[WORDS];
        long max;

        boolean check(long n) {
            if (Long.compareUnsigned(n, max) > 0) {
                return true;
            }
            long d = max - n;
            if (Long.compareUnsigned(d, SIZE) >= 0) {
                return false;
            }
            return ((bitmap[(int) (d / 64)] >>> (d % 64)) & 1) == 0;
        }

        boolean checkAndUpdate(long n) {
            if (!check(n)) {
                return false;
            }
            if (Long.compareUnsigned(n, max) > 0) {
                slide(n - max);
                max = n;
                bitmap[0] |= 1;
            } else {
                long d = max - n;
                bitmap[(int) (d / 64)] |= 1L << (d % 64);
            }
            return true;
        }

        private void slide(long shift) {
            if (Long.compareUnsigned(shift, SIZE) >= 0) {
                java.util.Arrays.fill(bitmap, 0);
                return;
            }
            int ws = (int) (shift / 64);
            int bs = (int) (shift % 64);
            if (ws > 0) {
                System.arraycopy(bitmap, 0, bitmap, ws, WORDS - ws);
                java.util.Arrays.fill(bitmap, 0, ws, 0);
            }
            if (bs > 0) {
                long carry = 0;
                for (int i = 0; i < WORDS; i++) {
                    long word = bitmap[i];
                    bitmap[i] = (word << bs) | carry;
                    carry = word >>> (64 - bs);
                }
            }
        }
    }
}
