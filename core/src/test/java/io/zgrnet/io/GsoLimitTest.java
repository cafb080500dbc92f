package io.zgrnet.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.sys.Errno;
import io.zgrnet.sys.SockAddr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a GSO refusal costs: an MTU-sized one lowers the limit of that destination only (bounded,
 * forgotten after the kernel's PMTU expiry), anything else turns GSO off.
 */
class GsoLimitTest {
    private static final int FULL = GsoRuns.MAX_SEGMENT_BYTES;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment a = arena.allocate(PacketPool.ADDRESS_SIZE * 512L, 8);
    private int used;

    @AfterEach
    void free() {
        arena.close();
    }

    /** Writes {@code address} into a fresh 32-byte area, its padding filled with junk; returns the offset. */
    private long at(String host, int port) {
        long offset = (long) used++ * PacketPool.ADDRESS_SIZE;
        a.asSlice(offset, PacketPool.ADDRESS_SIZE).fill((byte) (used * 37));
        SockAddr.write(a, offset, new InetSocketAddress(host, port));
        return offset;
    }

    @Test
    void startsAtTheDefaultLimitOrOff() {
        assertEquals(FULL, new GsoLimit(true).maxSegment(a, at("192.0.2.1", 1)));
        assertFalse(new GsoLimit(false).enabled());
        assertEquals(0, new GsoLimit(false).maxSegment(a, at("192.0.2.1", 1)));
    }

    @Test
    void anMtuRefusalLowersThatDestinationOnly() {
        GsoLimit limit = new GsoLimit(true);
        long peer = at("192.0.2.1", 7000);
        long other = at("192.0.2.2", 7000);
        long otherPort = at("192.0.2.1", 7001);
        assertNotNull(limit.refused(Errno.EMSGSIZE, 1400, a, peer), "Linux 6.18's answer for a segment above the MTU");
        assertTrue(limit.enabled());
        assertEquals(1399, limit.maxSegment(a, peer));
        assertEquals(1399, limit.maxSegment(a, at("192.0.2.1", 7000)), "the same destination, other padding");
        assertEquals(FULL, limit.maxSegment(a, other));
        assertEquals(FULL, limit.maxSegment(a, otherPort));
        assertNull(limit.refused(Errno.EMSGSIZE, 1400, a, peer), "a send queued before the limit fell changes nothing");
        assertNotNull(limit.refused(Errno.EINVAL, 1300, a, peer), "older kernels answer EINVAL");
        assertEquals(1299, limit.maxSegment(a, peer));
        assertEquals(1, limit.learnedDestinations());
    }

    @Test
    void ipv6DestinationsAreKeyedWithoutFlowInfo() {
        GsoLimit limit = new GsoLimit(true);
        long peer = at("2001:db8::1", 7000);
        limit.refused(Errno.EMSGSIZE, 1300, a, peer);
        long same = at("2001:db8::1", 7000);
        a.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, same + 4, 0x12345); // another flow label
        assertEquals(1299, limit.maxSegment(a, same));
        assertEquals(FULL, limit.maxSegment(a, at("2001:db8::2", 7000)));
    }

    @Test
    void aLearnedLimitIsForgottenAfterThePmtuExpiry() {
        long[] now = {0};
        GsoLimit limit = new GsoLimit(true, () -> now[0]);
        long peer = at("192.0.2.1", 7000);
        limit.refused(Errno.EMSGSIZE, 1400, a, peer);
        now[0] = GsoLimit.FORGET_NANOS - 1;
        assertEquals(1399, limit.maxSegment(a, peer));
        now[0] = GsoLimit.FORGET_NANOS;
        assertEquals(FULL, limit.maxSegment(a, peer));
        assertEquals(0, limit.learnedDestinations());
    }

    @Test
    void theTableIsBoundedAndEveryLearnedLimitIsAtMostTheDefault() {
        GsoLimit limit = new GsoLimit(true);
        for (int i = 0; i < 300; i++) {
            limit.refused(Errno.EMSGSIZE, 1400, a, at("198.51.100." + (i % 250), 1000 + i));
        }
        assertTrue(limit.learnedDestinations() <= GsoLimit.DESTINATIONS, "" + limit.learnedDestinations());
        assertTrue(limit.enabled());
    }

    @Test
    void aRefusalNoMtuExplainsTurnsGsoOff() {
        GsoLimit limit = new GsoLimit(true);
        assertNotNull(limit.refused(Errno.EINVAL, GsoLimit.MIN_MTU_SEGMENT, a, at("192.0.2.1", 1)));
        assertFalse(limit.enabled());
        assertNull(limit.refused(Errno.EINVAL, 100, a, at("192.0.2.1", 1)), "already off");
        for (int errno : new int[] {Errno.EIO, Errno.ENOPROTOOPT, Errno.EOPNOTSUPP}) {
            GsoLimit l = new GsoLimit(true);
            assertNotNull(l.refused(errno, 1400, a, at("192.0.2.1", 1)));
            assertFalse(l.enabled(), Errno.describe(errno));
        }
    }
}
