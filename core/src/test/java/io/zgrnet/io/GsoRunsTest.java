package io.zgrnet.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zgrnet.sys.SockAddr;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Which consecutive datagrams GsoRuns groups into one GSO send. */
class GsoRunsTest {
    private static final InetSocketAddress V4 = new InetSocketAddress("192.0.2.1", 7000);
    private static final InetSocketAddress V6 = new InetSocketAddress("2001:db8::1", 7000);

    private static int[] slots(PacketPool pool, InetSocketAddress to, int... lengths) {
        int[] out = new int[lengths.length];
        for (int i = 0; i < lengths.length; i++) {
            out[i] = pool.acquire();
            pool.length(out[i], lengths[i]);
            SockAddr.write(pool.addresses(), pool.addressOffset(out[i]), to);
        }
        return out;
    }

    private static int run(PacketPool pool, int[] slots) {
        return GsoRuns.runLength(pool, slots, 0, slots.length, s -> true, GsoRuns.MAX_SEGMENT_BYTES);
    }

    @Test
    void stalePaddingFromAnEarlierLongerAddressDoesNotSplitARun() {
        try (PacketPool pool = new PacketPool(8, 2048)) {
            int[] s = slots(pool, V6, 100, 100, 100);
            for (int slot : s) { // the slots are reused for an IPv4 peer: bytes 16..31 keep IPv6 leftovers
                SockAddr.write(pool.addresses(), pool.addressOffset(slot), V4);
            }
            pool.addresses().set(java.lang.foreign.ValueLayout.JAVA_LONG, pool.addressOffset(s[1]) + 24, 42L);
            assertEquals(3, run(pool, s));
        }
    }

    @Test
    void aRunStopsAtAnotherDestinationALongerDatagramOrTheLimit() {
        try (PacketPool pool = new PacketPool(16, 2048)) {
            int[] s = slots(pool, V4, 100, 100, 100);
            SockAddr.write(pool.addresses(), pool.addressOffset(s[2]), new InetSocketAddress("192.0.2.1", 7001));
            assertEquals(2, run(pool, s), "another port");
            int[] t = slots(pool, V4, 100, 200, 100);
            assertEquals(1, run(pool, t), "a longer datagram");
            int[] u = slots(pool, V4, 100, 100, 60, 100);
            assertEquals(3, run(pool, u), "a shorter one ends the run");
            assertEquals(1, GsoRuns.runLength(pool, u, 0, u.length, x -> true, 99), "above the GSO limit");
        }
    }
}
