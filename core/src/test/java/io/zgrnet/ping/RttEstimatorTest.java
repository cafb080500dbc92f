package io.zgrnet.ping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** RFC 6298's formulas on hand-computed sequences. */
class RttEstimatorTest {
    private static final long MS = 1_000_000;

    /** No lower bound, so the formula's value shows. */
    private static RttEstimator unclamped() {
        return new RttEstimator(1_000 * MS, 0, 60_000 * MS, MS);
    }

    @Test
    void firstAndSecondSample() {
        RttEstimator e = unclamped();
        assertEquals(1_000 * MS, e.rtoNs(), "initial RTO");
        assertEquals(-1, e.lastRttNs());
        e.sample(100 * MS);
        assertEquals(100 * MS, e.srttNs());
        assertEquals(50 * MS, e.rttvarNs());
        assertEquals(300 * MS, e.rtoNs(), "srtt + 4 rttvar");
        e.sample(200 * MS);
        // rttvar = (3*50 + |100 - 200|) / 4 with the old srtt; srtt = (7*100 + 200) / 8
        assertEquals(62_500_000, e.rttvarNs());
        assertEquals(112_500_000, e.srttNs());
        assertEquals(362_500_000, e.rtoNs());
        assertEquals(200 * MS, e.lastRttNs());
        assertEquals(100 * MS, e.minRttNs());
        assertEquals(2, e.samples());
    }

    @Test
    void granularityFloorsTheVarianceTerm() {
        RttEstimator e = unclamped();
        for (int i = 0; i < 100; i++) { // rttvar shrinks by 3/4 per sample: 5 ms to 0 ns takes ~70
            e.sample(10 * MS);
        }
        assertEquals(10 * MS, e.srttNs());
        assertEquals(0, e.rttvarNs());
        assertEquals(11 * MS, e.rtoNs(), "srtt + G");
    }

    @Test
    void defaultsClampToOneSecondAndBackOffToTheMaximum() {
        RttEstimator e = new RttEstimator();
        e.sample(10 * MS);
        assertEquals(1_000 * MS, e.rtoNs(), "RFC 6298's 1 s minimum");
        for (int i = 0; i < 10; i++) {
            e.backoff();
        }
        assertEquals(60_000 * MS, e.rtoNs());
        assertEquals(10 * MS, e.srttNs(), "backoff leaves the estimate alone");
    }

    @Test
    void negativeSamplesAndBadBoundsAreRefused() {
        RttEstimator e = unclamped();
        assertFalse(e.sample(-1));
        assertEquals(0, e.samples());
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(1, 2, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(5, 0, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(1, 0, 4, -1));
    }
}
