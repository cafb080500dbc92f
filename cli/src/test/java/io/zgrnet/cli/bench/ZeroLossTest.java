package io.zgrnet.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bisection against simulated receivers: no sockets, no timing, deterministic. */
class ZeroLossTest {
    /** A receiver that loses everything above {@code edge} pps; the sender reaches {@code max}. */
    private static ZeroLoss.Trials edgeAt(double edge, double max, List<Long> asked) {
        return rate -> {
            asked.add(rate);
            double offered = rate == 0 ? max : Math.min(rate, max);
            double delivered = Math.min(offered, edge);
            return new ZeroLoss.Trial(offered, delivered, 100 * (offered - delivered) / offered, 500);
        };
    }

    @Test
    void findsTheEdgeWithinTheResolutionFromBelow() throws Exception {
        List<Long> asked = new ArrayList<>();
        ZeroLoss.Row r = new ZeroLoss(0.5, 8).run("raw", "fake", 64, 0, edgeAt(600_000, 1_500_000, asked));
        assertEquals(0, asked.get(0), "the first trial is at the sender's maximum");
        assertTrue(r.found() != null, r.toString());
        double found = r.found().offeredPps();
        assertTrue(found <= 600_000 && found >= 600_000 * (1 - 2 * ZeroLoss.RESOLUTION), "found " + found);
        assertEquals(1_500_000, r.upperBoundPps());
        assertTrue(r.failPps() > 600_000, "the lowest failing rate bounds it from above: " + r.failPps());
        assertEquals(500, r.found().cpuNs(), "the CPU per datagram of the passing trial");
        for (ZeroLoss.Trial t : r.trials()) {
            assertTrue(t.passed() == t.offeredPps() <= 600_000, "every trial judged by its loss: " + t);
        }
    }

    @Test
    void aRateFailsOnlyWhenASecondTrialConfirmsIt() throws Exception {
        int[] call = {0};
        // Loses at 98 % of the delivered maximum only in its first trial there (a hiccup).
        ZeroLoss.Trials hiccup = rate -> {
            call[0]++;
            double offered = rate == 0 ? 1_000_000 : rate;
            boolean lose = rate == 0 || call[0] == 3;
            return new ZeroLoss.Trial(offered, lose ? offered * 0.9 : offered, lose ? 10 : 0, 400);
        };
        ZeroLoss.Row r = new ZeroLoss(0.5, 1).run("raw", "fake", 64, 0, hiccup);
        assertEquals(4, r.trials().size(), "two at the maximum, the failed trial, its confirmation");
        assertEquals(900_000 * ZeroLoss.FIRST_GUESS, r.found().offeredPps(), 1);
    }

    @Test
    void aSenderThatCannotOverloadTheReceiverEndsTheSearch() throws Exception {
        List<Long> asked = new ArrayList<>();
        ZeroLoss.Row r = new ZeroLoss(0.5, 6).run("e2e", "fake", 64, 2, edgeAt(2_000_000, 1_000_000, asked));
        assertEquals(List.of(0L, 0L), asked, "two trials at the maximum, both without loss");
        assertEquals(1_000_000, r.found().offeredPps());
        assertTrue(r.note().contains("sender is the limit"), r.note());
    }

    /**
     * The first trial's sender was cold: it offered 300k and lost nothing. The second reaches the
     * real maximum and loses above the receiver's edge, so the search goes on above 300k instead
     * of reporting the cold sender as the limit.
     */
    @Test
    void aColdFirstTrialDoesNotEndTheSearch() throws Exception {
        List<Long> asked = new ArrayList<>();
        ZeroLoss.Trials receiver = edgeAt(600_000, 1_500_000, asked);
        ZeroLoss.Trials coldFirst = rate -> asked.isEmpty()
                ? receiver.run(300_000) // what a cold sender reached when asked for its maximum
                : receiver.run(rate);
        ZeroLoss.Row r = new ZeroLoss(0.5, 8).run("e2e", "fake", 64, 2, coldFirst);
        assertEquals(1_500_000, r.upperBoundPps(), "the faster trial at the maximum is the bound");
        double found = r.found().offeredPps();
        assertTrue(found <= 600_000 && found >= 600_000 * (1 - 2 * ZeroLoss.RESOLUTION), "found " + found);
    }

    @Test
    void nothingPassingIsANoteNotAResult() throws Exception {
        ZeroLoss.Row r = new ZeroLoss(0.5, 3).run("raw", "fake", 64, 0, rate -> new ZeroLoss.Trial(
                rate == 0 ? 1e6 : rate, 0, 100, Double.NaN));
        assertNull(r.found());
        assertTrue(r.note().startsWith("no trial passed"), r.note());
        assertThrows(IllegalArgumentException.class, () -> new ZeroLoss(0, 3));
    }
}
