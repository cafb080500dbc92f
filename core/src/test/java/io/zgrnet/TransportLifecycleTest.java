package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static io.zgrnet.TransportTestSupport.openFds;
import static io.zgrnet.TransportTestSupport.zgrnetThreads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Open, read, write and close under concurrency: single-consumer reads, close races, leaks. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportLifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Waits (bounded) for a condition another thread makes true. */
    static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** A transport with a ManualPeer initiator that has spoken first (the session is confirmed). */
    static ManualPeer connectedPeer(UDP udp) throws Exception {
        ManualPeer peer = new ManualPeer(TransportTestSupport.randomKey());
        udp.setPeerEndpoint(peer.key(), peer.address());
        peer.connect(udp, 0x0C0FFEE0);
        peer.send(udp, 0, "hello".getBytes(StandardCharsets.UTF_8));
        Message m = udp.readFrom(new byte[64], WAIT);
        assertNotNull(m, "first message; stats " + udp.stats());
        return peer;
    }

    @Test
    void connectAsyncAfterCloseFailsAtOnce() throws Exception {
        ManualPeer silent = new ManualPeer(TransportTestSupport.randomKey());
        try (silent) {
            UDP udp = UDP.open(config(IOMode.AUTO).build());
            udp.setPeerEndpoint(silent.key(), silent.address());
            udp.close();
            CompletableFuture<Void> f = udp.connectAsync(silent.key());
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS),
                    "connectAsync after close must fail, not hang");
            assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().getMessage());
            assertThrows(java.io.IOException.class, () -> udp.connect(silent.key(), Duration.ofSeconds(5)));
        }
    }

    /**
     * close() waits for a reader inside a handler after it stopped the control agent; a connect
     * requested in that window must neither hang nor send an init from a slot nobody returns.
     */
    @Test
    void aConnectRequestedWhileCloseWaitsForTheReaderLeaksNothing() throws Exception {
        UDP udp = UDP.open(config(IOMode.AUTO).build());
        ManualPeer peer = connectedPeer(udp);
        ManualPeer silent = new ManualPeer(TransportTestSupport.randomKey());
        try (peer; silent) {
            udp.setPeerEndpoint(silent.key(), silent.address());
            CountDownLatch inHandler = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            MessageHandler blocking = (sender, protocol, payload, offset, length) -> {
                inHandler.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            AtomicReference<Throwable> readerFailure = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().name("test-reader").start(() -> {
                try {
                    while (udp.poll(blocking, 1) == 0) {
                        Thread.onSpinWait();
                    }
                } catch (Throwable t) {
                    readerFailure.set(t);
                }
            });
            peer.send(udp, 0, "hold".getBytes(StandardCharsets.UTF_8));
            assertTrue(inHandler.await(10, TimeUnit.SECONDS));
            Thread closer = Thread.ofPlatform().name("test-closer").start(udp::close);
            await("the transport's threads to stop", () -> zgrnetThreads().isEmpty());
            CompletableFuture<Void> f = udp.connectAsync(silent.key());
            release.countDown();
            closer.join(TimeUnit.SECONDS.toMillis(20));
            reader.join(TimeUnit.SECONDS.toMillis(20));
            assertEquals(null, readerFailure.get());
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
            assertInstanceOf(java.io.IOException.class, e.getCause());
            assertEquals(0, udp.outstandingSlots(), "a slot was taken after close drained the send queue");
        }
    }

    /**
     * close() while a peer floods us and three writers write: close returns within a bound, every
     * slot is back, no thread or descriptor outlives it, and writers see nothing but "transport
     * closed". Repeated, since each round is one interleaving (without close waiting for senders a
     * slot leaked in about every other run).
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void closeUnderFloodAndWritersLeaksNothing() throws Exception {
        for (int round = 0; round < 6; round++) {
            closeUnderLoad(round, false);
        }
    }

    /**
     * The same with a reader that polls in a loop, as applications do ("while (true) readFrom"):
     * a reader that enters between close()'s wait for readers and its drain of the ring must not
     * consume the entries close is returning (that released slots twice).
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void closeUnderFloodWritersAndAPollingReaderLeaksNothing() throws Exception {
        for (int round = 0; round < 6; round++) {
            closeUnderLoad(round, true);
        }
    }

    private static void closeUnderLoad(int round, boolean pollingReader) throws Exception {
        ManualPeer flooder = new ManualPeer(TransportTestSupport.randomKey());
        long fdsBefore = openFds();
        UDP udp = UDP.open(config(round % 2 == 0 ? IOMode.MMSG : IOMode.AUTO).build());
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
        try (flooder) {
            udp.setPeerEndpoint(flooder.key(), flooder.address());
            flooder.connect(udp, 1);
            threads.add(Thread.ofPlatform().name("test-flood").start(() -> {
                byte[] payload = new byte[100];
                try {
                    while (!stop.get()) {
                        flooder.send(udp, 0, payload);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
            for (int w = 0; w < 3; w++) {
                threads.add(Thread.ofPlatform().name("test-writer-" + w).start(() -> {
                    byte[] payload = new byte[200];
                    while (!stop.get()) {
                        try {
                            if (udp.writeTo(flooder.key(), payload)) {
                                written.incrementAndGet();
                            }
                        } catch (IllegalStateException e) {
                            if (!"transport closed".equals(e.getMessage())) {
                                failures.add(e);
                            }
                            return;
                        } catch (Throwable t) {
                            failures.add(t);
                            return;
                        }
                    }
                }));
            }
            if (pollingReader) {
                MessageHandler count = (sender, protocol, payload, offset, length) -> read.incrementAndGet();
                threads.add(Thread.ofPlatform().name("test-reader").start(() -> {
                    try {
                        while (!stop.get()) {
                            udp.poll(count, 64);
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            await("traffic in both directions", () -> written.get() > 200
                    && (pollingReader ? read.get() > 200 : udp.stats().get(TransportCounter.DATAGRAMS_RECEIVED) > 200));
            long start = System.nanoTime();
            udp.close();
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(20));
                assertTrue(!t.isAlive(), t.getName() + " still running");
            }
            assertTrue(failures.isEmpty(), "round " + round + ": " + failures);
            assertTrue(closeMillis < 10_000, "close took " + closeMillis + " ms");
            assertEquals(0, udp.outstandingSlots(), "round " + round + ": pool slots leaked");
            assertTrue(zgrnetThreads().isEmpty(), "threads outlived close: " + zgrnetThreads());
            assertEquals(fdsBefore, openFds(), "round " + round + ": file descriptors leaked");
        } finally {
            stop.set(true);
            udp.close();
        }
    }
}
