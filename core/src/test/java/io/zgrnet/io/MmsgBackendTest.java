package io.zgrnet.io;

import io.zgrnet.sys.SocketOptionsReport;
import io.zgrnet.config.SocketOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.io.BackendStats.Counter;
import io.zgrnet.io.mmsg.MmsgBackend;
import io.zgrnet.sys.Errno;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The backend contract on the Linux recvmmsg/sendmmsg backend with UDP GRO off (the plain receive
 * path; {@link MmsgGroBackendTest} runs it with GRO), plus mmsg-specific behaviour.
 */
class MmsgBackendTest extends DatagramBackendContract {
    @Override
    protected DatagramBackend open(InetSocketAddress bind, PacketPool pool) throws IOException {
        return MmsgBackend.open(bind, SocketOptions.builder().udpGro(false).build(), pool, MmsgBackend.DEFAULT_BATCH_SIZE);
    }

    @Override
    protected String unavailabilityCause() {
        return MmsgBackend.unavailabilityCause();
    }

    @Test
    void refusedDatagramIsCountedByErrnoAndTheRestIsSent() throws IOException {
        DatagramBackend rx = receiver(loopback4());
        DatagramBackend tx = backend(loopback4(), pool(8, PacketPool.MAX_SLOT_SIZE));
        // 65536 bytes exceed UDP's 65507-byte IPv4 payload limit: the kernel says EMSGSIZE.
        assertEquals(2, send(tx, rx.localAddress(), new byte[] {1}, new byte[PacketPool.MAX_SLOT_SIZE],
                new byte[] {3}));
        assertEquals(1, tx.stats().get(Counter.SEND_ERRORS));
        assertEquals(1L, tx.stats().sendErrorsByErrno().get(Errno.describe(Errno.EMSGSIZE)));
        List<Received> got = receive(rx, 2);
        assertEquals(1, got.get(0).payload()[0]);
        assertEquals(3, got.get(1).payload()[0]);
        assertEquals(0, tx.pool().outstanding());
    }

    @Test
    void smallBatchesStillMoveEverything() throws IOException {
        try (MmsgBackend small = MmsgBackend.open(loopback4(), SocketOptions.builder().udpGro(false).build(), pool(64, SLOT_SIZE), 3);
             MmsgBackend tx = MmsgBackend.open(loopback4(), SocketOptions.defaults(), pool(64, SLOT_SIZE), 2)) {
            byte[][] payloads = new byte[10][];
            java.util.Arrays.setAll(payloads, i -> payload(5, i));
            assertEquals(10, send(tx, small.localAddress(), payloads));
            assertEquals(5, tx.stats().get(Counter.SEND_CALLS), "10 datagrams in batches of 2");
            assertEquals(10, receive(small, 10).size());
            assertTrue(small.stats().get(Counter.RECEIVE_CALLS) >= 4, "batches of at most 3");
        }
    }

    @Test
    void udpGroRequestIsAppliedOrReportedWithTheKernelsReason() throws IOException {
        try (MmsgBackend b = MmsgBackend.open(loopback4(), SocketOptions.builder().udpGro(true).build(),
                pool(8, SLOT_SIZE), 8)) {
            SocketOptionsReport.Entry gro = b.socketOptionsReport().entry("UDP_GRO");
            assertEquals("on", gro.requested());
            assertTrue(gro.applied() || gro.errno() != 0, gro::toString);
        }
    }
}
