package io.zgrnet.io;

import io.zgrnet.config.SocketOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.sys.Libc;
import io.zgrnet.sys.Net;
import io.zgrnet.sys.PrivateNetns;
import io.zgrnet.sys.SockAddr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * UDP GSO on a backend's send path, through real loopback sockets: runs of equal datagrams to one
 * destination leave as GSO sends, receivers (without GRO) still see every datagram, in order and
 * byte for byte; runs break where the destination or length changes; GSO can be switched off; a
 * kernel refusal turns it off, or for a route's MTU lowers its limit, without losing a datagram.
 */
@Timeout(60)
public abstract class GsoSendContract {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    /** {@code SO_NO_CHECK}: UDP without checksums, with which the kernel refuses GSO (EINVAL). */
    private static final int SO_NO_CHECK = 11;

    /** Opens the backend under test on {@code bind}. */
    protected abstract DatagramBackend open(PacketPool pool, SocketOptions options, InetSocketAddress bind)
            throws IOException;

    private DatagramBackend open(PacketPool pool, SocketOptions options) throws IOException {
        return open(pool, options, LOOPBACK);
    }

    /** The backend's socket fd. */
    protected abstract int socketFd(DatagramBackend backend);

    /** Waits until the backend has accounted for {@code datagrams} sends (sent or refused). */
    protected void settle(DatagramBackend backend, long datagrams) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int[] none = new int[1];
        while (sent(backend) + backend.stats().get(BackendStats.Counter.SEND_ERRORS) < datagrams
                && System.nanoTime() - deadline < 0) {
            int n = backend.receive(none, 1, TimeUnit.MILLISECONDS.toNanos(5)); // reaps completions
            for (int i = 0; i < n; i++) {
                backend.pool().release(none[i]);
            }
        }
    }

    private static long sent(DatagramBackend b) {
        return b.stats().get(BackendStats.Counter.DATAGRAMS_SENT);
    }

    /** One datagram to send: destination and length; its bytes say which one it is. */
    private record Out(DatagramChannel to, int length) {
    }

    private static DatagramChannel peer() throws IOException {
        return peer(LOOPBACK);
    }

    private static DatagramChannel peer(InetSocketAddress bind) throws IOException {
        DatagramChannel ch = DatagramChannel.open(bind.getAddress() instanceof java.net.Inet6Address
                ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
        ch.bind(bind);
        ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
        ch.configureBlocking(false);
        return ch;
    }

    /** Fills a slot: a 4-byte sequence number, then bytes derived from it, to {@code to}. */
    private static int fill(PacketPool pool, int seq, int length, InetSocketAddress to) {
        int s = pool.acquireFor(16 + length);
        MemorySegment slot = pool.slot(s);
        for (int i = 0; i < length; i++) {
            slot.set(ValueLayout.JAVA_BYTE, 16 + i, (byte) (seq * 31 + i));
        }
        slot.set(ValueLayout.JAVA_INT_UNALIGNED, 16, seq);
        pool.dataOffset(s, 16);
        pool.length(s, length);
        SockAddr.write(pool.addresses(), pool.addressOffset(s), to);
        return s;
    }

    /** Sends {@code outs} as one batch and checks each peer got its datagrams in order, intact. */
    private void sendAndCheck(DatagramBackend backend, PacketPool pool, List<Out> outs, int firstSeq)
            throws IOException {
        int[] batch = new int[outs.size()];
        for (int i = 0; i < outs.size(); i++) {
            Out o = outs.get(i);
            batch[i] = fill(pool, firstSeq + i, o.length(), (InetSocketAddress) o.to().getLocalAddress());
        }
        long before = sent(backend) + backend.stats().get(BackendStats.Counter.SEND_ERRORS);
        assertEquals(outs.size(), backend.send(batch, batch.length));
        settle(backend, before + outs.size());
        ByteBuffer b = ByteBuffer.allocate(65536);
        List<DatagramChannel> peers = outs.stream().map(Out::to).distinct().toList();
        for (DatagramChannel p : peers) {
            for (int i = 0; i < outs.size(); i++) {
                if (outs.get(i).to() != p) {
                    continue;
                }
                b.clear();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (p.receive(b) == null) {
                    assertTrue(System.nanoTime() - deadline < 0, "datagram " + (firstSeq + i) + " never arrived");
                    Thread.onSpinWait();
                }
                b.flip();
                assertEquals(outs.get(i).length(), b.remaining(), "length of datagram " + (firstSeq + i));
                int seq = firstSeq + i;
                assertEquals(seq, b.order(java.nio.ByteOrder.nativeOrder()).getInt(0), "order at one peer");
                for (int k = 4; k < b.remaining(); k++) {
                    assertEquals((byte) (seq * 31 + k), b.get(k), "byte " + k + " of datagram " + seq);
                }
            }
            b.clear();
            assertEquals(null, p.receive(b), "no extra datagram");
        }
    }

    @Test
    void equalDatagramsToOnePeerLeaveAsGsoSendsAndAllArriveInOrder() throws Exception {
        try (PacketPool pool = new PacketPool(1024, 2048); DatagramChannel a = peer()) {
            DatagramBackend backend = open(pool, SocketOptions.defaults());
            try {
                List<Out> outs = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    outs.add(new Out(a, 100));
                }
                sendAndCheck(backend, pool, outs, 0);
                BackendStats st = backend.stats();
                assertEquals(200, sent(backend));
                assertEquals(200, st.get(BackendStats.Counter.GSO_DATAGRAMS), "every datagram rode in a GSO send");
                assertTrue(st.get(BackendStats.Counter.GSO_SENDS) >= 4 && st.get(BackendStats.Counter.GSO_SENDS) <= 8,
                        "64 segments per send at most: " + st.get(BackendStats.Counter.GSO_SENDS));
            } finally {
                backend.close();
            }
            assertEquals(0, pool.outstanding(), "every slot released");
        }
    }

    @Test
    void gsoWorksOverIpv6Too() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(java.net.InetAddress.getByName("::1"), 0);
        DatagramChannel a;
        try {
            a = peer(v6);
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e);
            return;
        }
        try (PacketPool pool = new PacketPool(1024, 2048); a) {
            DatagramBackend backend = open(pool, SocketOptions.defaults(), v6);
            try {
                List<Out> outs = new ArrayList<>();
                add(outs, a, 1200, 100);
                sendAndCheck(backend, pool, outs, 0);
                assertEquals(100, sent(backend));
                BackendStats st = backend.stats();
                // Either the kernel took the GSO sends, or it refused and every datagram went again.
                assertTrue(st.get(BackendStats.Counter.GSO_DATAGRAMS) == 100
                        || st.get(BackendStats.Counter.GSO_REFUSED) > 0, "GSO used, or refused and resent");
            } finally {
                backend.close();
            }
            assertEquals(0, pool.outstanding());
        }
    }

    @Test
    void runsBreakWhereTheDestinationOrTheLengthChanges() throws Exception {
        try (PacketPool pool = new PacketPool(1024, 2048); DatagramChannel a = peer(); DatagramChannel b = peer()) {
            DatagramBackend backend = open(pool, SocketOptions.defaults());
            try {
                List<Out> outs = new ArrayList<>();
                add(outs, a, 100, 10); // a run of 10
                add(outs, b, 100, 5); // another destination: a run of 5
                add(outs, a, 100, 3);
                add(outs, a, 40, 1); // a shorter last segment ends the run: 4
                add(outs, a, 100, 2); // a run of 2, ended by a longer datagram
                add(outs, a, 200, 1); // alone (the next ones go elsewhere)
                add(outs, b, 1500, 3); // above GsoRuns.MAX_SEGMENT_BYTES: one by one
                sendAndCheck(backend, pool, outs, 1000);
                BackendStats st = backend.stats();
                assertEquals(outs.size(), sent(backend));
                assertEquals(4, st.get(BackendStats.Counter.GSO_SENDS));
                assertEquals(10 + 5 + 4 + 2, st.get(BackendStats.Counter.GSO_DATAGRAMS));
            } finally {
                backend.close();
            }
            assertEquals(0, pool.outstanding());
        }
    }

    /**
     * Large datagrams (above {@link GsoRuns#MAX_SEGMENT_BYTES}) always leave alone, whatever their
     * neighbours: the kernel cuts a GSO send at one segment size, so a large datagram grouped with
     * others would arrive split. The runs of small ones around them still leave as GSO sends, and
     * every datagram arrives whole and in order.
     */
    @Test
    void largeDatagramsLeaveAloneBetweenGsoRuns() throws Exception {
        try (PacketPool pool = new PacketPool(256, 2048, 16, PacketPool.MAX_SLOT_SIZE); DatagramChannel a = peer()) {
            DatagramBackend backend = open(pool, SocketOptions.defaults());
            try {
                List<Out> outs = new ArrayList<>();
                add(outs, a, 100, 5); // a run of 5
                add(outs, a, 60000, 1); // alone
                add(outs, a, 100, 3); // a run of 3
                add(outs, a, 16384, 3); // one by one: equal, but each above a GSO segment
                add(outs, a, 2019, 2); // one by one
                add(outs, a, 100, 2); // a run of 2
                add(outs, a, 65000, 1); // alone
                sendAndCheck(backend, pool, outs, 0);
                BackendStats st = backend.stats();
                assertEquals(outs.size(), sent(backend));
                assertEquals(3, st.get(BackendStats.Counter.GSO_SENDS));
                assertEquals(5 + 3 + 2, st.get(BackendStats.Counter.GSO_DATAGRAMS));
                assertEquals(0, st.get(BackendStats.Counter.SEND_ERRORS));
            } finally {
                backend.close();
            }
            assertEquals(0, pool.outstanding(), "large slots released after their sends");
        }
    }

    @Test
    void withGsoOffEveryDatagramIsItsOwnSend() throws Exception {
        try (PacketPool pool = new PacketPool(1024, 2048); DatagramChannel a = peer()) {
            DatagramBackend backend = open(pool, SocketOptions.builder().udpGso(false).build());
            try {
                List<Out> outs = new ArrayList<>();
                add(outs, a, 100, 100);
                sendAndCheck(backend, pool, outs, 0);
                assertEquals(100, sent(backend));
                assertEquals(0, backend.stats().get(BackendStats.Counter.GSO_SENDS));
            } finally {
                backend.close();
            }
            assertEquals(0, pool.outstanding());
        }
    }

    @Test
    void aRefusedGsoSendTurnsGsoOffWithoutLosingADatagram() throws Exception {
        try (PacketPool pool = new PacketPool(1024, 2048); DatagramChannel a = peer(); Arena arena = Arena.ofConfined()) {
            DatagramBackend backend = open(pool, SocketOptions.defaults());
            try {
                MemorySegment one = arena.allocate(ValueLayout.JAVA_INT);
                one.set(ValueLayout.JAVA_INT, 0, 1);
                assertEquals(0, Net.setsockopt(Libc.errnoSlot(), socketFd(backend), Net.SOL_SOCKET, SO_NO_CHECK, one, 4),
                        "SO_NO_CHECK");
                List<Out> outs = new ArrayList<>();
                add(outs, a, 100, 150);
                sendAndCheck(backend, pool, outs, 0);
                BackendStats st = backend.stats();
                assertTrue(st.get(BackendStats.Counter.GSO_REFUSED) >= 1, "the kernel refused GSO without checksums");
                assertEquals(150, sent(backend), "every refused datagram was sent again");
                assertEquals(0, st.get(BackendStats.Counter.SEND_ERRORS));
                long gsoSends = st.get(BackendStats.Counter.GSO_SENDS);
                sendAndCheck(backend, pool, outs, 500); // GSO stays off: no new refusal, no GSO send
                assertEquals(300, sent(backend));
                assertEquals(gsoSends, st.get(BackendStats.Counter.GSO_SENDS));
            } finally {
                backend.close();
            }
            assertEquals(0, pool.outstanding(), "refused and resent slots all released");
        }
    }

    /**
     * In a namespace whose loopback MTU is 1280, 1400-byte segments are refused (above the route's
     * MTU: EMSGSIZE on Linux 6.18, EINVAL before). That lowers the GSO limit below 1400 instead of turning GSO off: the refused
     * datagrams go again one by one, 200-byte datagrams are still grouped, and 1400-byte ones no
     * longer try.
     */
    @Test
    void aRouteMtuRefusalLowersTheLimitAndSmallerDatagramsKeepGso() throws Exception {
        String cause = PrivateNetns.unavailabilityCause();
        Assumptions.assumeTrue(cause == null, () -> "no private network namespace here: " + cause);
        PrivateNetns.run(1280, () -> {
            try (PacketPool pool = new PacketPool(1024, 2048); DatagramChannel a = peer()) {
                DatagramBackend backend = open(pool, SocketOptions.defaults());
                try {
                    BackendStats st = backend.stats();
                    List<Out> big = new ArrayList<>();
                    add(big, a, 1400, 20);
                    sendAndCheck(backend, pool, big, 0);
                    assertTrue(st.get(BackendStats.Counter.GSO_REFUSED) >= 1, "1400 B segments over a 1280 MTU");
                    assertEquals(20, sent(backend), "every refused datagram was sent again");
                    long refused = st.get(BackendStats.Counter.GSO_REFUSED);
                    long gsoSends = st.get(BackendStats.Counter.GSO_SENDS);
                    List<Out> small = new ArrayList<>();
                    add(small, a, 200, 60);
                    sendAndCheck(backend, pool, small, 100);
                    assertTrue(st.get(BackendStats.Counter.GSO_SENDS) > gsoSends, "200 B datagrams still grouped");
                    sendAndCheck(backend, pool, big, 200);
                    assertEquals(refused, st.get(BackendStats.Counter.GSO_REFUSED), "1400 B ones no longer try");
                    assertEquals(100, sent(backend));
                    assertEquals(0, st.get(BackendStats.Counter.SEND_ERRORS));
                } finally {
                    backend.close();
                }
                assertEquals(0, pool.outstanding());
            }
        });
    }

    /**
     * Two destinations, one behind a route with a 1280-byte path MTU: the refusal for it lowers its
     * limit only, the other keeps grouping 1400-byte datagrams; and the lowered one still groups
     * small datagrams.
     */
    @Test
    void aPathMtuRefusalLowersThatDestinationOnly() throws Exception {
        String cause = PrivateNetns.unavailabilityCause();
        Assumptions.assumeTrue(cause == null, () -> "no private network namespace here: " + cause);
        PrivateNetns.run(65536, () -> {
            String route = PrivateNetns.routeMtu("127.0.0.2", 1280);
            Assumptions.assumeTrue(route == null, route);
            try (PacketPool pool = new PacketPool(1024, 2048);
                 DatagramChannel low = peer(new InetSocketAddress("127.0.0.2", 0));
                 DatagramChannel full = peer(new InetSocketAddress("127.0.0.1", 0))) {
                DatagramBackend backend = open(pool, SocketOptions.defaults(), new InetSocketAddress("127.0.0.1", 0));
                try {
                    BackendStats st = backend.stats();
                    List<Out> toLow = new ArrayList<>();
                    add(toLow, low, 1400, 20);
                    sendAndCheck(backend, pool, toLow, 0);
                    long refused = st.get(BackendStats.Counter.GSO_REFUSED);
                    assertTrue(refused >= 1, "1400 B segments over a 1280 path MTU");
                    long gsoSends = st.get(BackendStats.Counter.GSO_SENDS);
                    List<Out> toFull = new ArrayList<>();
                    add(toFull, full, 1400, 20);
                    sendAndCheck(backend, pool, toFull, 100);
                    assertTrue(st.get(BackendStats.Counter.GSO_SENDS) > gsoSends, "the other destination keeps GSO");
                    sendAndCheck(backend, pool, toLow, 200);
                    assertEquals(refused, st.get(BackendStats.Counter.GSO_REFUSED), "no second refusal");
                    gsoSends = st.get(BackendStats.Counter.GSO_SENDS);
                    List<Out> small = new ArrayList<>();
                    add(small, low, 200, 30);
                    sendAndCheck(backend, pool, small, 300);
                    assertTrue(st.get(BackendStats.Counter.GSO_SENDS) > gsoSends, "small datagrams to it still grouped");
                    assertEquals(90, sent(backend));
                    assertEquals(0, st.get(BackendStats.Counter.SEND_ERRORS));
                } finally {
                    backend.close();
                }
                assertEquals(0, pool.outstanding());
            }
        });
    }

    private static void add(List<Out> outs, DatagramChannel to, int length, int count) {
        for (int i = 0; i < count; i++) {
            outs.add(new Out(to, length));
        }
    }
}
