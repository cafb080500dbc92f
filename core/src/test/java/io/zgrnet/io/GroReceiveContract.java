package io.zgrnet.io;

import io.zgrnet.sys.SocketOptionsReport;
import io.zgrnet.config.SocketOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.io.BackendStats.Counter;
import io.zgrnet.io.mmsg.MmsgBackend;
import io.zgrnet.sys.Iovec;
import io.zgrnet.sys.Libc;
import io.zgrnet.sys.Mmsghdr;
import io.zgrnet.sys.Msghdr;
import io.zgrnet.sys.Net;
import io.zgrnet.sys.SockAddr;
import io.zgrnet.sys.UdpSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * UDP GRO receive on loopback: a GSO sender (the mmsg backend) sends runs of datagrams that arrive
 * as one coalesced buffer per send, which the backend under test splits back into whole datagrams,
 * in order, byte for byte, with the sender's address; segments survive small caller arrays and an
 * empty pool; oversized segments are counted; nothing is left in the pool after close.
 */
@Timeout(60)
public abstract class GroReceiveContract {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final SocketOptions GRO = SocketOptions.builder().udpGro(true).build();

    /** Opens the receiving backend under test, with UDP_GRO on. */
    protected abstract DatagramBackend open(InetSocketAddress bind, SocketOptions options, PacketPool pool)
            throws IOException;

    /** Why the backend under test cannot run here, or null. */
    protected abstract String unavailabilityCause();

    private DatagramBackend receiver(PacketPool pool) throws IOException {
        return open(LOOPBACK, GRO, pool);
    }

    private static MmsgBackend sender(PacketPool pool) throws IOException {
        return MmsgBackend.open(LOOPBACK, SocketOptions.defaults(), pool, 64);
    }

    @BeforeEach
    void requireGro() throws IOException {
        Assumptions.assumeTrue(MmsgBackend.isAvailable(), MmsgBackend::unavailabilityCause);
        String cause = unavailabilityCause();
        Assumptions.assumeTrue(cause == null, cause);
        try (PacketPool pool = new PacketPool(64, 2048); DatagramBackend b = receiver(pool)) {
            SocketOptionsReport.Entry gro = b.socketOptionsReport().entry("UDP_GRO");
            Assumptions.assumeTrue(gro.applied(), () -> "UDP_GRO refused here: " + gro);
        }
    }

    @Test
    void gsoRunArrivesCoalescedAndIsSplitIntoWholeDatagrams() throws IOException {
        try (PacketPool pool = new PacketPool(512, 2048);
             DatagramBackend rx = receiver(pool);
             MmsgBackend tx = sender(pool)) {
            send(tx, rx.localAddress(), 64, 300, 0);
            Assumptions.assumeTrue(tx.stats().get(Counter.GSO_SENDS) > 0, "the kernel refused UDP GSO");
            List<byte[]> got = receive(rx, 64, 64, tx.localAddress());
            assertEquals(64, got.size());
            for (int i = 0; i < 64; i++) {
                assertPayload(got.get(i), i, 300);
            }
            assertTrue(rx.stats().get(Counter.GRO_RECEIVES) > 0, "no coalesced buffer arrived");
            assertEquals(64, rx.stats().get(Counter.GRO_DATAGRAMS));
            assertEquals(64, rx.stats().get(Counter.DATAGRAMS_RECEIVED));
            assertEquals(64L * 300, rx.stats().get(Counter.BYTES_RECEIVED));
            assertEquals(0, rx.stats().get(Counter.DATAGRAMS_TRUNCATED));
        }
    }

    @Test
    void lastSegmentMayBeShorter() throws IOException {
        try (PacketPool pool = new PacketPool(64, 2048);
             DatagramBackend rx = receiver(pool);
             MmsgBackend tx = sender(pool)) {
            // One GSO run: three 300-byte datagrams and a 100-byte one, the kernel's last segment.
            send(tx, rx.localAddress(), new int[] {300, 300, 300, 100}, 0);
            Assumptions.assumeTrue(tx.stats().get(Counter.GSO_SENDS) > 0, "the kernel refused UDP GSO");
            List<byte[]> got = receive(rx, 4, 64, tx.localAddress());
            assertEquals(List.of(300, 300, 300, 100), got.stream().map(b -> b.length).toList());
            for (int i = 0; i < 4; i++) {
                assertPayload(got.get(i), i, got.get(i).length);
            }
            assertEquals(1, rx.stats().get(Counter.GRO_RECEIVES));
        }
    }

