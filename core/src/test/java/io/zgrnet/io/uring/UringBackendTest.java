package io.zgrnet.io.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.PacketPool;
import io.zgrnet.config.SocketOptions;
import io.zgrnet.sys.SockAddr;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The io_uring backend beyond the shared contract: both receive modes end to end, truncation,
 * ENOBUFS survival, send, wakeup, close with operations in flight (fds, mappings and slots all
 * returned).
 */
@Timeout(30)
class UringBackendTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @BeforeAll
    static void requireIoUring() throws IOException {
        IoUringSupport s = IoUringSupport.get();
        Assumptions.assumeTrue(s.available(), () -> "io_uring unavailable: " + s.unavailabilityCause());
        // The JDK opens one process-wide socket lazily the first time it closes a NIO channel (its
        // pre-close socketpair); open and close one now so fd baselines taken later include it.
        peer().close();
    }

    private static UringOptions options(UringOptions.ReceiveMode mode) {
        if (mode == UringOptions.ReceiveMode.MULTISHOT) {
            Assumptions.assumeTrue(IoUringSupport.get().multishotReceive(), IoUringSupport.get().multishotCause());
        }
        return UringOptions.defaults(mode);
    }

    private static DatagramChannel peer() throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.bind(LOOPBACK);
        return ch;
    }

    private static void sendFromPeer(DatagramChannel peer, InetSocketAddress to, int seq, int size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(0, seq);
        for (int i = 4; i < size; i++) {
            b.put(i, (byte) (seq + i));
        }
        peer.send(b, to);
    }

    /** Receives exactly {@code n} datagrams (bounded by the test timeout), checking content and source. */
    private static void receiveAll(UringBackend backend, int n, int size, InetSocketAddress from, boolean[] seen)
            throws IOException {
        PacketPool pool = backend.pool();
        int[] slots = new int[64];
        int got = 0;
        while (got < n) {
            int k = backend.receive(slots, slots.length, TimeUnit.SECONDS.toNanos(5));
            assertTrue(k > 0, "timed out after " + got + " of " + n + ": " + backend.stats() + " "
                    + backend.uringStats());
            for (int i = 0; i < k; i++) {
                int s = slots[i];
                assertEquals(size, pool.length(s));
                MemorySegment data = pool.slot(s);
                int off = pool.dataOffset(s);
                int seq = data.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), off);
                for (int j = 4; j < size; j++) {
                    assertEquals((byte) (seq + j), data.get(ValueLayout.JAVA_BYTE, off + j), "byte " + j);
                }
                assertEquals(from, SockAddr.read(pool.addresses(), pool.addressOffset(s)));
                seen[seq] = true;
                pool.release(s);
            }
            got += k;
        }
    }

    @ParameterizedTest
    @EnumSource(UringOptions.ReceiveMode.class)
    void receivesDatagramsWithSourceAddress(UringOptions.ReceiveMode mode) throws Exception {
        try (PacketPool pool = new PacketPool(1024, 2048);
                DatagramChannel peer = peer()) {
            try (UringBackend backend = UringBackend.open(LOOPBACK, SocketOptions.defaults(), pool, options(mode))) {
                int n = 500;
                boolean[] seen = new boolean[n];
                assertEquals(0, backend.receive(new int[4], 4, 0)); // arms, nothing there yet
                for (int i = 0; i < n; i++) {
                    sendFromPeer(peer, backend.localAddress(), i, 100 + (i % 3 == 0 ? 1000 : 0) * 0);
                }
                receiveAll(backend, n, 100, (InetSocketAddress) peer.getLocalAddress(), seen);
                for (int i = 0; i < n; i++) {
                    assertTrue(seen[i], "datagram " + i);
                }
                assertEquals(n, backend.stats().get(BackendStats.Counter.DATAGRAMS_RECEIVED));
            }
            assertEquals(0, pool.outstanding(), "every slot back in the pool after close");
        }
    }

    @ParameterizedTest
    @EnumSource(UringOptions.ReceiveMode.class)
    void sqpollModeReceivesAndSends(UringOptions.ReceiveMode mode) throws Exception {
        UringOptions o = options(mode).withSqpoll(true, 100);
        try (PacketPool pool = new PacketPool(1024, 2048);
                DatagramChannel peer = peer();
                UringBackend backend = UringBackend.open(LOOPBACK, SocketOptions.defaults(), pool, o)) {
            assertTrue(backend.ringDescription().contains("flags=0x"), backend.ringDescription());
            backend.receive(new int[1], 1, 0);
            int n = 200;
            for (int i = 0; i < n; i++) {
                sendFromPeer(peer, backend.localAddress(), i, 80);
            }
            boolean[] seen = new boolean[n];
            receiveAll(backend, n, 80, (InetSocketAddress) peer.getLocalAddress(), seen);
            int s = pool.acquire();
            pool.length(s, 5);
            SockAddr.write(pool.addresses(), pool.addressOffset(s), (InetSocketAddress) peer.getLocalAddress());
            assertEquals(1, backend.send(new int[] {s}, 1));
            ByteBuffer b = ByteBuffer.allocate(64);
            assertEquals(backend.localAddress(), peer.receive(b));
            assertEquals(5, b.position());
        }
    }

    @ParameterizedTest
    @EnumSource(UringOptions.ReceiveMode.class)
    void truncatedDatagramsAreCountedAndDropped(UringOptions.ReceiveMode mode) throws Exception {
        try (PacketPool pool = new PacketPool(256, 256);
                DatagramChannel peer = peer();
                UringBackend backend = UringBackend.open(LOOPBACK, SocketOptions.defaults(), pool, options(mode))) {
            backend.receive(new int[1], 1, 0);
            sendFromPeer(peer, backend.localAddress(), 0, 1000); // too big for a 256-byte slot
            sendFromPeer(peer, backend.localAddress(), 1, 64);
            boolean[] seen = new boolean[2];
            receiveAll(backend, 1, 64, (InetSocketAddress) peer.getLocalAddress(), seen);
            assertTrue(seen[1]);
            assertEquals(1, backend.stats().get(BackendStats.Counter.DATAGRAMS_TRUNCATED));
        }
    }

    @Test
    void multishotSurvivesBufferExhaustion() throws Exception {
        UringOptions o = options(UringOptions.ReceiveMode.MULTISHOT).withReceiveDepth(4);
        try (PacketPool pool = new PacketPool(64, 2048);
                DatagramChannel peer = peer();
                UringBackend backend = UringBackend.open(LOOPBACK, SocketOptions.defaults(), pool, o)) {
            backend.receive(new int[1], 1, 0); // arm over a 4-entry buffer ring
            int n = 300;
            for (int i = 0; i < n; i++) {
                sendFromPeer(peer, backend.localAddress(), i, 64); // a burst far larger than the ring
            }
            boolean[] seen = new boolean[n];
            receiveAll(backend, n, 64, (InetSocketAddress) peer.getLocalAddress(), seen);
            for (int i = 0; i < n; i++) {
                assertTrue(seen[i], "datagram " + i);
            }
            assertTrue(backend.uringStats().get(UringStats.Counter.ENOBUFS) > 0,
                    "the 4-entry ring ran dry: " + backend.uringStats());
            assertTrue(backend.uringStats().get(UringStats.Counter.MULTISHOT_ARMS) > 1);
            // and the stream continues after the burst
            sendFromPeer(peer, backend.localAddress(), 0, 64);
            receiveAll(backend, 1, 64, (InetSocketAddress) peer.getLocalAddress(), new boolean[1]);
        }
    }

    @ParameterizedTest
    @EnumSource(UringOptions.ReceiveMode.class)
    void sendsDatagrams(UringOptions.ReceiveMode mode) throws Exception {
        sendsDatagrams(options(mode));
    }

    @Test
    void sendsDatagramsWithSendTo() throws Exception {
        Assumptions.assumeTrue(IoUringSupport.get().sendTo(), "IORING_OP_SEND with a destination needs Linux 6.1");
        sendsDatagrams(UringOptions.defaults().withSendTo(true));
    }

    @Test
    void sendsDatagramsZeroCopy() throws Exception {
        Assumptions.assumeTrue(IoUringSupport.get().sendZc(), IoUringSupport.get().sendZcCause());
        sendsDatagrams(UringOptions.defaults().withZeroCopySend(true));
    }

    private void sendsDatagrams(UringOptions o) throws Exception {
        try (PacketPool pool = new PacketPool(1024, 2048);
                DatagramChannel peer = peer();
                UringBackend backend = UringBackend.open(LOOPBACK, SocketOptions.defaults(), pool, o)) {
            InetSocketAddress to = (InetSocketAddress) peer.getLocalAddress();
            int n = 600;
            int[] batch = new int[50];
            ByteBuffer b = ByteBuffer.allocate(4096);
            boolean[] seen = new boolean[n];
            for (int sent = 0; sent < n; sent += batch.length) {
                for (int i = 0; i < batch.length; i++) {
                    int s = pool.acquire();
                    pool.dataOffset(s, 8);
                    pool.length(s, 200);
                    pool.slot(s).set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 8,
                            sent + i);
                    SockAddr.write(pool.addresses(), pool.addressOffset(s), to);
                    batch[i] = s;
                }
                assertEquals(batch.length, backend.send(batch, batch.length));
                for (int i = 0; i < batch.length; i++) { // the peer keeps up, so its buffer never drops
                    b.clear();
                    assertEquals(backend.localAddress(), peer.receive(b));
                    assertEquals(200, b.position());
                    seen[b.getInt(0)] = true;
                }
            }
            for (int i = 0; i < n; i++) {
                assertTrue(seen[i], "datagram " + i);
            }
            // Completions are reaped lazily; a receive with no data reaps them.
            while (backend.stats().get(BackendStats.Counter.DATAGRAMS_SENT) < n
                    || (o.zeroCopySend() && backend.uringStats().get(UringStats.Counter.ZC_NOTIFICATIONS) < n)) {
                backend.receive(new int[1], 1, TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertEquals(0, backend.stats().get(BackendStats.Counter.SEND_ERRORS));
            backend.close();
            assertEquals(0, pool.outstanding(), "every sent slot released");
        }
    }

    @Test
    void wakeupEndsABlockedReceive() throws Exception {
        try (PacketPool pool = new PacketPool(256, 2048);
                UringBackend backend = UringBackend.open(LOOPBACK, SocketOptions.defaults(), pool)) {
            backend.receive(new int[1], 1, 0);
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Void> waker = CompletableFuture.runAsync(() -> {
                try {
                    waiting.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                backend.wakeup();
            });
            waiting.countDown();
            assertEquals(0, backend.receive(new int[1], 1, -1)); // returns only thanks to the wakeup
            waker.get(5, TimeUnit.SECONDS);
            assertTrue(backend.stats().get(BackendStats.Counter.WAKEUPS) >= 1);
            // A wakeup before the receive makes the next receive return at once.
            backend.wakeup();
            assertEquals(0, backend.receive(new int[1], 1, -1));
        }
    }

    @ParameterizedTest
    @EnumSource(UringOptions.ReceiveMode.class)
    void closeFromAnotherThreadWakesReceiveAndFreesEverything(UringOptions.ReceiveMode mode) throws Exception {
        java.util.Set<String> fdsBefore = openFds();
        long mapsBefore = ioUringMappings();
        try (PacketPool pool = new PacketPool(1024, 2048)) {
            UringBackend backend = UringBackend.open(LOOPBACK, SocketOptions.defaults(), pool, options(mode));
            try (DatagramChannel peer = peer()) {
                // Some traffic so slots are in the ready FIFO, armed, and in the buffer ring.
                backend.receive(new int[1], 1, 0);
                for (int i = 0; i < 20; i++) {
                    sendFromPeer(peer, backend.localAddress(), i, 64);
                }
                int[] one = new int[1];
                assertEquals(1, backend.receive(one, 1, TimeUnit.SECONDS.toNanos(5)));
                pool.release(one[0]);
            }
            assertTrue(ioUringMappings() > mapsBefore, "ring mapped");
            assertTrue(pool.outstanding() > 0, "slots armed");
            CompletableFuture<Long> closer = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(50); // let the receive block; correctness does not depend on it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                long t0 = System.nanoTime();
                backend.close();
                return System.nanoTime() - t0;
            });
            long t0 = System.nanoTime();
            int[] slots = new int[64];
            assertThrows(ClosedChannelException.class, () -> {
                while (true) {
                    int k = backend.receive(slots, slots.length, -1); // drains the rest, then blocks
                    for (int i = 0; i < k; i++) {
                        pool.release(slots[i]);
                    }
                }
            });
            long closeNanos = closer.get(5, TimeUnit.SECONDS);
            assertTrue(closeNanos < TimeUnit.MILLISECONDS.toNanos(100), "close took " + closeNanos + " ns");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
            assertTrue(backend.isClosed());
            assertEquals(0, pool.outstanding(), "every slot returned");
            assertEquals(mapsBefore, ioUringMappings(), "io_uring mappings unmapped");
            assertEquals(fdsBefore, openFds(), "socket, eventfd and ring fd closed");
            backend.close(); // idempotent
            assertThrows(ClosedChannelException.class, () -> backend.receive(slots, 1, 0));
        }
    }

    @Test
    void closeBeforeFirstUseFreesEverything() throws Exception {
        java.util.Set<String> fdsBefore = openFds();
        long mapsBefore = ioUringMappings();
        try (PacketPool pool = new PacketPool(1024, 2048)) {
            UringBackend backend = UringBackend.open(LOOPBACK, SocketOptions.defaults(), pool,
                    options(UringOptions.ReceiveMode.MULTISHOT));
            assertEquals(0, pool.outstanding(), "no slot taken before receiving starts");
            backend.send(new int[0], 0); // enables the ring on this thread
            backend.close();
            assertEquals(0, pool.outstanding());
            assertEquals(mapsBefore, ioUringMappings());
            assertEquals(fdsBefore, openFds());
        }
    }

    @Test
    void sendAfterCloseReleasesTheSlots() throws Exception {
        try (PacketPool pool = new PacketPool(64, 2048)) {
            UringBackend backend = UringBackend.open(LOOPBACK, SocketOptions.defaults(), pool);
            backend.close();
            int[] s = {pool.acquire(), pool.acquire()};
            assertThrows(ClosedChannelException.class, () -> backend.send(s, 2));
            assertEquals(0, pool.outstanding());
        }
    }

    @ParameterizedTest
    @EnumSource(UringOptions.ReceiveMode.class)
    void anOwnerChangeRebuildsTheRingAndLosesNothing(UringOptions.ReceiveMode mode) throws Exception {
        java.util.Set<String> fdsBefore = openFds();
        long mapsBefore = ioUringMappings();
        try (PacketPool pool = new PacketPool(256, 2048);
                DatagramChannel peer = peer()) {
            UringBackend backend = UringBackend.open(LOOPBACK, SocketOptions.defaults(), pool, options(mode));
            InetSocketAddress from = (InetSocketAddress) peer.getLocalAddress();
            // Thread A owns the ring and leaves receives armed, then exits (its requests die with it).
            Thread a = new Thread(() -> {
                try {
                    backend.receive(new int[1], 1, 0);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "first-owner");
            a.start();
            a.join(5000);
            for (int i = 0; i < 50; i++) {
                sendFromPeer(peer, backend.localAddress(), i, 64);
            }
            boolean[] seen = new boolean[50];
            receiveAll(backend, 50, 64, from, seen); // this thread takes over
            for (int i = 0; i < 50; i++) {
                assertTrue(seen[i], "datagram " + i);
            }
            assertEquals(1, backend.uringStats().get(UringStats.Counter.OWNER_CHANGES));
            backend.close();
            assertEquals(0, pool.outstanding());
        }
        assertEquals(mapsBefore, ioUringMappings());
        assertEquals(fdsBefore, openFds());
    }

    static java.util.Set<String> openFds() throws IOException {
        java.util.Set<String> out = new java.util.TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    out.add(p.getFileName() + "->" + Files.readSymbolicLink(p));
                } catch (IOException e) {
                    // the directory stream's own fd, gone already
                }
            }
        }
        return out;
    }

    static long ioUringMappings() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains("io_uring")).count();
        }
    }
}
