package io.zgrnet.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zgrnet.io.BackendStats.Counter;
import io.zgrnet.sys.SockAddr;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link DatagramBackend} shares, run against each implementation by a
 * subclass that only says how to open one ({@link #open}) and whether it can run here
 * ({@link #unavailabilityCause}). Unavailable backends skip with the reason. Every test has a
 * deadline; waits are bounded joins and latches, never sleeps; every test sends to loopback only.
 *
 * <p>Receiver pools use {@value #SLOT_SIZE}-byte slots; senders use larger slots so they can send
 * datagrams that do not fit. Without large slots the largest datagram every backend must deliver
 * is {@link DatagramBackend#maxDatagram()}, the slot size (less the kernel's header on io_uring's
 * zero-copy multishot ring); with large slots, datagrams up to UDP's limit for the address family
 * (65,507 bytes over IPv4, 65,527 over IPv6) arrive whole in large slots, and running out of large
 * slots costs large datagrams only.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class DatagramBackendContract {
    /** Receiver slot size. */
    protected static final int SLOT_SIZE = 1024;
    /** Sender slot size: room for datagrams larger than a receiver slot. */
    protected static final int SENDER_SLOT_SIZE = 4096;
    private static final long RECEIVE_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    /** Opens the backend under test bound to {@code bind}, receiving into and sending from {@code pool}. */
    protected abstract DatagramBackend open(InetSocketAddress bind, PacketPool pool) throws IOException;

    /** Why the backend cannot run here (the suite is then skipped), or null. */
    protected String unavailabilityCause() {
        return null;
    }

    /** Why IPv6 loopback cannot be used here, or null. */
    protected String ipv6UnavailabilityCause() {
        try (DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET6)) {
            c.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot bind [::1]: " + e;
        }
    }

    /** Whether the backend uses file descriptors (the leak check then counts /proc/self/fd). */
    protected boolean usesFileDescriptors() {
        return true;
    }

    @BeforeEach
    void assumeAvailable() {
        String cause = unavailabilityCause();
        Assumptions.assumeTrue(cause == null, () -> getClass().getSimpleName() + " skipped: " + cause);
    }

    @AfterEach
    void closeResources() throws Exception {
        while (!resources.isEmpty()) {
            resources.pop().close(); // backends before their pools (pushed later, popped first)
        }
    }

    // ---------------------------------------------------------------- helpers

    protected static InetSocketAddress loopback4() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    protected static InetSocketAddress loopback6() throws IOException {
        return new InetSocketAddress(InetAddress.getByName("::1"), 0);
    }

    protected PacketPool pool(int slots, int slotSize) {
        return pool(slots, slotSize, 0, 0);
    }

    protected PacketPool pool(int slots, int slotSize, int largeSlots, int largeSlotSize) {
        PacketPool p = new PacketPool(slots, slotSize, largeSlots, largeSlotSize);
        resources.push(p);
        return p;
    }

    protected DatagramBackend backend(InetSocketAddress bind, PacketPool pool) throws IOException {
        DatagramBackend b = open(bind, pool);
        resources.push(b);
        return b;
    }

    protected DatagramBackend receiver(InetSocketAddress bind) throws IOException {
        return backend(bind, pool(256, SLOT_SIZE));
    }

    protected DatagramBackend sender(InetSocketAddress bind) throws IOException {
        return backend(bind, pool(256, SENDER_SLOT_SIZE));
    }

    /** A sender whose pool has 64 KiB slots too, for datagrams up to UDP's limit (and one more). */
    protected DatagramBackend largeSender(InetSocketAddress bind) throws IOException {
        return backend(bind, pool(64, SLOT_SIZE, 16, PacketPool.MAX_SLOT_SIZE));
    }

    /** A datagram as received: payload copy, source, and whether it came in a large slot. */
    protected record Received(byte[] payload, InetSocketAddress source, boolean large) {
    }

    protected static byte[] payload(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    /** Fills a slot of {@code from}'s pool with {@code payload} addressed to {@code to}. */
    protected static int slotWith(DatagramBackend from, InetSocketAddress to, byte[] payload) {
        PacketPool p = from.pool();
        int s = p.acquireFor(payload.length);
        assertTrue(s >= 0, "sender pool exhausted");
        MemorySegment.copy(payload, 0, p.slab(), ValueLayout.JAVA_BYTE, p.slotOffset(s), payload.length);
        p.length(s, payload.length);
        SockAddr.write(p.addresses(), p.addressOffset(s), to);
        return s;
    }

    /** Sends each payload to {@code to} in one send call; returns what send returned. */
    protected static int send(DatagramBackend from, InetSocketAddress to, byte[]... payloads) throws IOException {
        int[] slots = new int[payloads.length];
        for (int i = 0; i < payloads.length; i++) {
            slots[i] = slotWith(from, to, payloads[i]);
        }
        return from.send(slots, slots.length);
    }

    /** Receives until {@code n} datagrams arrived (or 5 s passed), copying and releasing each. */
    protected static List<Received> receive(DatagramBackend b, int n) throws IOException {
        return receive(b, n, null);
    }

    private static List<Received> receive(DatagramBackend b, int n, int[] maxPerCall) throws IOException {
        List<Received> out = new ArrayList<>();
        int[] slots = new int[64];
        PacketPool p = b.pool();
        long deadline = System.nanoTime() + RECEIVE_DEADLINE_NANOS;
        while (out.size() < n && deadline - System.nanoTime() > 0) {
            int got = b.receive(slots, Math.min(slots.length, n - out.size()), TimeUnit.MILLISECONDS.toNanos(100));
            if (maxPerCall != null) {
                maxPerCall[0] = Math.max(maxPerCall[0], got);
            }
            for (int i = 0; i < got; i++) {
                int s = slots[i];
                assertTrue(p.length(s) >= 0 && p.dataOffset(s) + p.length(s) <= p.slotSize(s), "length within the slot");
                byte[] data = new byte[p.length(s)];
                MemorySegment.copy(p.slab(), ValueLayout.JAVA_BYTE, p.slotOffset(s) + p.dataOffset(s), data, 0,
                        data.length);
                out.add(new Received(data, SockAddr.read(p.addresses(), p.addressOffset(s)), p.isLarge(s)));
                p.release(s);
            }
        }
        assertEquals(n, out.size(), "datagrams received within 5 s");
        return out;
    }

    private static void assertSameEndpoint(InetSocketAddress expected, InetSocketAddress actual) {
        assertArrayEquals(expected.getAddress().getAddress(), actual.getAddress().getAddress(),
                () -> "source address " + actual + ", expected " + expected);
        assertEquals(expected.getPort(), actual.getPort(), "source port");
    }

    private static long openFileDescriptors() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Runs {@code receive(slots, max, -1)} on a thread; the result is an Integer or a Throwable. */
    private static Thread blockedReceive(DatagramBackend b, CountDownLatch started, AtomicReference<Object> result) {
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                result.set(b.receive(new int[8], 8, -1));
            } catch (Throwable e) {
                result.set(e);
            }
        }, "contract-blocked-receive");
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ---------------------------------------------------------------- tests

    @Test
    void singleDatagramWithPayloadLengthAndSource() throws IOException {
        DatagramBackend rx = receiver(loopback4());
        DatagramBackend tx = sender(loopback4());
        byte[] data = payload(100, 1);

        assertEquals(1, send(tx, rx.localAddress(), data));
        List<Received> got = receive(rx, 1);

        assertArrayEquals(data, got.get(0).payload());
        assertSameEndpoint(tx.localAddress(), got.get(0).source());
        assertEquals(1, tx.stats().get(Counter.DATAGRAMS_SENT));
        assertEquals(100, tx.stats().get(Counter.BYTES_SENT));
        assertEquals(1, rx.stats().get(Counter.DATAGRAMS_RECEIVED));
        assertEquals(100, rx.stats().get(Counter.BYTES_RECEIVED));
        assertEquals(0, tx.pool().outstanding(), "send released its slot");
        assertEquals(0, rx.stats().get(Counter.DATAGRAMS_TRUNCATED));
    }

    @Test
    void batchedSendAndReceive() throws IOException {
        DatagramBackend rx = receiver(loopback4());
        DatagramBackend tx = sender(loopback4());
        int n = 200; // more than one 64-datagram batch
        byte[][] payloads = new byte[n][];
        for (int i = 0; i < n; i++) {
            payloads[i] = payload(8 + i, i);
            payloads[i][0] = (byte) i;
            payloads[i][1] = (byte) (i >> 8);
        }

        assertEquals(n, send(tx, rx.localAddress(), payloads));
        int[] maxPerCall = new int[1];
        List<Received> got = receive(rx, n, maxPerCall);

        Set<Integer> seen = new HashSet<>();
        for (Received r : got) {
            int i = (r.payload()[0] & 0xff) | (r.payload()[1] & 0xff) << 8;
            assertTrue(seen.add(i), "datagram " + i + " delivered once");
            assertArrayEquals(payloads[i], r.payload());
            assertSameEndpoint(tx.localAddress(), r.source());
        }
        assertTrue(maxPerCall[0] > 1, "a receive call returned a batch (max " + maxPerCall[0] + ")");
        assertEquals(n, tx.stats().get(Counter.DATAGRAMS_SENT));
        assertEquals(n, rx.stats().get(Counter.DATAGRAMS_RECEIVED));
        assertEquals(0, tx.pool().outstanding());
    }

    @Test
    void ipv6SingleAndBatch() throws IOException {
        String cause = ipv6UnavailabilityCause();
        Assumptions.assumeTrue(cause == null, () -> "IPv6 skipped: " + cause);
        DatagramBackend rx = receiver(loopback6());
        DatagramBackend tx = sender(loopback6());
        assertEquals(3, send(tx, rx.localAddress(), payload(10, 1), payload(20, 2), payload(30, 3)));
        List<Received> got = receive(rx, 3);
        for (Received r : got) {
            assertSameEndpoint(tx.localAddress(), r.source());
        }
        assertEquals(60, got.stream().mapToInt(r -> r.payload().length).sum());
    }

    @Test
    void sourceAddressesTellSendersApartAndAreUsableForReplies() throws IOException {
        DatagramBackend rx = receiver(loopback4());
        DatagramBackend a = sender(loopback4());
        DatagramBackend b = sender(loopback4());
        send(a, rx.localAddress(), new byte[] {'a'});
        send(b, rx.localAddress(), new byte[] {'b'});
        List<Received> got = receive(rx, 2);
        for (Received r : got) {
            assertSameEndpoint(r.payload()[0] == 'a' ? a.localAddress() : b.localAddress(), r.source());
        }

        // Echo: the received slot's address area, untouched, is the reply's destination.
        send(a, rx.localAddress(), new byte[] {'p', 'i', 'n', 'g'});
        int[] slots = new int[4];
        int n = 0;
        long deadline = System.nanoTime() + RECEIVE_DEADLINE_NANOS;
        while (n == 0 && deadline - System.nanoTime() > 0) {
            n = rx.receive(slots, 4, TimeUnit.MILLISECONDS.toNanos(100));
        }
        assertEquals(1, n);
        assertEquals(1, rx.send(slots, 1));
        List<Received> echo = receive(a, 1);
        assertArrayEquals(new byte[] {'p', 'i', 'n', 'g'}, echo.get(0).payload());
        assertSameEndpoint(rx.localAddress(), echo.get(0).source());
    }

    @Test
    void truncatedDatagramIsCountedAndNeverDelivered() throws IOException {
        DatagramBackend rx = receiver(loopback4());
        DatagramBackend tx = sender(loopback4());
        int max = rx.maxDatagram();
        assertTrue(max <= rx.pool().slotSize(), "a pool without large slots: the limit is a slot");
        byte[] largestThatFits = payload(max, 7); // exactly the limit: delivered (NIO too)
        byte[] last = payload(10, 8);

        assertEquals(4, send(tx, rx.localAddress(), payload(max + 1000, 6), largestThatFits, payload(max + 1, 9),
                last));
        List<Received> got = receive(rx, 2);

        assertEquals(max, got.get(0).payload().length);
        assertArrayEquals(largestThatFits, got.get(0).payload());
        assertArrayEquals(last, got.get(1).payload());
        assertEquals(2, rx.stats().get(Counter.DATAGRAMS_TRUNCATED));
        assertEquals(2, rx.stats().get(Counter.DATAGRAMS_RECEIVED));
    }

    // ---------------------------------------------------------------- large datagrams

    @Test
    void largeDatagramsArriveWholeInLargeSlotsOverIpv4() throws IOException {
        largeDatagramsArriveWhole(loopback4(), UdpLimits.MAX_IPV4_PAYLOAD);
    }

    @Test
    void largeDatagramsArriveWholeInLargeSlotsOverIpv6() throws IOException {
        String cause = ipv6UnavailabilityCause();
        Assumptions.assumeTrue(cause == null, () -> "IPv6 skipped: " + cause);
        largeDatagramsArriveWhole(loopback6(), UdpLimits.MAX_IPV6_PAYLOAD);
    }

    /**
     * Sizes around the small slot, the sizes applications send whole (2019, 8000, 16384, 60000)
     * and the family's limit, between small datagrams: each arrives byte for byte, in order, the
     * small ones in small slots, the others in large ones; none is left in a large slot.
     */
    private void largeDatagramsArriveWhole(InetSocketAddress bind, int familyLimit) throws IOException {
        PacketPool rxPool = pool(256, SLOT_SIZE, 8, PacketPool.MAX_SLOT_SIZE);
        DatagramBackend rx = backend(bind, rxPool);
        DatagramBackend tx = largeSender(bind);
        assertEquals(familyLimit, rx.maxDatagram(), "maxDatagram: UDP's limit for the family");
        int[] sizes = {10, SLOT_SIZE, 2019, 7, SLOT_SIZE + 1, 8000, 16384, 60000, 100, familyLimit, 3};
        byte[][] payloads = new byte[sizes.length][];
        for (int i = 0; i < sizes.length; i++) {
            payloads[i] = payload(sizes[i], i);
        }
        int large = 0;
        for (int round = 0; round < 3; round++) { // slots are reused: 8 large slots, 21 large datagrams
            for (byte[] p : payloads) {
                assertEquals(1, send(tx, rx.localAddress(), p)); // one at a time: a 4 MiB buffer holds them all
            }
            List<Received> got = receive(rx, sizes.length);
            for (int i = 0; i < sizes.length; i++) {
                Received r = got.get(i);
                assertEquals(sizes[i], r.payload().length, "datagram " + i + " in order, whole");
                assertArrayEquals(payloads[i], r.payload(), "datagram " + i + " byte for byte");
                assertEquals(sizes[i] > SLOT_SIZE, r.large(), "datagram " + i + " of " + sizes[i] + " B: large slot");
                assertSameEndpoint(tx.localAddress(), r.source());
                large += r.large() ? 1 : 0;
            }
        }
        assertEquals(large, rx.stats().get(Counter.LARGE_RECEIVED));
        assertEquals(0, rx.stats().get(Counter.DATAGRAMS_TRUNCATED));
        assertEquals(0, rx.stats().get(Counter.LARGE_NO_SLOT));
        assertEquals(0, rxPool.outstandingLarge(), "every large slot handed out was the caller's to release");
        assertEquals(0, tx.pool().outstanding(), "sent large slots released");
    }

    /**
     * {@link DatagramBackend#maxDatagram()} is true: exactly that many bytes arrive; one more is
     * refused by the sending kernel (EMSGSIZE, counted) or dropped by the receiver (counted), never
     * delivered.
     */
    @Test
    void exactlyMaxDatagramArrivesAndOneMoreNever() throws IOException {
        exactlyMaxDatagram(loopback4());
    }

    @Test
    void exactlyMaxDatagramArrivesAndOneMoreNeverOverIpv6() throws IOException {
        String cause = ipv6UnavailabilityCause();
        Assumptions.assumeTrue(cause == null, () -> "IPv6 skipped: " + cause);
        exactlyMaxDatagram(loopback6());
    }

    private void exactlyMaxDatagram(InetSocketAddress bind) throws IOException {
        DatagramBackend rx = backend(bind, pool(64, SLOT_SIZE, 4, PacketPool.MAX_SLOT_SIZE));
        DatagramBackend tx = largeSender(bind);
        int max = rx.maxDatagram();
        byte[] exact = payload(max, 1);
        byte[] marker = payload(5, 2);
        assertEquals(1, send(tx, rx.localAddress(), exact));
        assertArrayEquals(exact, receive(rx, 1).get(0).payload());
        send(tx, rx.localAddress(), payload(max + 1, 3));
        assertEquals(1, send(tx, rx.localAddress(), marker));
        assertArrayEquals(marker, receive(rx, 1).get(0).payload(), "the next datagram is the marker");
        assertEquals(1, tx.stats().get(Counter.SEND_ERRORS) + rx.stats().get(Counter.DATAGRAMS_TRUNCATED),
                "one more than the limit: refused by the kernel or dropped by the receiver, counted");
    }

    /** A datagram above the pool's configured limit (its large slot size) is counted and dropped. */
    @Test
    void aDatagramAboveTheConfiguredLimitIsCountedAndDropped() throws IOException {
        DatagramBackend rx = backend(loopback4(), pool(64, SLOT_SIZE, 4, 4096));
        DatagramBackend tx = largeSender(loopback4());
        assertEquals(4096, rx.maxDatagram());
        byte[] atLimit = payload(4096, 1);
        byte[] small = payload(10, 2);
        assertEquals(4, send(tx, rx.localAddress(), payload(4097, 3), atLimit, payload(30000, 4), small));
        List<Received> got = receive(rx, 2);
        assertArrayEquals(atLimit, got.get(0).payload());
        assertArrayEquals(small, got.get(1).payload());
        assertEquals(2, rx.stats().get(Counter.DATAGRAMS_TRUNCATED));
    }

    /**
     * With every large slot held, large datagrams are dropped and counted, never waited for, and
     * the small ones between them keep arriving; once large slots are free again they flow.
     */
    @Test
    void largeSlotExhaustionDropsLargeDatagramsOnlyAndNeverStallsSmallOnes() throws IOException {
        PacketPool rxPool = pool(64, SLOT_SIZE, 2, PacketPool.MAX_SLOT_SIZE);
        DatagramBackend rx = backend(loopback4(), rxPool);
        DatagramBackend tx = largeSender(loopback4());
        int held1 = rxPool.acquireLarge();
        int held2 = rxPool.acquireLarge();
        assertEquals(-1, rxPool.acquireLarge());
        byte[][] small = {payload(10, 1), payload(11, 2), payload(12, 3)};
        send(tx, rx.localAddress(), small[0]);
        send(tx, rx.localAddress(), payload(3000, 4));
        send(tx, rx.localAddress(), small[1]);
        send(tx, rx.localAddress(), payload(50000, 5));
        send(tx, rx.localAddress(), small[2]);
        List<Received> got = receive(rx, 3);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(small[i], got.get(i).payload(), "small datagram " + i);
        }
        assertEquals(2, rx.stats().get(Counter.LARGE_NO_SLOT));
        rxPool.release(held1);
        rxPool.release(held2);
        byte[] later = payload(40000, 6);
        send(tx, rx.localAddress(), later);
        Received r = receive(rx, 1).get(0);
        assertArrayEquals(later, r.payload());
        assertTrue(r.large());
    }

    /** Large datagrams still in the kernel or the backend at close leave no slot behind. */
    @Test
    void largeDatagramsInFlightAtCloseLeaveNoSlotBehind() throws IOException {
        PacketPool rxPool = pool(128, SLOT_SIZE, 8, PacketPool.MAX_SLOT_SIZE);
        DatagramBackend rx = backend(loopback4(), rxPool);
        DatagramBackend tx = largeSender(loopback4());
        for (int i = 0; i < 12; i++) {
            send(tx, rx.localAddress(), payload(i % 2 == 0 ? 20000 : 100, i));
        }
        receive(rx, 3);
        rx.close();
        tx.close();
        assertEquals(0, rxPool.outstanding(), "receiver pool");
        assertEquals(0, tx.pool().outstanding(), "sender pool");
    }

    /** The large-datagram path allocates nothing per datagram on the receiving thread. */
    @Test
    void receivingLargeDatagramsAllocatesNothingPerDatagram() throws IOException {
        Assumptions.assumeFalse(allocatesPerReceive(), "this backend allocates per receive by design");
        Assumptions.assumeTrue(java.lang.management.ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean, "per-thread allocation counter unavailable");
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        PacketPool rxPool = pool(256, SLOT_SIZE, 16, PacketPool.MAX_SLOT_SIZE);
        DatagramBackend rx = backend(loopback4(), rxPool);
        DatagramBackend tx = largeSender(loopback4());
        int[] slots = new int[32];
        long allocated = 0;
        int measured = 0;
        for (int round = 0; round < 300; round++) { // warm: the JIT removes the transient segments
            for (int i = 0; i < 16; i++) {
                send(tx, rx.localAddress(), payload(i % 2 == 0 ? 9000 : 60, i));
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            int got = 0;
            long deadline = System.nanoTime() + RECEIVE_DEADLINE_NANOS;
            while (got < 16 && deadline - System.nanoTime() > 0) {
                int n = rx.receive(slots, slots.length, TimeUnit.MILLISECONDS.toNanos(20));
                for (int i = 0; i < n; i++) {
                    rxPool.release(slots[i]);
                }
                got += n;
            }
            assertEquals(16, got);
            if (round >= 250) {
                allocated += mx.getCurrentThreadAllocatedBytes() - before;
                measured += got;
            }
        }
        // One object per datagram would be at least 16 bytes each (a receive call that waits may
        // allocate a little on recvmmsg's ppoll path: per call, not per datagram).
        assertTrue(allocated < 8L * measured, allocated + " bytes allocated receiving " + measured + " datagrams");
    }

    /** True for a backend that allocates per receive by design (NIO's InetSocketAddress). */
    protected boolean allocatesPerReceive() {
        return false;
    }

    @Test
    void zeroLengthDatagramIsDelivered() throws IOException {
        DatagramBackend rx = receiver(loopback4());
        DatagramBackend tx = sender(loopback4());
        assertEquals(2, send(tx, rx.localAddress(), new byte[0], new byte[] {42}));
        List<Received> got = receive(rx, 2);
        assertEquals(0, got.get(0).payload().length);
        assertSameEndpoint(tx.localAddress(), got.get(0).source());
        assertArrayEquals(new byte[] {42}, got.get(1).payload());
    }

    @Test
    void bindConflictNamesTheAddress() throws IOException {
        DatagramBackend first = receiver(loopback4());
        IOException e = assertThrows(IOException.class, () -> receiver(first.localAddress()));
        assertNotNull(e.getMessage());
        String expected = "127.0.0.1:" + first.localAddress().getPort();
        assertTrue(e.getMessage().contains(expected), () -> "message names " + expected + ": " + e.getMessage());
    }

    @Test
    void receiveTimesOutWithZero() throws IOException {
        DatagramBackend rx = receiver(loopback4());
        int[] slots = new int[4];
        assertEquals(0, rx.receive(slots, 4, 0));
        long timeout = TimeUnit.MILLISECONDS.toNanos(30);
        long start = System.nanoTime();
        assertEquals(0, rx.receive(slots, 4, timeout));
        assertTrue(System.nanoTime() - start >= timeout, "waited the whole timeout");
    }

    @Test
    void closeWakesABlockedReceive() throws Exception {
        DatagramBackend rx = receiver(loopback4());
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = blockedReceive(rx, started, result);
        assertTrue(started.await(5, TimeUnit.SECONDS));

        rx.close();
        t.join(TimeUnit.SECONDS.toMillis(5));

        assertFalse(t.isAlive(), "close woke the blocked receive");
        Object r = result.get();
        assertTrue(r instanceof ClosedChannelException || Integer.valueOf(0).equals(r),
                "blocked receive returned 0 or threw ClosedChannelException, got " + r);
        assertThrows(ClosedChannelException.class, () -> rx.receive(new int[1], 1, 0));
    }

    @Test
    void wakeupMakesABlockedReceiveReturnZero() throws Exception {
        DatagramBackend rx = receiver(loopback4());
        DatagramBackend tx = sender(loopback4());
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = blockedReceive(rx, started, result);
        assertTrue(started.await(5, TimeUnit.SECONDS));

        rx.wakeup();
        t.join(TimeUnit.SECONDS.toMillis(5));

        assertFalse(t.isAlive(), "wakeup released the blocked receive");
        assertEquals(0, result.get());
        assertEquals(1, rx.stats().get(Counter.WAKEUPS));
        // The backend still works after a wakeup.
        send(tx, rx.localAddress(), new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, receive(rx, 1).get(0).payload());
    }

    @Test
    void sendAfterCloseReleasesTheSlotsAndThrows() throws IOException {
        DatagramBackend tx = sender(loopback4());
        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
        int[] slots = {slotWith(tx, to, new byte[1]), slotWith(tx, to, new byte[2])};
        tx.close();
        assertThrows(ClosedChannelException.class, () -> tx.send(slots, 2));
        assertEquals(0, tx.pool().outstanding());
        tx.close(); // idempotent
    }

    @Test
    void malformedSlotsAreCountedAndDroppedNotThrown() throws IOException {
        DatagramBackend rx = receiver(loopback4());
        DatagramBackend tx = sender(loopback4());
        PacketPool p = tx.pool();
        int tooLong = slotWith(tx, rx.localAddress(), new byte[1]);
        p.length(tooLong, SENDER_SLOT_SIZE + 1);
        int noAddress = slotWith(tx, rx.localAddress(), new byte[1]);
        p.addresses().asSlice(p.addressOffset(noAddress), PacketPool.ADDRESS_SIZE).fill((byte) 0);
        int good = slotWith(tx, rx.localAddress(), new byte[] {5});

        assertEquals(1, tx.send(new int[] {tooLong, noAddress, good}, 3));

        assertEquals(2, tx.stats().get(Counter.SEND_MALFORMED));
        assertArrayEquals(new byte[] {5}, receive(rx, 1).get(0).payload());
        assertEquals(0, p.outstanding());
    }

    @Test
    void invalidArgumentsAreRejectedNamingTheArgument() throws IOException {
        DatagramBackend rx = receiver(loopback4());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rx.receive(new int[4], 0, 0));
        assertTrue(e.getMessage().contains("max"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> rx.receive(new int[4], 5, 0));
        assertTrue(e.getMessage().contains("max"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> rx.send(new int[1], 2));
        assertTrue(e.getMessage().contains("count"), e.getMessage());
    }

    @Test
    void poolHasNoOutstandingSlotAfterClose() throws IOException {
        PacketPool rxPool = pool(256, SLOT_SIZE);
        DatagramBackend rx = backend(loopback4(), rxPool);
        DatagramBackend tx = sender(loopback4());
        byte[][] payloads = new byte[20][];
        Arrays.setAll(payloads, i -> payload(50, i));
        assertEquals(20, send(tx, rx.localAddress(), payloads));
        receive(rx, 3); // the rest stays queued (in the kernel, or armed in the backend)

        rx.close();
        tx.close();

        assertEquals(0, rxPool.outstanding(), "receiver pool");
        assertEquals(0, tx.pool().outstanding(), "sender pool");
    }

    @Test
    void noFileDescriptorLeaks() throws IOException {
        Assumptions.assumeTrue(usesFileDescriptors(), "backend uses no file descriptors");
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "no /proc/self/fd on this OS");
        PacketPool p = pool(64, SLOT_SIZE);
        open(loopback4(), p).close(); // warm-up: class loading may open jars
        long before = openFileDescriptors();

        for (int round = 0; round < 3; round++) {
            try (DatagramBackend a = open(loopback4(), p); DatagramBackend b = open(loopback4(), p)) {
                send(a, b.localAddress(), new byte[] {1});
                receive(b, 1);
                b.wakeup();
            }
        }

        assertEquals(before, openFileDescriptors(), "open file descriptors after 3 open/close rounds");
        assertEquals(0, p.outstanding());
    }

    @Test
    void reportsItsName() throws IOException {
        DatagramBackend rx = receiver(loopback4());
        assertFalse(rx.name().isBlank());
        assertNotNull(rx.socketOptionsReport());
        assertTrue(rx.localAddress().getPort() != 0, "bound port is the real one");
        if (rx.pool() == null) {
            fail("pool() returns the pool");
        }
    }
}
