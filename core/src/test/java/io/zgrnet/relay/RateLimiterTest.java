package io.zgrnet.relay;

import static io.zgrnet.relay.ServiceVectors.A;
import static io.zgrnet.relay.ServiceVectors.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Burst, sustained rate, per-source independence, idle refill and the bound, on a fake time line. */
class RateLimiterTest {
    private static final long MS = 1_000_000;

    @Test
    void burstThenRate() {
        RateLimiter l = new RateLimiter(1000, 3, 16); // one per ms, bursts of 3
        long t = 5_000 * MS;
        assertTrue(l.allow(A, t));
        assertTrue(l.allow(A, t));
        assertTrue(l.allow(A, t));
        assertFalse(l.allow(A, t), "burst used up");
        assertTrue(l.allow(B, t), "another source has its own budget");
        assertTrue(l.allow(A, t + MS), "one more a millisecond later");
        assertFalse(l.allow(A, t + MS));
        assertTrue(l.allow(A, t + 100 * MS));
        assertTrue(l.allow(A, t + 100 * MS));
        assertTrue(l.allow(A, t + 100 * MS));
        assertFalse(l.allow(A, t + 100 * MS), "idle time refills only up to the burst");
    }

    @Test
    void zeroRateIsUnlimited() {
        RateLimiter l = new RateLimiter(0, 1, 16);
        for (int i = 0; i < 1000; i++) {
            assertTrue(l.allow(A, 0));
        }
        assertEquals(0, l.trackedSources());
    }

    @Test
    void worksAcrossTheSignOfTheClock() {
        RateLimiter l = new RateLimiter(1000, 1, 16);
        long t = Long.MAX_VALUE - MS / 2;
        assertTrue(l.allow(A, t));
        assertFalse(l.allow(A, t + 1));
        assertTrue(l.allow(A, t + MS), "the clock wrapped past Long.MAX_VALUE");
    }

    @Test
    void boundedNumberOfSources() {
        RateLimiter l = new RateLimiter(1, 1, 1);
        assertTrue(l.allow(A, 0));
        assertFalse(l.allow(A, 0));
        assertTrue(l.allow(B, 0));
        assertEquals(1, l.trackedSources(), "started over instead of growing");
    }
}