    @Test
    void stagedSegmentsOutliveSmallArraysAndAnEmptyPool() throws IOException {
        try (PacketPool pool = new PacketPool(80, 2048);
             DatagramBackend rx = receiver(pool);
             MmsgBackend tx = sender(pool)) {
            send(tx, rx.localAddress(), 64, 200, 0);
            // Hold all but 10 slots: the split runs dry mid-buffer and must resume, not drop. (A
            // backend that arms slots for its next receive may park some of the 10 there.)
            List<Integer> held = new ArrayList<>();
            for (int s; pool.capacity() - pool.outstanding() > 10 && (s = pool.acquire()) >= 0; ) {
                held.add(s);
            }
            int[] slots = new int[16];
            int first = rx.receive(slots, 16, TimeUnit.SECONDS.toNanos(10));
            assertTrue(first >= 1 && first <= 10, "at most as many as the pool holds: " + first);
            assertEquals(0, rx.receive(new int[3], 3, 0), "pool exhausted: nothing delivered");
            assertTrue(rx.stats().get(Counter.RECEIVE_NO_SLOT) > 0);
            List<byte[]> got = new ArrayList<>();
            for (int i = 0; i < first; i++) {
                got.add(take(pool, slots[i], tx.localAddress()));
            }
            held.forEach(pool::release);
            got.addAll(receive(rx, 64 - first, 3, tx.localAddress()));
            assertEquals(64, got.size());
            for (int i = 0; i < 64; i++) {
                assertPayload(got.get(i), i, 200);
            }
        }
    }

    @Test
    void segmentsLargerThanASlotAreCountedNotDelivered() throws IOException {
        try (PacketPool small = new PacketPool(64, 512);
             PacketPool big = new PacketPool(64, 2048);
             DatagramBackend rx = receiver(small);
             MmsgBackend tx = sender(big)) {
            send(tx, rx.localAddress(), 8, 600, 0);
            send(tx, rx.localAddress(), 8, 400, 100);
            List<byte[]> got = receive(rx, 8, 64, tx.localAddress());
            assertEquals(8, got.size());
            for (int i = 0; i < 8; i++) {
                assertPayload(got.get(i), 100 + i, 400);
            }
            assertEquals(8, rx.stats().get(Counter.DATAGRAMS_TRUNCATED));
            rx.close();
            assertEquals(0, small.outstanding(), "nothing of the truncated buffer was left behind");
        }
    }

    /** Segments larger than a small slot go, one by one and in order, into large slots. */
    @Test
    void segmentsLargerThanASmallSlotArriveInLargeSlots() throws IOException {
        try (PacketPool small = new PacketPool(64, 512, 8, 4096);
             PacketPool big = new PacketPool(64, 2048);
             DatagramBackend rx = receiver(small);
             MmsgBackend tx = sender(big)) {
            send(tx, rx.localAddress(), new int[] {600, 600, 600, 600, 600, 300}, 0);
            Assumptions.assumeTrue(tx.stats().get(Counter.GSO_SENDS) > 0, "the kernel refused UDP GSO");
            send(tx, rx.localAddress(), new int[] {100, 100}, 6);
            List<byte[]> got = receive(rx, 8, 64, tx.localAddress());
            assertEquals(List.of(600, 600, 600, 600, 600, 300, 100, 100), got.stream().map(b -> b.length).toList());
            for (int i = 0; i < 8; i++) {
                assertPayload(got.get(i), i, got.get(i).length);
            }
            assertEquals(5, rx.stats().get(Counter.LARGE_RECEIVED), "600-byte segments in large slots");
            assertEquals(0, rx.stats().get(Counter.DATAGRAMS_TRUNCATED));
            rx.close();
            assertEquals(0, small.outstanding());
        }
    }

