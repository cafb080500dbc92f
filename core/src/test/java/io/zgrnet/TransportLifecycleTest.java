package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static io.zgrnet.TransportTestSupport.openFds;
import static io.zgrnet.TransportTestSupport.zgrnetThreads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                    while (TransportTestSupport.poll(udp, blocking, 1) == 0) {
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
                        } catch (TransportClosedException e) {
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
                    } catch (TransportClosedException closed) {
                        // the expected end: the reader learns of the close
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

    /**
     * close() from two threads at once (an application and a shutdown hook) while a reader is
     * parked in its handler with a full ring behind it: no errors, every slot back.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void concurrentClosesShutDownOnce() throws Exception {
        for (int round = 0; round < 4; round++) {
            UDP udp = UDP.open(config(IOMode.AUTO).build());
            try (ManualPeer peer = connectedPeer(udp)) {
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
                Thread reader = Thread.ofPlatform().name("test-reader").start(() -> {
                    while (TransportTestSupport.poll(udp, blocking, 1) == 0 && inHandler.getCount() > 0) {
                        Thread.onSpinWait();
                    }
                });
                for (int i = 0; i < 1200; i++) { // more than the ring holds
                    peer.send(udp, 0, new byte[16]);
                    if (i % 100 == 99) {
                        int sent = i + 2;
                        await("datagrams received", () -> udp.stats().get(TransportCounter.DATAGRAMS_RECEIVED) >= sent);
                    }
                }
                assertTrue(inHandler.await(10, TimeUnit.SECONDS));
                java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
                Runnable close = () -> {
                    try {
                        udp.close();
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                };
                Thread a = Thread.ofPlatform().start(close);
                Thread b = Thread.ofPlatform().start(close);
                await("the transport's threads to stop", () -> zgrnetThreads().isEmpty());
                release.countDown();
                a.join(TimeUnit.SECONDS.toMillis(30));
                b.join(TimeUnit.SECONDS.toMillis(30));
                reader.join(TimeUnit.SECONDS.toMillis(30));
                assertTrue(failures.isEmpty(), "round " + round + ": " + failures);
                assertEquals(0, udp.outstandingSlots(), "round " + round);
            } finally {
                udp.close();
            }
        }
    }

    /** Four writers to one peer, one reader: each message exactly once, each writer's in order, no replay drop. */
    @Test
    void concurrentWritersOneReaderExactlyOnceInOrder() throws Exception {
        int writers = 4;
        int perWriter = 2500;
        try (UDP a = UDP.open(config(IOMode.AUTO).build()); UDP b = UDP.open(config(IOMode.AUTO).build())) {
            PeerKey bKey = b.hostInfo().publicKey();
            a.setPeerEndpoint(bKey, b.hostInfo().localAddress());
            b.setPeerEndpoint(a.hostInfo().publicKey(), a.hostInfo().localAddress());
            a.connect(bKey, WAIT);
            // Flow control: at most 256 messages between writers and reader, so no queue overflows.
            java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(256);
            java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.List<Thread> threads = new java.util.ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                threads.add(Thread.ofPlatform().name("test-writer-" + w).start(() -> {
                    byte[] payload = new byte[8];
                    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(payload);
                    try {
                        for (int i = 0; i < perWriter; i++) {
                            inFlight.acquire();
                            bb.putInt(0, id).putInt(4, i);
                            while (!a.writeTo(bKey, payload)) {
                                Thread.onSpinWait(); // a full queue drops and counts: retry
                            }
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            int[] next = new int[writers];
            byte[] buf = new byte[64];
            Message m = new Message();
            for (int n = 0; n < writers * perWriter; n++) {
                assertTrue(b.readFrom(m, buf, java.time.Duration.ofNanos(TimeUnit.SECONDS.toNanos(20))), "stalled after " + n + " messages; "
                        + "a " + a.stats() + ", b " + b.stats() + ", failures " + failures);
                inFlight.release();
                java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf, 0, m.length());
                int writer = bb.getInt(0);
                int seq = bb.getInt(4);
                assertEquals(next[writer], seq, "writer " + writer + ": lost, duplicated or reordered");
                next[writer]++;
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertTrue(failures.isEmpty(), failures.toString());
            assertEquals(null, b.readFrom(buf, Duration.ofMillis(100)), "an extra message arrived");
            assertEquals(0, b.stats().get(TransportCounter.DROP_REPLAYED));
            assertEquals(0, b.stats().get(TransportCounter.DROP_DECRYPT_FAILED));
            assertEquals((long) writers * perWriter, b.stats().get(TransportCounter.MESSAGES_DELIVERED));
        }
    }

    @Test
    void aSecondConcurrentReaderIsRefusedAndTheFirstIsUnaffected() throws Exception {
        try (UDP udp = UDP.open(config(IOMode.AUTO).build()); ManualPeer peer = connectedPeer(udp)) {
            AtomicReference<Object> first = new AtomicReference<>();
            byte[] firstBuf = new byte[64];
            Thread reader = Thread.ofPlatform().name("test-reader").start(() -> {
                try {
                    Message m = udp.readFrom(firstBuf, Duration.ofSeconds(30));
                    first.set(m == null ? "timeout" : new String(firstBuf, 0, m.length(), StandardCharsets.UTF_8));
                } catch (Throwable t) {
                    first.set(t);
                }
            });
            // Parked means inside readFrom, holding the reader role.
            await("the first reader to wait", () -> reader.getState() == Thread.State.TIMED_WAITING);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> udp.readFrom(new byte[64], Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("single-consumer"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> TransportTestSupport.poll(udp, (s, p, d, o, l) -> { }, 1));
            peer.send(udp, 0, "for the first reader".getBytes(StandardCharsets.UTF_8));
            reader.join(TimeUnit.SECONDS.toMillis(20));
            assertEquals("for the first reader", first.get());
            // The role is free again.
            peer.send(udp, 0, "next".getBytes(StandardCharsets.UTF_8));
            byte[] buf = new byte[64];
            Message m = udp.readFrom(buf, WAIT);
            assertNotNull(m);
            assertEquals("next", new String(buf, 0, m.length(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void pollDeliversInPlaceInOrderAndHonoursTheLimit() throws Exception {
        try (UDP udp = UDP.open(config(IOMode.AUTO).build()); ManualPeer peer = connectedPeer(udp)) {
            int total = 20;
            for (int i = 0; i < total; i++) {
                peer.send(udp, 128 + i % 3, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            java.util.List<String> got = new java.util.ArrayList<>();
            int[] calls = new int[1];
            MessageHandler handler = (sender, protocol, payload, offset, length) -> {
                calls[0]++;
                assertEquals(peer.key(), sender);
                String text = new String(payload.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE),
                        StandardCharsets.UTF_8);
                assertEquals(128 + got.size() % 3, protocol, text);
                got.add(text);
            };
            assertEquals(0, TransportTestSupport.poll(udp, handler, 0));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (got.size() < total) {
                assertTrue(System.nanoTime() - deadline < 0, "only " + got + "; stats " + udp.stats());
                int before = calls[0];
                int n = TransportTestSupport.poll(udp, handler, 3);
                assertTrue(n <= 3, "poll(…, 3) handled " + n);
                assertEquals(n, calls[0] - before, "return value and handler calls disagree");
            }
            java.util.List<String> expected = new java.util.ArrayList<>();
            for (int i = 0; i < total; i++) {
                expected.add("m" + i);
            }
            assertEquals(expected, got);
            assertEquals(0, TransportTestSupport.poll(udp, handler, 3), "nothing left");
        }
    }

    /** A silent peer: connect gives up at its timeout. Protocol time is frozen, so nothing retries meanwhile. */
    @Test
    void connectTimesOutAgainstASilentPeer() throws Exception {
        ManualClock clock = new ManualClock();
        try (UDP udp = UDP.open(config(IOMode.AUTO).clock(clock).build());
             ManualPeer silent = new ManualPeer(TransportTestSupport.randomKey())) {
            udp.setPeerEndpoint(silent.key(), silent.address());
            assertThrows(java.util.concurrent.TimeoutException.class,
                    () -> udp.connect(silent.key(), Duration.ofMillis(300)));
            assertEquals(1, silent.receiveRaw()[0], "an init went out");
            assertEquals(PeerInfo.State.CONNECTING, udp.peerInfo(silent.key()).state());
            assertEquals(1, udp.stats().get(TransportCounter.HANDSHAKES_INITIATED), "retried in frozen time");
            // A second connect joins the same handshake rather than starting another.
            CompletableFuture<Void> again = udp.connectAsync(silent.key());
            CountDownLatch queued = new CountDownLatch(1);
            udp.commands().run(queued::countDown); // commands run in order: connect has run after this
            assertTrue(queued.await(10, TimeUnit.SECONDS));
            assertEquals(1, udp.stats().get(TransportCounter.HANDSHAKES_INITIATED), "a second handshake started");
            // After zgrnet's 90 s of attempts the handshake is abandoned and every waiter fails.
            clock.advance(91, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> again.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("no valid response"), e.getCause().getMessage());
            await("the peer to be idle", () -> udp.peerInfo(silent.key()).state() == PeerInfo.State.NEW);
        }
    }

    /**
     * A reader that stops reading: the ring fills, later datagrams are dropped and counted, the I/O
     * thread keeps going (our sends still leave), and once the reader resumes, what the ring held
     * and what comes next is delivered in order.
     */
    @Test
    void aSlowReaderCostsDropsNotAStall() throws Exception {
        int ring = 64;
        int burst = 500;
        try (UDP udp = UDP.open(config(IOMode.AUTO).receiveQueueSize(ring).build());
             ManualPeer peer = connectedPeer(udp)) {
            long received = udp.stats().get(TransportCounter.DATAGRAMS_RECEIVED);
            for (int i = 0; i < burst; i++) {
                peer.send(udp, 0, java.nio.ByteBuffer.allocate(4).putInt(i).array());
                if (i % 50 == 49) { // pace the burst so that the socket buffer never overflows
                    long sent = received + i + 1;
                    await("datagrams received", () -> udp.stats().get(TransportCounter.DATAGRAMS_RECEIVED) >= sent);
                }
            }
            await("ring overflow drops", () -> udp.stats().get(TransportCounter.DROP_RECEIVE_QUEUE_FULL) == burst - ring);
            // The I/O thread is not stuck behind the reader: our messages still go out.
            assertTrue(udp.writeTo(peer.key(), "ping".getBytes(StandardCharsets.UTF_8)));
            byte[] ping = peer.receiveMessage();
            assertEquals("ping", new String(ping, 1, ping.length - 1, StandardCharsets.UTF_8));
            // The reader resumes: the first `ring` messages, in order, then new ones.
            byte[] buf = new byte[16];
            Message m = new Message();
            java.util.List<Integer> got = new java.util.ArrayList<>();
            for (int i = 0; i < ring + 10; i++) {
                if (i == ring / 2) { // room again: the peer goes on
                    for (int k = burst; k < burst + 10; k++) {
                        peer.send(udp, 0, java.nio.ByteBuffer.allocate(4).putInt(k).array());
                    }
                }
                assertTrue(udp.readFrom(m, buf, java.time.Duration.ofNanos(TimeUnit.SECONDS.toNanos(10))), "after " + got + "; " + udp.stats());
                got.add(java.nio.ByteBuffer.wrap(buf).getInt(0));
            }
            java.util.List<Integer> expected = new java.util.ArrayList<>();
            for (int i = 0; i < ring; i++) {
                expected.add(i);
            }
            for (int i = burst; i < burst + 10; i++) {
                expected.add(i);
            }
            assertEquals(expected, got);
            assertEquals(burst - ring, udp.stats().get(TransportCounter.DROP_RECEIVE_QUEUE_FULL));
            assertEquals(0, udp.stats().get(TransportCounter.DROP_REPLAYED));
        }
    }
}
