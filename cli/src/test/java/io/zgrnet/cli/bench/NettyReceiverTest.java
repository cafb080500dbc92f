package io.zgrnet.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/** The Netty comparator receivers count every datagram and report their loop thread's CPU time. */
class NettyReceiverTest {
    private static final int DATAGRAMS = 4096;

    @ParameterizedTest
    @EnumSource(NettyReceiver.Transport.class)
    @Timeout(60)
    void countsWhatItIsSentWithLatencyAndCpuTime(NettyReceiver.Transport transport) throws Exception {
        Receiver.Kind kind = NettyReceiver.kind(transport);
        String cause = kind.unavailabilityCause();
        assumeTrue(cause == null, () -> kind.name() + " skipped: " + cause);
        try (Receiver rx = kind.open(64, -1);
             LoadSender tx = new LoadSender(rx.address(), 64, false, 4)) {
            Receiver.Snapshot before = rx.snapshot(true);
            assertEquals(DATAGRAMS, tx.run(DATAGRAMS, 0));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rx.receivedSoFar() < DATAGRAMS && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
            }
            Receiver.Snapshot after = rx.snapshot(false);
            assertEquals(DATAGRAMS, after.received() - before.received(), kind.name());
            assertEquals(DATAGRAMS, after.latency().count(), "every datagram's send stamp was read");
            assertTrue(after.cpuNanos() > before.cpuNanos(), "the loop thread's CPU time");
        }
    }
}
