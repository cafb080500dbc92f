package io.zgrnet.io.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.GroReceiveContract;
import io.zgrnet.io.PacketPool;
import io.zgrnet.config.SocketOptions;
import io.zgrnet.io.mmsg.MmsgBackend;
import io.zgrnet.sys.SockAddr;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** UDP GRO receive through io_uring multishot RECVMSG over a ring of 64 KiB buffers (GroMultishotReceiver). */
class UringGroReceiveTest extends GroReceiveContract {
    @Override
    protected DatagramBackend open(InetSocketAddress bind, SocketOptions options, PacketPool pool) throws IOException {
        return UringBackend.open(bind, options, pool, UringOptions.defaults(UringOptions.ReceiveMode.MULTISHOT));
    }

    @Override
    protected String unavailabilityCause() {
        IoUringSupport s = IoUringSupport.get();
        return !s.available() ? s.unavailabilityCause() : s.multishotReceive() ? null : s.multishotCause();
    }

    /**
     * Datagrams still waiting in a GRO buffer when another thread takes the ring over (the ring is
     * rebuilt) are handed out after the takeover, in order: the buffers are ours, not the ring's.
     */
    @Test
    void pendingDatagramsSurviveAnOwnerChange() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (PacketPool pool = new PacketPool(64, 2048); PacketPool txPool = new PacketPool(64, 2048);
             MmsgBackend tx = MmsgBackend.open(loopback, SocketOptions.defaults(), txPool, 64)) {
            UringBackend rx = (UringBackend) open(loopback, SocketOptions.builder().udpGro(true).build(), pool);
            try {
                receiveAcrossAnOwnerChange(rx, tx, pool, txPool);
            } finally {
                rx.close();
            }
            assertEquals(0, pool.outstanding());
        }
    }

    private static void receiveAcrossAnOwnerChange(UringBackend rx, MmsgBackend tx, PacketPool pool,
                                                   PacketPool txPool) throws Exception {
        Assumptions.assumeTrue(rx.socketOptionsReport().entry("UDP_GRO").applied(), "UDP_GRO refused here");
        int[] batch = new int[64];
        for (int i = 0; i < 64; i++) {
            int s = txPool.acquire();
            txPool.slot(s).set(ValueLayout.JAVA_INT, 0, i);
            txPool.length(s, 100);
            txPool.dataOffset(s, 0);
            SockAddr.write(txPool.addresses(), txPool.addressOffset(s), rx.localAddress());
            batch[i] = s;
        }
        assertEquals(64, tx.send(batch, 64));
        Assumptions.assumeTrue(tx.stats().get(BackendStats.Counter.GSO_SENDS) > 0, "the kernel refused UDP GSO");
        List<Integer> held = new ArrayList<>();
        for (int s; pool.capacity() - pool.outstanding() > 10 && (s = pool.acquire()) >= 0; ) {
            held.add(s);
        }
        int[] first = new int[64];
        int[] firstCount = new int[1];
        Thread a = new Thread(() -> {
            try {
                firstCount[0] = rx.receive(first, 64, TimeUnit.SECONDS.toNanos(10));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "first-owner");
        a.start();
        a.join(15_000);
        assertEquals(10, firstCount[0], "as many as the pool held");
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            numbers.add(pool.slot(first[i]).get(ValueLayout.JAVA_INT, 0));
            pool.release(first[i]);
        }
        held.forEach(pool::release);
        int[] slots = new int[64];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (numbers.size() < 64 && System.nanoTime() - deadline < 0) {
            int n = rx.receive(slots, 64, TimeUnit.MILLISECONDS.toNanos(20)); // this thread takes over
            for (int i = 0; i < n; i++) {
                numbers.add(pool.slot(slots[i]).get(ValueLayout.JAVA_INT, 0));
                pool.release(slots[i]);
            }
        }
        List<Integer> want = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            want.add(i);
        }
        assertEquals(want, numbers);
        assertEquals(1, rx.uringStats().get(UringStats.Counter.OWNER_CHANGES));
    }
}
