package io.zgrnet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.io.uring.IoUringSupport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The C reference receivers through {@link NativeReceivers}: the RESULT protocol, and each receiver
 * counting a small loopback load exactly. Skips (with build.sh's reason) where gcc or liburing-dev
 * is missing.
 */
@Timeout(120)
class NativeReceiversTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void parsesAResultLineWithItsExtraCounters() {
        NativeReceivers.Result r = NativeReceivers.Result.parse("RESULT receiver=uring_multishot datagrams=10 "
                + "bytes=640 seconds=0.5 cpu_user_ns=1000 cpu_sys_ns=2000 cpu_ns=3100 ns_per_datagram=310.0 "
                + "enobufs=2");
        assertEquals("uring_multishot", r.receiver());
        assertEquals(10, r.datagrams());
        assertEquals(640, r.bytes());
        assertEquals(3100, r.cpuNs());
        assertEquals(310.0, r.nsPerDatagram());
        assertEquals("2", r.fields().get("enobufs"));
        assertThrows(IllegalArgumentException.class, () -> NativeReceivers.Result.parse("READY port=1"));
        assertThrows(IllegalArgumentException.class,
                () -> NativeReceivers.Result.parse("RESULT receiver=x datagrams=1"));
    }

    @Test
    void optionsAcceptOnlyLoopback() {
        assertThrows(IllegalArgumentException.class, () -> new NativeReceivers.Options(
                new InetSocketAddress("192.0.2.1", 0), 1, 0, 0, 100, 1, -1));
    }

    @Test
    void recvmmsgReceiverCountsEveryDatagram() throws Exception {
        countsEveryDatagram(NativeReceivers.Receiver.RECVMMSG, false);
        countsEveryDatagram(NativeReceivers.Receiver.RECVMMSG, true);
    }

    @Test
    void uringMultishotReceiverCountsEveryDatagram() throws Exception {
        IoUringSupport u = IoUringSupport.get();
        Assumptions.assumeTrue(u.multishotReceive(), u::multishotCause);
        countsEveryDatagram(NativeReceivers.Receiver.URING_MULTISHOT, false);
        countsEveryDatagram(NativeReceivers.Receiver.URING_MULTISHOT, true);
    }

    /** Stops at the datagram count, or (with {@code stop}) when told to and the socket is quiet. */
    private static void countsEveryDatagram(NativeReceivers.Receiver receiver, boolean stop) throws Exception {
        NativeReceivers.Build build;
        try {
            build = NativeReceivers.build();
        } catch (IOException e) {
            Assumptions.abort(e.getMessage());
            return;
        }
        Assumptions.assumeTrue(build.available(receiver), () -> build.unavailable().get(receiver));
        int count = 2000;
        int size = 100;
        try (NativeReceivers.Running rx = NativeReceivers.start(receiver,
                new NativeReceivers.Options(LOOPBACK, 0, stop ? 0 : count, 0, 100, 20, -1));
                DatagramChannel tx = DatagramChannel.open()) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), rx.port());
            ByteBuffer b = ByteBuffer.allocate(size);
            for (int i = 0; i < count; i++) {
                b.clear();
                tx.send(b, to);
                if (i % 200 == 199) {
                    Thread.sleep(1); // stay well inside the receive buffer
                }
            }
            if (stop) {
                rx.stop();
            }
            NativeReceivers.Result r = rx.await(TimeUnit.SECONDS.toNanos(30));
            assertEquals(receiver.label(), r.receiver());
            assertEquals(count, r.datagrams(), r.fields().toString());
            assertEquals((long) count * size, r.bytes());
            assertTrue(r.cpuNs() > 0 && r.nsPerDatagram() > 0, r.fields().toString());
        }
    }
}