    /**
     * A GSO sender with 16 KiB segments (as a peer carrying whole messages might be): its buffer
     * arrives coalesced, and is split into 16 KiB datagrams and the short last one, never into
     * pieces of a small slot and never as one.
     */
    @Test
    void sixteenKibSegmentsAreSplitAtTheSegmentSize() throws IOException {
        try (PacketPool pool = new PacketPool(64, 2048, 8, PacketPool.MAX_SLOT_SIZE);
             DatagramBackend rx = receiver(pool);
             UdpSocket raw = UdpSocket.open(LOOPBACK, SocketOptions.builder().udpGso(false).udpGro(false).build());
             Arena arena = Arena.ofConfined()) {
            int segment = 16384;
            try {
                raw.intOption(Net.SOL_UDP, Net.UDP_SEGMENT, segment);
            } catch (io.zgrnet.sys.NativeException e) {
                Assumptions.abort("UDP_SEGMENT refused here: " + e.getMessage());
            }
            byte[] whole = new byte[3 * segment + 1000];
            for (int n = 0; n < 4; n++) {
                byte[] part = new byte[n < 3 ? segment : 1000];
                fill(part, n);
                System.arraycopy(part, 0, whole, n * segment, part.length);
            }
            assertEquals(whole.length, sendRaw(raw, rx.localAddress(), whole, arena), "one send of 50,152 bytes");
            List<byte[]> got = receive(rx, 4, 64, raw.localAddress());
            assertEquals(List.of(segment, segment, segment, 1000), got.stream().map(b -> b.length).toList());
            for (int i = 0; i < 4; i++) {
                assertPayload(got.get(i), i, got.get(i).length);
            }
            assertEquals(3, rx.stats().get(Counter.LARGE_RECEIVED));
            assertEquals(0, rx.stats().get(Counter.DATAGRAMS_TRUNCATED));
            assertEquals(1, rx.stats().get(Counter.GRO_RECEIVES), "arrived as one coalesced buffer");
        }
    }

    /** One sendmmsg entry of {@code data} to {@code to}: the bytes the kernel took. */
    private static int sendRaw(UdpSocket socket, InetSocketAddress to, byte[] data, Arena arena) {
        MemorySegment buf = arena.allocate(data.length, 64);
        MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
        MemorySegment name = arena.allocate(PacketPool.ADDRESS_SIZE, 8);
        SockAddr.write(name, 0, to);
        MemorySegment iov = arena.allocate(Iovec.SIZE, 8);
        Iovec.set(iov, 0, buf.address(), data.length);
        MemorySegment vec = arena.allocate(Mmsghdr.SIZE, 8);
        vec.set(ValueLayout.JAVA_LONG, Mmsghdr.MSG_HDR + Msghdr.MSG_NAME, name.address());
        vec.set(ValueLayout.JAVA_INT, Mmsghdr.MSG_HDR + Msghdr.MSG_NAMELEN, SockAddr.length(name, 0));
        vec.set(ValueLayout.JAVA_LONG, Mmsghdr.MSG_HDR + Msghdr.MSG_IOV, iov.address());
        vec.set(ValueLayout.JAVA_LONG, Mmsghdr.MSG_HDR + Msghdr.MSG_IOVLEN, 1);
        MemorySegment errno = Libc.errnoSlot();
        int n = Net.sendmmsg(errno, socket.fd(), vec, 1, 0);
        assertEquals(1, n, () -> "sendmmsg: " + io.zgrnet.sys.Errno.describe(Libc.errno(errno)));
        return vec.get(ValueLayout.JAVA_INT, Mmsghdr.MSG_LEN);
    }

    @Test
    void closeWithStagedSegmentsLeavesThePoolEmpty() throws IOException {
        try (PacketPool pool = new PacketPool(128, 2048)) {
            DatagramBackend rx = receiver(pool);
            try (MmsgBackend tx = sender(pool)) {
                send(tx, rx.localAddress(), 64, 100, 0);
                List<byte[]> got = receive(rx, 5, 5, tx.localAddress());
                assertEquals(5, got.size());
            }
            rx.close();
            assertEquals(0, pool.outstanding());
        }
    }

