package io.zgrnet.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SO_REUSEPORT shards on one port: together they receive every datagram of many flows. */
class ShardedReceiverTest {
    private static final int DATAGRAMS = 4096; // whole bursts of 256

    @Test
    @Timeout(60)
    void twoMmsgShardsShareOnePortAndCountEveryDatagram() throws Exception {
        Receiver.Kind kind = ShardedReceiver.kind(JavaReceiver.kind("mmsg"), 2);
        assertEquals("mmsg/x2", kind.name());
        try (Receiver rx = kind.open(64, -1);
             LoadSender tx = new LoadSender(rx.address(), 64, false, 16)) {
            rx.snapshot(true);
            assertNull(rx.detail(), "no run finished yet");
            assertEquals(DATAGRAMS, tx.run(DATAGRAMS, 0));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rx.receivedSoFar() < DATAGRAMS && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
            }
            Receiver.Snapshot s = rx.snapshot(false);
            assertEquals(DATAGRAMS, s.received());
            assertEquals(DATAGRAMS, s.latency().count(), "every shard's latency samples are merged");
            String detail = rx.detail();
            assertNotNull(detail);
            Matcher m = Pattern.compile("shard shares (\\d+)/(\\d+)%").matcher(detail);
            assertTrue(m.matches(), detail);
            int sum = Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2));
            assertTrue(sum >= 99 && sum <= 101, detail);
        }
    }

    @Test
    void shardCountIsValidated() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ShardedReceiver.kind(JavaReceiver.kind("mmsg"), 0));
        assertTrue(e.getMessage().contains("shards"), e.getMessage());
    }

    @Test
    void flowsAreValidated() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new LoadSender(new java.net.InetSocketAddress("127.0.0.1", 9), 64, false, 0));
        assertTrue(e.getMessage().contains("flows"), e.getMessage());
    }
}
