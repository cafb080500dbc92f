package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The delivery agent: protocol handlers run while the application does not read; the
 * application's messages wait for it in order; an inbox that fills up drops and counts, without
 * stopping the handlers.
 */
class DeliveryAgentTest {
    private static final int SERVICE = 64;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static UDP[] pair() throws Exception {
        UDP a = UDP.open(config(IOMode.NIO).build());
        UDP b = UDP.open(config(IOMode.NIO).build());
        a.setPeerEndpoint(b.hostInfo().publicKey(), b.hostInfo().localAddress());
        b.setPeerEndpoint(a.hostInfo().publicKey(), a.hostInfo().localAddress());
        a.connect(b.hostInfo().publicKey(), WAIT);
        return new UDP[] {a, b};
    }

    private static void awaitCount(ConcurrentLinkedQueue<Integer> q, int n, UDP b) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (q.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(n, q.size(), "handler got " + q.size() + " of " + n + "; " + b.stats());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void handlersRunWithoutAReaderAndTheApplicationGetsItsMessagesInOrder() throws Exception {
        UDP[] p = pair();
        UDP a = p[0];
        UDP b = p[1];
        try {
            ConcurrentLinkedQueue<Integer> handled = new ConcurrentLinkedQueue<>();
            b.handle(SERVICE, (peer, protocol, payload, off, len) ->
                    handled.add((int) payload.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off)));
            b.startDelivery();
            b.startDelivery(); // idempotent
            PeerKey bk = b.hostInfo().publicKey();
            for (int i = 0; i < 50; i++) {
                assertTrue(a.writeTo(bk, SERVICE, new byte[] {(byte) i}));
                assertTrue(a.writeTo(bk, 0, new byte[] {(byte) i}));
            }
            awaitCount(handled, 50, b);
            int i = 0;
            for (int h : handled) {
                assertEquals(i++, h, "service messages in arrival order");
            }
            byte[] buf = new byte[16];
            for (int k = 0; k < 50; k++) {
                Message m = b.readFrom(buf, WAIT);
                assertNotNull(m, "application message " + k + " missing; " + b.stats());
                assertEquals(0, m.protocol());
                assertEquals(k, buf[0], "application messages in arrival order");
            }
        } finally {
            a.close();
            b.close();
        }
        assertEquals(0, b.outstandingSlots());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFullInboxDropsAndCountsWhileHandlersKeepRunning() throws Exception {
        UDP[] p = pair();
        UDP a = p[0];
        UDP b = p[1];
        try {
            ConcurrentLinkedQueue<Integer> handled = new ConcurrentLinkedQueue<>();
            b.handle(SERVICE, (peer, protocol, payload, off, len) -> handled.add(len));
            b.startDelivery();
            PeerKey bk = b.hostInfo().publicKey();
            byte[] big = new byte[1000];
            int appSent = 0;
            // 6000 x 1000 bytes: beyond the inbox's 1024 messages and 4 MiB; nobody reads.
            for (int i = 0; i < 6000; i++) {
                if (a.writeTo(bk, 0, big)) {
                    appSent++;
                }
                if (i % 100 == 0) {
                    a.flush(WAIT);
                    Thread.sleep(1); // paced: the drops we want are the inbox's, not the socket's
                }
            }
            a.flush(WAIT);
            for (int i = 0; i < 20; i++) {
                assertTrue(a.writeTo(bk, SERVICE, new byte[] {1}));
            }
            awaitCount(handled, 20, b);
            assertTrue(b.stats().get(TransportCounter.DROP_INBOX_FULL) > 0, "no inbox drop counted: " + b.stats());
            int read = 0;
            byte[] buf = new byte[2048];
            while (b.readFrom(buf, Duration.ofMillis(200)) != null) {
                read++;
            }
            assertTrue(read > 0 && read <= 1024, "read " + read + " of " + appSent);
        } finally {
            a.close();
            b.close();
        }
        assertEquals(0, b.outstandingSlots());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBlockedReaderAndTheAgentShareTheRingAndCloseStopsBoth() throws Exception {
        UDP[] p = pair();
        UDP a = p[0];
        UDP b = p[1];
        Thread reader = null;
        try {
            b.handle(SERVICE, (peer, protocol, payload, off, len) -> { });
            b.startDelivery();
            ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> ended = new ConcurrentLinkedQueue<>();
            reader = Thread.ofPlatform().start(() -> {
                byte[] buf = new byte[16];
                try {
                    while (true) {
                        Message m = b.readFrom(buf);
                        got.add((int) buf[0]);
                        assertNotNull(m);
                    }
                } catch (Throwable t) {
                    ended.add(t);
                }
            });
            PeerKey bk = b.hostInfo().publicKey();
            for (int i = 0; i < 100; i++) {
                assertTrue(a.writeTo(bk, i % 2 == 0 ? SERVICE : 0, new byte[] {(byte) i}));
            }
            awaitCount(got, 50, b);
            int expect = 1;
            for (int v : got) {
                assertEquals(expect, v);
                expect += 2;
            }
            b.close();
            reader.join(5000);
            assertTrue(ended.peek() instanceof TransportClosedException, "reader ended with " + ended.peek());
        } finally {
            a.close();
            b.close();
        }
        assertEquals(0, b.outstandingSlots());
        assertTrue(TransportTestSupport.zgrnetThreads().stream().noneMatch(n -> n.contains("delivery")),
                "a delivery thread outlived its transport: " + TransportTestSupport.zgrnetThreads());
    }
}