    /** The receive path, split included, allocates nothing per datagram on the receiving thread. */
    @Test
    void receivingAllocatesNothingPerDatagram() throws IOException {
        Assumptions.assumeTrue(java.lang.management.ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean, "per-thread allocation counter unavailable");
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (PacketPool pool = new PacketPool(1024, 2048);
             DatagramBackend rx = receiver(pool);
             MmsgBackend tx = sender(pool)) {
            int[] slots = new int[64];
            int rounds = 40;
            int measured = 10;
            long allocated = 0;
            for (int round = 0; round < rounds; round++) {
                send(tx, rx.localAddress(), 64, 100, round * 64);
                long before = mx.getCurrentThreadAllocatedBytes();
                int got = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (got < 64 && System.nanoTime() - deadline < 0) {
                    int n = rx.receive(slots, 64, TimeUnit.MILLISECONDS.toNanos(20));
                    for (int i = 0; i < n; i++) {
                        pool.release(slots[i]);
                    }
                    got += n;
                }
                if (round >= rounds - measured) {
                    allocated += mx.getCurrentThreadAllocatedBytes() - before;
                }
                assertEquals(64, got);
            }
            // One object per datagram would be at least 16 bytes each: 10240 for 640 datagrams.
            assertTrue(allocated < 8L * 64 * measured, allocated + " bytes allocated receiving " + 64 * measured
                    + " datagrams");
        }
    }

    /** Sends {@code count} datagrams of {@code length} bytes numbered from {@code first}. */
    private static void send(MmsgBackend tx, InetSocketAddress to, int count, int length, int first)
            throws IOException {
        int[] lengths = new int[count];
        java.util.Arrays.fill(lengths, length);
        send(tx, to, lengths, first);
    }

    /** Sends one datagram per length, numbered from {@code first}, in one batch. */
    private static void send(MmsgBackend tx, InetSocketAddress to, int[] lengths, int first) throws IOException {
        PacketPool pool = tx.pool();
        int count = lengths.length;
        int[] batch = new int[count];
        for (int i = 0; i < count; i++) {
            int s = pool.acquire();
            int length = lengths[i];
            byte[] bytes = new byte[length];
            fill(bytes, first + i);
            MemorySegment.copy(bytes, 0, pool.slot(s), ValueLayout.JAVA_BYTE, 0, length);
            pool.length(s, length);
            pool.dataOffset(s, 0);
            SockAddr.write(pool.addresses(), pool.addressOffset(s), to);
            batch[i] = s;
        }
        long before = tx.stats().get(Counter.DATAGRAMS_SENT);
        tx.send(batch, count);
        assertEquals(before + count, tx.stats().get(Counter.DATAGRAMS_SENT));
    }

    /** Receives until {@code count} datagrams arrived, {@code max} per call; checks each one's source. */
    private static List<byte[]> receive(DatagramBackend rx, int count, int max, InetSocketAddress from)
            throws IOException {
        PacketPool pool = rx.pool();
        List<byte[]> got = new ArrayList<>();
        int[] slots = new int[max];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got.size() < count && System.nanoTime() - deadline < 0) {
            int n = rx.receive(slots, Math.min(max, count - got.size()), TimeUnit.MILLISECONDS.toNanos(20));
            for (int i = 0; i < n; i++) {
                got.add(take(pool, slots[i], from));
            }
        }
        return got;
    }

    /** A received datagram's bytes, after checking its source; releases the slot. */
    private static byte[] take(PacketPool pool, int slot, InetSocketAddress from) {
        byte[] b = new byte[pool.length(slot)];
        MemorySegment.copy(pool.slot(slot), ValueLayout.JAVA_BYTE, pool.dataOffset(slot), b, 0, b.length);
        assertEquals(from, SockAddr.read(pool.addresses(), pool.addressOffset(slot)));
        pool.release(slot);
        return b;
    }

    /** Bytes derived from a datagram's number, so that a swap or a shifted split shows. */
    private static void fill(byte[] b, int number) {
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (number * 31 + i * 7);
        }
    }

    private static void assertPayload(byte[] got, int number, int length) {
        byte[] want = new byte[length];
        fill(want, number);
        assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(got), "datagram " + number);
    }
}
