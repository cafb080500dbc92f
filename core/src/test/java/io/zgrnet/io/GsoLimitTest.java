package io.zgrnet.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.sys.Errno;
import org.junit.jupiter.api.Test;

/** What a GSO refusal costs: an MTU-sized EINVAL lowers the limit, anything else turns GSO off. */
class GsoLimitTest {
    @Test
    void startsAtTheDefaultLimitOrOff() {
        assertEquals(GsoRuns.MAX_SEGMENT_BYTES, new GsoLimit(true).maxSegment());
        assertFalse(new GsoLimit(false).enabled());
        assertEquals(0, new GsoLimit(false).maxSegment());
    }

    @Test
    void einvalForALargeSegmentLowersTheLimitBelowIt() {
        GsoLimit limit = new GsoLimit(true);
        assertNotNull(limit.refused(Errno.EINVAL, 1400));
        assertTrue(limit.enabled());
        assertEquals(1399, limit.maxSegment());
        assertNull(limit.refused(Errno.EINVAL, 1400), "a send queued before the limit fell changes nothing");
        assertNotNull(limit.refused(Errno.EMSGSIZE, 1300), "Linux 6.18's answer for a segment above the MTU");
        assertEquals(1299, limit.maxSegment());
    }

    @Test
    void einvalForASegmentNoMtuRefusesTurnsGsoOff() {
        GsoLimit limit = new GsoLimit(true);
        assertNotNull(limit.refused(Errno.EINVAL, GsoLimit.MIN_MTU_SEGMENT));
        assertFalse(limit.enabled());
        assertNull(limit.refused(Errno.EINVAL, 100), "already off");
    }

    @Test
    void otherRefusalsTurnGsoOffAtAnySize() {
        for (int errno : new int[] {Errno.EIO, Errno.ENOPROTOOPT, Errno.EOPNOTSUPP}) {
            GsoLimit limit = new GsoLimit(true);
            assertNotNull(limit.refused(errno, 1400));
            assertFalse(limit.enabled(), Errno.describe(errno));
        }
    }
}
