package io.zgrnet.io.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.PacketPool;
import io.zgrnet.config.SocketOptions;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.FaultSite;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.IoUringFaults;
import io.zgrnet.sys.NativeException;
import io.zgrnet.sys.Sqe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The io_uring backend's lifecycle under faults, one regression test per failure an independent
 * review reproduced (a SIGSEGV there kills this test JVM, so "the JVM lives" is checked by the run
 * itself): close while the owner is stalled inside, a failed owner change, arming while the SQ is
 * full and the kernel pushes back, a completion handler that throws, a starved pool, a virtual
 * thread as owner, and teardown on kernels without ASYNC_CANCEL_ANY.
 */
@Timeout(60)
class UringLifecycleTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @BeforeAll
    static void requireIoUring() {
        IoUringSupport s = IoUringSupport.get(); // cached before any fault is injected
        Assumptions.assumeTrue(s.available(), () -> "io_uring unavailable: " + s.unavailabilityCause());
    }

    @AfterEach
    void clearFaults() {
        IoUringFaults.clear();
        UringBackend.cancelByUserDataOnly = false;
    }

    private static UringOptions options(UringOptions.ReceiveMode mode) {
        if (mode == UringOptions.ReceiveMode.MULTISHOT) {
            Assumptions.assumeTrue(IoUringSupport.get().multishotReceive(), IoUringSupport.get().multishotCause());
        }
        return UringOptions.defaults(mode);
    }

    private static UringBackend open(PacketPool pool, UringOptions.ReceiveMode mode) throws IOException {
        return UringBackend.open(LOOPBACK, SocketOptions.defaults().withUdpGro(false), pool, options(mode));
    }

    private static void send(DatagramChannel from, InetSocketAddress to, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            from.send(ByteBuffer.wrap(new byte[] {(byte) i, 1, 2, 3}), to);
        }
    }

    /** Makes a short-lived thread the ring's owner (it arms receives), and waits for it to end. */
    private static void ownOnAnotherThreadThatEnds(UringBackend b) throws InterruptedException {
        Thread.ofPlatform().name("first-owner").start(() -> {
            try {
                b.receive(new int[1], 1, 0);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).join();
    }

    /** Receives until {@code n} datagrams came (bounded), returning every slot. */
    private static int receive(UringBackend b, int n) throws IOException {
        int[] slots = new int[64];
        int got = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got < n && System.nanoTime() - deadline < 0) {
            int k = b.receive(slots, slots.length, TimeUnit.MILLISECONDS.toNanos(100));
            for (int i = 0; i < k; i++) {
                b.pool().release(slots[i]);
            }
            got += k;
        }
        return got;
    }

    /** Review item 1: close() while the owner is stalled inside must not unmap under it. */
    @ParameterizedTest
    @EnumSource(UringOptions.ReceiveMode.class)
    void closeWhileTheOwnerIsStalledInsideLeavesTheCleanupToIt(UringOptions.ReceiveMode mode) throws Exception {
        try (PacketPool pool = new PacketPool(512, 2048); DatagramChannel peer = DatagramChannel.open()) {
            peer.bind(LOOPBACK);
            UringBackend b = open(pool, mode);
            CountDownLatch inside = new CountDownLatch(1);
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread owner = Thread.ofPlatform().name("stalled-owner").start(() -> {
                try {
                    receive(b, 1); // becomes the owner
                    IoUringFaults.stall(FaultSite.IO_URING_ENTER, 0, Duration.ofSeconds(3), Thread.currentThread());
                    inside.countDown();
                    outcome.set(b.receive(new int[8], 8, TimeUnit.SECONDS.toNanos(30)));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            send(peer, b.localAddress(), 1);
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            Thread.sleep(100); // the owner is now parked inside io_uring_enter's binding
            long t0 = System.nanoTime();
            b.close();
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(closeMillis >= 1500 && closeMillis < 3000, "close waited for the owner, bounded: " + closeMillis);
            assertFalse(b.isReleased(), "nothing freed while the owner is inside");
            assertEquals(1, b.uringStats().get(UringStats.Counter.CLEANUPS_DEFERRED));
            owner.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(owner.isAlive());
            assertInstanceOf(ClosedChannelException.class, outcome.get(), "the owner learns of the close");
            assertTrue(b.isReleased(), "the owner cleaned up as it left");
            assertEquals(0, pool.outstanding());
        }
    }

    /** Review item 2: a failed owner change keeps the old ring and names the call and errno. */
    @ParameterizedTest
    @EnumSource(UringOptions.ReceiveMode.class)
    void aFailedOwnerChangeKeepsTheOldRing(UringOptions.ReceiveMode mode) throws Exception {
        try (PacketPool pool = new PacketPool(512, 2048); DatagramChannel peer = DatagramChannel.open()) {
            peer.bind(LOOPBACK);
            UringBackend b = open(pool, mode);
            ownOnAnotherThreadThatEnds(b);
            for (int errno : new int[] {Errno.ENOMEM, Errno.EMFILE}) {
                IoUringFaults.fail(FaultSite.IO_URING_SETUP, errno, 0, 1);
                NativeException e = assertThrows(NativeException.class, () -> b.receive(new int[1], 1, 0));
                assertTrue(e.getMessage().contains("io_uring_setup") && e.getMessage().contains(Errno.describe(errno)),
                        e.getMessage());
                assertEquals(errno, e.errno());
            }
            // mmap of the new ring and the buffer-ring registration fail the same way.
            IoUringFaults.fail(FaultSite.MMAP, Errno.ENOMEM, 0, 1);
            assertThrows(NativeException.class, () -> b.receive(new int[1], 1, 0));
            if (mode == UringOptions.ReceiveMode.MULTISHOT) {
                IoUringFaults.fail(FaultSite.IO_URING_REGISTER, Errno.ENOMEM, 1, 1); // files ok, PBUF_RING refused
                assertThrows(NativeException.class, () -> b.receive(new int[1], 1, 0));
            }
            IoUringFaults.clear();
            assertEquals(4, b.uringStats().get(UringStats.Counter.OWNER_CHANGE_FAILURES)
                    + (mode == UringOptions.ReceiveMode.MULTISHOT ? 0 : 1));
            send(peer, b.localAddress(), 20);
            assertEquals(20, receive(b, 20), "the next call completes the change and receives");
            assertEquals(1, b.uringStats().get(UringStats.Counter.OWNER_CHANGES));
            b.close();
            assertTrue(b.isReleased());
            assertEquals(0, pool.outstanding());
        }
    }

    /** A new owner stalled inside the owner change (in io_uring_setup) while close() runs. */
    @Test
    void closeDuringAStalledOwnerChangeLeavesTheCleanupToTheNewOwner() throws Exception {
        try (PacketPool pool = new PacketPool(512, 2048)) {
            UringBackend b = open(pool, UringOptions.ReceiveMode.MULTISHOT);
            ownOnAnotherThreadThatEnds(b);
            AtomicReference<Object> outcome = new AtomicReference<>();
            CountDownLatch go = new CountDownLatch(1);
            Thread second = Thread.ofPlatform().name("stalled-new-owner").unstarted(() -> {
                try {
                    go.await();
                    outcome.set(b.receive(new int[1], 1, TimeUnit.SECONDS.toNanos(30)));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            IoUringFaults.stall(FaultSite.IO_URING_SETUP, 0, Duration.ofSeconds(3), second);
            second.start();
            go.countDown();
            Thread.sleep(200); // inside the owner change, parked in io_uring_setup's binding
            b.close();
            assertFalse(b.isReleased());
            second.join(TimeUnit.SECONDS.toMillis(20));
            assertInstanceOf(ClosedChannelException.class, outcome.get());
            assertEquals(1, b.uringStats().get(UringStats.Counter.OWNER_CHANGES));
            assertTrue(b.isReleased(), "the new owner tore down as it left");
            assertEquals(0, pool.outstanding());
        }
    }

    /** Only the owner can cancel: another thread may not take over while it lives. */
    @Test
    void aLiveOwnerCannotBeReplaced() throws Exception {
        try (PacketPool pool = new PacketPool(512, 2048)) {
            UringBackend b = open(pool, UringOptions.ReceiveMode.ARMED);
            CountDownLatch received = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread owner = Thread.ofPlatform().start(() -> {
                try {
                    b.receive(new int[1], 1, 0);
                    received.countDown();
                    release.await();
                    b.close(); // from the owner: the clean path
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertTrue(received.await(10, TimeUnit.SECONDS));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.receive(new int[1], 1, 0));
            assertTrue(e.getMessage().contains("is alive"), e.getMessage());
            release.countDown();
            owner.join();
            assertTrue(b.isReleased());
            assertEquals(0, pool.outstanding());
        }
    }

    /**
     * Review item 3: with a tiny SQ and the kernel pushing back (EBUSY) when arming fills it,
     * arming stops for the cycle instead of reaping in the middle of it: every datagram lands in
     * its own slot, none is lost, and the pool's accounting holds.
     */
    @Test
    void armingWithAFullSqAndEbusyNeverDoubleArms() throws Exception {
        try (PacketPool pool = new PacketPool(1024, 2048); DatagramChannel peer = DatagramChannel.open()) {
            peer.bind(LOOPBACK);
            UringOptions o = UringOptions.defaults(UringOptions.ReceiveMode.ARMED).withReceiveDepth(64)
                    .withRing(8, 1024);
            UringBackend b = UringBackend.open(LOOPBACK, SocketOptions.defaults().withUdpGro(false), pool, o);
            try {
                IoUringFaults.fail(FaultSite.IO_URING_ENTER, Errno.EBUSY, 0, 40);
                send(peer, b.localAddress(), 200);
                int[] slots = new int[64];
                java.util.Set<Integer> distinct = new java.util.HashSet<>();
                int got = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (got < 200 && System.nanoTime() - deadline < 0) {
                    int k = b.receive(slots, slots.length, TimeUnit.MILLISECONDS.toNanos(50));
                    for (int i = 0; i < k; i++) {
                        assertTrue(distinct.add(slots[i]), "slot " + slots[i] + " handed out twice");
                    }
                    for (int i = 0; i < k; i++) {
                        pool.release(slots[i]);
                        distinct.remove(slots[i]);
                    }
                    got += k;
                }
                assertEquals(200, got, b.stats() + " " + b.uringStats());
                assertTrue(IoUringFaults.fired(FaultSite.IO_URING_ENTER) > 0);
                assertTrue(b.uringStats().get(UringStats.Counter.SQ_FULL_DEFERRED) > 0, b.uringStats().toString());
            } finally {
                b.close();
            }
            assertEquals(0, pool.outstanding());
        }
    }

    /** Review item 4: a handler that throws is counted; the CQ head moves past it; nothing replays. */
    @Test
    void aThrowingCompletionHandlerIsCountedAndNotReplayed() throws Exception {
        try (PacketPool pool = new PacketPool(512, 2048); DatagramChannel peer = DatagramChannel.open()) {
            peer.bind(LOOPBACK);
            UringBackend b = open(pool, UringOptions.ReceiveMode.MULTISHOT);
            try {
                send(peer, b.localAddress(), 5);
                assertEquals(5, receive(b, 5)); // this thread owns the ring
                // A NOP whose user_data names a send operation that does not exist: its handler
                // throws (index out of bounds). Written by the owner between two calls.
                long sqe = b.trySqe();
                Sqe.prep(b.ring().sqes(), sqe, IoUring.IORING_OP_NOP, 0, -1, 0, 0, 0,
                        UringBackend.userData(UringBackend.KIND_SEND, 1_000_000));
                send(peer, b.localAddress(), 5);
                assertEquals(5, receive(b, 5), "the batch with the bad CQE went on");
                assertEquals(1, b.uringStats().get(UringStats.Counter.HANDLER_FAILURES));
                send(peer, b.localAddress(), 5);
                assertEquals(5, receive(b, 5));
                assertEquals(1, b.uringStats().get(UringStats.Counter.HANDLER_FAILURES), "not replayed");
            } finally {
                b.close();
            }
            assertEquals(0, pool.outstanding());
        }
    }

    /**
     * Review item 5: with every slot taken, a timed receive waits instead of spinning: about one
     * io_uring_enter per millisecond at most (272k/s before), and it receives again once slots
     * come back.
     */
    @ParameterizedTest
    @EnumSource(UringOptions.ReceiveMode.class)
    void anExhaustedPoolDoesNotSpin(UringOptions.ReceiveMode mode) throws Exception {
        try (PacketPool pool = new PacketPool(256, 2048); DatagramChannel peer = DatagramChannel.open()) {
            peer.bind(LOOPBACK);
            UringBackend b = open(pool, mode);
            try {
                b.receive(new int[1], 1, 0); // armed: the ring holds its share of the pool
                List<Integer> held = new ArrayList<>();
                for (int s; (s = pool.acquire()) >= 0; ) {
                    held.add(s);
                }
                send(peer, b.localAddress(), 300); // more than the armed slots can take
                long enters = b.uringStats().get(UringStats.Counter.ENTER_CALLS);
                long t0 = System.nanoTime();
                int got = 0;
                while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(500)) {
                    int[] slots = new int[64];
                    int k = b.receive(slots, 64, TimeUnit.MILLISECONDS.toNanos(50));
                    for (int i = 0; i < k; i++) {
                        held.add(slots[i]); // keep them: the pool stays empty
                    }
                    got += k;
                }
                long spent = b.uringStats().get(UringStats.Counter.ENTER_CALLS) - enters;
                assertTrue(spent < 2_000, "io_uring_enter calls in 0.5 s with the pool exhausted: " + spent);
                assertTrue(b.uringStats().get(UringStats.Counter.STARVED_WAITS) > 0);
                held.forEach(pool::release);
                assertTrue(receive(b, 300 - got) > 0, "receives again once slots come back");
            } finally {
                b.close();
            }
            assertEquals(0, pool.outstanding());
        }
    }

    /** Review item 6: a virtual thread cannot own a SINGLE_ISSUER ring; it is told why. */
    @Test
    void aVirtualThreadIsRefusedAsOwner() throws Exception {
        try (PacketPool pool = new PacketPool(512, 2048)) {
            UringBackend b = open(pool, UringOptions.ReceiveMode.ARMED);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread.ofVirtual().start(() -> {
                try {
                    b.receive(new int[1], 1, 0);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }).join();
            assertInstanceOf(IllegalStateException.class, failure.get());
            assertTrue(failure.get().getMessage().contains("virtual thread"), failure.get().getMessage());
            assertEquals(0, receive(b, 0)); // a platform thread may still own it
            b.close();
            assertTrue(b.isReleased());
            assertEquals(0, pool.outstanding());
        }
    }

    /** Review item 6: before 5.19 (no ASYNC_CANCEL_ANY), teardown cancels operation by operation. */
    @ParameterizedTest
    @EnumSource(UringOptions.ReceiveMode.class)
    void teardownCancelsOneByOneWithoutCancelAny(UringOptions.ReceiveMode mode) throws Exception {
        UringBackend.cancelByUserDataOnly = true;
        try (PacketPool pool = new PacketPool(512, 2048); DatagramChannel peer = DatagramChannel.open()) {
            peer.bind(LOOPBACK);
            UringBackend b = open(pool, mode);
            send(peer, b.localAddress(), 3);
            assertEquals(3, receive(b, 3));
            long t0 = System.nanoTime();
            b.close(); // from the owner
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(400), "no full drain timeout");
            assertTrue(b.uringStats().get(UringStats.Counter.CANCEL_BY_USER_DATA) > 0);
            assertEquals(0, b.uringStats().get(UringStats.Counter.OPERATIONS_LEAKED));
            assertTrue(b.isReleased());
            assertEquals(0, pool.outstanding());
        }
    }

    /** A closed ring refuses use with an exception, never a fault. */
    @Test
    void aClosedRingRefusesUse() throws Exception {
        Ring r = Ring.open(Ring.Options.of(8, 16));
        r.close();
        assertThrows(IllegalStateException.class, () -> r.enter(0, 0, 0, 0));
        assertThrows(IllegalStateException.class, r::cqReady);
        assertThrows(IllegalStateException.class, r::nextSqe);
        assertThrows(IllegalStateException.class, r::enable);
    }

    /** A receive interrupted by close from another thread, with sends in flight: everything comes back. */
    @Test
    void closeFromAForeignThreadAfterTheOwnerEndedFreesEverything() throws Exception {
        try (PacketPool pool = new PacketPool(512, 2048); DatagramChannel peer = DatagramChannel.open()) {
            peer.bind(LOOPBACK);
            UringBackend b = open(pool, UringOptions.ReceiveMode.MULTISHOT);
            ownOnAnotherThreadThatEnds(b);
            b.close(); // the owner's kernel task is gone: its operations were cancelled with it
            assertTrue(b.isReleased());
            assertEquals(0, b.uringStats().get(UringStats.Counter.OPERATIONS_LEAKED));
            assertEquals(0, pool.outstanding());
            assertTrue(b.stats().get(BackendStats.Counter.DATAGRAMS_RECEIVED) >= 0);
        }
    }
}
