package io.zgrnet.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zgrnet.io.BackendStats.Counter;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The backend contract on the in-memory fake, plus the fake's own knobs. */
class FakeBackendTest extends DatagramBackendContract {
    private final FakeNetwork network = new FakeNetwork();

    @Override
    protected DatagramBackend open(InetSocketAddress bind, PacketPool pool) throws IOException {
        return network.open(bind, pool);
    }

    @Override
    protected String ipv6UnavailabilityCause() {
        return null; // no sockets involved
    }

    @Override
    protected boolean usesFileDescriptors() {
        return false;
    }

    @Test
    void filterDropsAndFullQueueCountsEnobufs() throws IOException {
        PacketPool rxPool = pool(16, SLOT_SIZE);
        FakeBackend rx = network.open(loopback4(), rxPool, 2);
        DatagramBackend tx = sender(loopback4());
        try (rx) {
            network.filter((from, to, length) -> length != 13);
            // filtered: sent and lost; two queued; the fourth finds the queue full (ENOBUFS).
            assertEquals(3, send(tx, rx.localAddress(), new byte[13], new byte[1], new byte[2], new byte[3]));
            assertEquals(1, network.undeliverable());
            assertEquals(1, tx.stats().sendErrorsByErrno().values().stream().mapToLong(Long::longValue).sum());
            assertEquals(1, tx.stats().get(Counter.SEND_ERRORS));
            assertEquals(2, receive(rx, 2).size());
        }
        assertEquals(0, tx.pool().outstanding());
        assertEquals(0, rxPool.outstanding());
    }
}
