package io.zgrnet.io.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.GsoSendContract;
import io.zgrnet.io.PacketPool;
import io.zgrnet.config.SocketOptions;
import io.zgrnet.sys.SocketOptionsReport;
import io.zgrnet.sys.SockAddr;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** UDP GSO through the io_uring backend's SENDMSG path. */
class UringGsoSendTest extends GsoSendContract {
    @BeforeAll
    static void requireIoUring() {
        IoUringSupport s = IoUringSupport.get();
        Assumptions.assumeTrue(s.available(), () -> "io_uring unavailable: " + s.unavailabilityCause());
    }

    @Override
    protected DatagramBackend open(PacketPool pool, SocketOptions options, InetSocketAddress bind)
            throws IOException {
        return UringBackend.open(bind, options, pool, UringOptions.defaults(UringOptions.ReceiveMode.ARMED));
    }

    @Override
    protected int socketFd(DatagramBackend backend) {
        return ((UringBackend) backend).rawSocketFd();
    }

    /**
     * Armed receive refuses and reports a GRO request: with UDP_GRO on, a GSO sender's datagrams
     * would arrive coalesced into one buffer and be truncated in its pool-slot buffers.
     */
    @Test
    void armedReceiveDoesNotApplyUdpGroSoGsoDatagramsArriveWhole() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (PacketPool pool = new PacketPool(512, 2048);
             UringBackend rx = UringBackend.open(loopback, SocketOptions.builder().udpGro(true).build(), pool,
                     UringOptions.defaults(UringOptions.ReceiveMode.ARMED));
             UringBackend tx = UringBackend.open(loopback, SocketOptions.defaults(), pool, UringOptions.defaults())) {
            SocketOptionsReport.Entry gro = rx.socketOptionsReport().entry("UDP_GRO");
            assertFalse(gro.applied(), gro::toString);
            int[] batch = new int[64];
            for (int i = 0; i < batch.length; i++) {
                int s = pool.acquire();
                pool.length(s, 300);
                pool.dataOffset(s, 0);
                SockAddr.write(pool.addresses(), pool.addressOffset(s), rx.localAddress());
                batch[i] = s;
            }
            tx.send(batch, batch.length);
            int[] got = new int[64];
            int n = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (n < 64 && System.nanoTime() - deadline < 0) {
                int k = rx.receive(got, got.length, TimeUnit.MILLISECONDS.toNanos(20));
                for (int i = 0; i < k; i++) {
                    assertEquals(300, pool.length(got[i]));
                    pool.release(got[i]);
                }
                n += k;
                tx.receive(new int[1], 1, 0); // reap the sender's completions
            }
            assertEquals(64, n);
            assertEquals(0,
                    rx.stats().get(BackendStats.Counter.DATAGRAMS_TRUNCATED));
            assertTrue(tx.stats().get(BackendStats.Counter.GSO_SENDS) > 0);
        }
    }
}
