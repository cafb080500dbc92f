package io.zgrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.config.SocketOptions;
import io.zgrnet.testing.ProcessResources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Open, handshake, traffic both ways, close, over and over per backend (issue 12): descriptors,
 * threads, io_uring mappings and tracked native memory must not grow. CI runs
 * {@value #CI_CYCLES} cycles per backend; the full soak is
 * {@code ./zgrnet test -pl core -Dtest=LifecycleSoakTest -Dzgrnet.soak.cycles=1000}.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class LifecycleSoakTest {
    static final int CI_CYCLES = 1000;
    private static final int WARMUP = 10;
    private static final int MESSAGES = 50;
    /** Slack for the JDK's own malloc drift (a leaked pool would be 2 MiB per cycle). */
    private static final long NMT_SLACK_KB = 512;

    static int cycles() {
        String v = System.getProperty("zgrnet.soak.cycles", "");
        return v.isBlank() ? CI_CYCLES : Integer.parseInt(v.trim());
    }

    @ParameterizedTest(name = "{0} gro={1}")
    @CsvSource({"NIO,false", "MMSG,false", "MMSG,true", "URING,false", "URING,true"})
    void openTrafficCloseLeavesNothingBehind(IOMode mode, boolean gro) throws Exception {
        BackendAssumptions.assumeAvailable(mode);
        for (int i = 0; i < WARMUP; i++) {
            cycle(mode, gro, i);
        }
        ProcessResources before = ProcessResources.now();
        int n = cycles();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            cycle(mode, gro, i);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        ProcessResources after = ProcessResources.now();
        System.out.printf("soak %s gro=%s: %d cycles in %d ms; before %s; after %s%n", mode, gro, n, millis, before,
                after);
        assertEquals(before.fds(), after.fds(), "file descriptors");
        assertEquals(0, after.zgrnetThreads(), "threads");
        assertEquals(before.ioUringMappings(), after.ioUringMappings(), "io_uring mappings");
        if (before.nmtOtherKb() >= 0) {
            assertTrue(after.nmtOtherKb() - before.nmtOtherKb() < NMT_SLACK_KB,
                    "native memory (NMT Other) grew by " + (after.nmtOtherKb() - before.nmtOtherKb()) + " KB");
        }
    }

    private static void cycle(IOMode mode, boolean gro, int round) throws Exception {
        TransportConfig.Builder c = TransportTestSupport.config(mode).poolSlots(1024).receiveQueueSize(256)
                .sendQueueSize(256).socketOptions(SocketOptions.defaults().withUdpGro(gro));
        UDP a = UDP.open(c.build());
        UDP b = UDP.open(c.privateKey(TransportTestSupport.randomKey()).build());
        try {
            PeerKey ka = a.hostInfo().publicKey();
            PeerKey kb = b.hostInfo().publicKey();
            a.setPeerEndpoint(kb, b.hostInfo().localAddress());
            b.setPeerEndpoint(ka, a.hostInfo().localAddress());
            a.connect(kb, Duration.ofSeconds(10));
            byte[] buf = new byte[256];
            for (int i = 0; i < MESSAGES; i++) {
                byte[] msg = ("round " + round + " message " + i).getBytes(StandardCharsets.UTF_8);
                assertTrue(a.writeTo(kb, msg));
                assertNotNull(b.readFrom(buf, Duration.ofSeconds(10)), "a->b " + i + "; " + b.stats());
                assertTrue(b.writeTo(ka, msg));
                assertNotNull(a.readFrom(buf, Duration.ofSeconds(10)), "b->a " + i + "; " + a.stats());
            }
        } finally {
            a.close();
            b.close();
        }
        assertEquals(0, a.outstandingSlots());
        assertEquals(0, b.outstandingSlots());
    }
}
