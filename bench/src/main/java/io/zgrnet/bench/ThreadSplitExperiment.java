package io.zgrnet.bench;

import io.zgrnet.cli.bench.Affinity;
import io.zgrnet.cli.bench.HostStats;
import io.zgrnet.cli.bench.LoadSender;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.zgrnet.io.PacketPool;
import io.zgrnet.config.SocketOptions;
import io.zgrnet.io.uring.Ring;
import io.zgrnet.sys.BufRing;
import io.zgrnet.sys.GeteventsArg;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.Msghdr;
import io.zgrnet.sys.RecvmsgOut;
import io.zgrnet.sys.Sqe;
import io.zgrnet.sys.UdpSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * Experiment for the design question "separate submitter and reaper threads, or one ring owner?".
 * A minimal multishot-RECVMSG receiver over a 256-entry buffer ring, in three shapes, under the
 * same paced GSO load:
 * <ul>
 *   <li>{@code single-defer}: one thread enters (submit + wait, GETEVENTS) and reaps; ring with
 *       SINGLE_ISSUER | DEFER_TASKRUN (what UringBackend does);
 *   <li>{@code single-coop}: the same loop on a COOP_TASKRUN ring without SINGLE_ISSUER;
 *   <li>{@code split}: thread A only enters the kernel (submits, runs task work, waits), thread B
 *       only reaps CQEs and refills the buffer ring, spinning (then parking 20 us) when idle.
 *       DEFER_TASKRUN is impossible here (only the issuer may run the deferred work), so COOP.
 * </ul>
 * Receive CPU = the CPU time of every receiving thread, per datagram.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.zgrnet.bench.ThreadSplitExperiment \
 *     --rate=1000000 --seconds=3 --runs=3
 * </pre>
 */
public final class ThreadSplitExperiment {
    private static final int ENTRIES = 256;
    private static final int HEADER = RecvmsgOut.SIZE + 32;

    /** Single shapes: CQEs to wait for per enter (batching), and the wait's timeout. */
    private static int minComplete = 1;
    private static long waitMicros = 20_000;

    private ThreadSplitExperiment() {
    }

    public static void main(String[] args) throws Exception {
        long rate = 1_000_000;
        double seconds = 3;
        int runs = 3;
        int size = 64;
        String shapes = "single-defer,single-coop,split";
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "rate" -> rate = Long.parseLong(kv[1]);
                case "seconds" -> seconds = Double.parseDouble(kv[1]);
                case "runs" -> runs = Integer.parseInt(kv[1]);
                case "size" -> size = Integer.parseInt(kv[1]);
                case "shapes" -> shapes = kv[1];
                case "min" -> minComplete = Integer.parseInt(kv[1]);
                case "wait-us" -> waitMicros = Long.parseLong(kv[1]);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        System.out.println("| shape | size B | received/sent | loss % | receive CPU ns/dgram (all receiving threads) "
                + "| enters/dgram | others' CPU % |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String shape : shapes.split(",")) {
            for (int r = 0; r < runs; r++) {
                HostStats.awaitQuiet(0.15);
                System.out.println(run(shape, size, rate, seconds));
            }
        }
    }

    /** Shared receive state: the ring, the buffer ring over pool slots, counters. */
    private static final class Receiver {
        final Ring ring;
        final PacketPool pool;
        final MemorySegment bufRing;
        final MemorySegment msghdr;
        final int socketFd;
        int tail;
        volatile boolean rearm; // split: B asks A to re-arm the multishot
        volatile boolean stop;
        long received;
        long enters;

        Receiver(Ring ring, PacketPool pool, Arena arena, int socketFd) throws Exception {
            this.ring = ring;
            this.pool = pool;
            this.socketFd = socketFd;
            this.bufRing = arena.allocate(BufRing.BUF_SIZE * ENTRIES, 4096);
            this.msghdr = arena.allocate(Msghdr.SIZE + 32, 8);
            msghdr.set(JAVA_LONG, Msghdr.MSG_NAME, msghdr.address() + Msghdr.SIZE);
            msghdr.set(JAVA_INT, Msghdr.MSG_NAMELEN, 32);
            MemorySegment reg = arena.allocate(BufRing.REG_SIZE, 8);
            reg.set(JAVA_LONG, BufRing.REG_RING_ADDR, bufRing.address());
            reg.set(JAVA_INT, BufRing.REG_RING_ENTRIES, ENTRIES);
            reg.set(JAVA_SHORT, BufRing.REG_BGID, (short) 0);
            ring.register("PBUF_RING", IoUring.IORING_REGISTER_PBUF_RING, reg.address(), 1);
            for (int b = 0; b < ENTRIES; b++) {
                int s = pool.acquire();
                BufRing.put(bufRing, tail++ & (ENTRIES - 1), pool.slotAddress(s), pool.slotSize(), s);
            }
            BufRing.publishTail(bufRing, tail);
        }

        /** Owner of the SQ only. */
        void arm() {
            long sqe = ring.nextSqe();
            Sqe.prep(ring.sqes(), sqe, IoUring.IORING_OP_RECVMSG, IoUring.IOSQE_BUFFER_SELECT, socketFd,
                    msghdr.address(), 1, 0, 1);
            Sqe.ioprio(ring.sqes(), sqe, IoUring.IORING_RECV_MULTISHOT);
            Sqe.opFlags(ring.sqes(), sqe, IoUring.MSG_TRUNC);
            Sqe.bufIndex(ring.sqes(), sqe, 0);
        }

        /** Reaps every CQE: reads the header, gives the buffer back; returns CQEs seen. */
        int reap() {
            int n = ring.cqReady();
            if (n == 0) {
                return 0;
            }
            MemorySegment slab = pool.slab();
            for (int i = 0; i < n; i++) {
                int flags = ring.cqeFlags(i);
                if ((flags & IoUring.IORING_CQE_F_MORE) == 0) {
                    rearm = true;
                }
                if ((flags & IoUring.IORING_CQE_F_BUFFER) != 0) {
                    int slot = flags >>> IoUring.IORING_CQE_BUFFER_SHIFT;
                    if (slab.get(JAVA_INT, pool.slotOffset(slot) + RecvmsgOut.PAYLOADLEN) >= 0) {
                        received++;
                    }
                    BufRing.put(bufRing, tail++ & (ENTRIES - 1), pool.slotAddress(slot), pool.slotSize(), slot);
                }
            }
            ring.cqAdvance(n);
            BufRing.publishTail(bufRing, tail);
            return n;
        }
    }

    private static String run(String shape, int size, long rate, double seconds) throws Exception {
        Affinity.pin(0);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        boolean single = shape.startsWith("single");
        boolean defer = shape.equals("single-defer");
        try (Arena arena = Arena.ofShared();
                PacketPool pool = new PacketPool(1024, 2048);
                UdpSocket socket = UdpSocket.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        SocketOptions.builder().receiveBufferBytes(32 << 20).build());
                Ring ring = Ring.open(new Ring.Options(64, 4096, defer, false, 0));
                LoadSender sender = new LoadSender(socket.localAddress(), size, true)) {
            Receiver rx = new Receiver(ring, pool, arena, socket.fd());
            MemorySegment wait = arena.allocate(GeteventsArg.SIZE + GeteventsArg.TIMESPEC_SIZE, 8);
            wait.set(JAVA_INT, GeteventsArg.SIGMASK_SZ, 8);
            wait.set(JAVA_LONG, GeteventsArg.SIZE + GeteventsArg.TV_NSEC, waitMicros * 1000);
            wait.set(JAVA_LONG, GeteventsArg.TS, wait.address() + GeteventsArg.SIZE);
            int waitFlags = IoUring.IORING_ENTER_GETEVENTS | IoUring.IORING_ENTER_EXT_ARG;
            long[] cpu = new long[2];
            Thread a = new Thread(() -> {
                if (single) {
                    Affinity.pin(1);
                }
                long c0 = mx.getCurrentThreadCpuTime();
                try {
                    ring.enable();
                    rx.arm();
                    rx.rearm = false;
                    while (!rx.stop) {
                        if (rx.rearm) {
                            rx.rearm = false;
                            rx.arm();
                        }
                        // split: wait for more CQEs than B has left unread (an unsynchronized read of B's
                        // head: good enough to keep A from spinning in the kernel, not for production)
                        int ready = single ? 0 : ring.cqReady();
                        rx.enters++;
                        ring.enter(single ? minComplete : ready + 1, waitFlags, wait.address(), GeteventsArg.SIZE);
                        if (single) {
                            rx.reap();
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                } finally {
                    cpu[0] = mx.getCurrentThreadCpuTime() - c0;
                }
            }, "A-submitter");
            Thread b = single ? null : new Thread(() -> {
                Affinity.pin(1);
                long c0 = mx.getCurrentThreadCpuTime();
                int idle = 0;
                while (!rx.stop) {
                    if (rx.reap() > 0) {
                        idle = 0;
                    } else if (++idle > 1000) {
                        java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                    } else {
                        Thread.onSpinWait();
                    }
                }
                cpu[1] = mx.getCurrentThreadCpuTime() - c0;
            }, "B-reaper");
            a.start();
            if (b != null) {
                b.start();
            }
            sender.run(rate, rate); // 1 s warm-up
            Thread.sleep(200);
            long rx0 = rx.received;
            long e0 = rx.enters;
            long[] sys0 = cpuTimes();
            long self0 = selfJiffies();
            long total = (long) (rate * seconds);
            long cpuA0 = mx.getThreadCpuTime(a.threadId());
            long cpuB0 = b == null ? 0 : mx.getThreadCpuTime(b.threadId());
            long sent = sender.run(total, rate);
            Thread.sleep(200);
            long[] sys1 = cpuTimes();
            long self1 = selfJiffies();
            long cpuA = mx.getThreadCpuTime(a.threadId()) - cpuA0;
            long cpuB = b == null ? 0 : mx.getThreadCpuTime(b.threadId()) - cpuB0;
            long got = rx.received - rx0;
            long enters = rx.enters - e0;
            rx.stop = true;
            a.join(5000);
            if (b != null) {
                b.join(5000);
            }
            long totalJ = sys1[0] - sys0[0];
            double others = totalJ == 0 ? 0
                    : Math.max(0, ((double) (totalJ - (sys1[1] - sys0[1])) - (self1 - self0)) / totalJ);
            return String.format(Locale.ROOT, "| %s | %d | %d/%d | %.2f | %.0f (A %.0f, B %.0f) | %.4f | %.1f |", shape,
                    size, got, sent, 100.0 * (sent - got) / sent, (double) (cpuA + cpuB) / got, (double) cpuA / got,
                    (double) cpuB / got, (double) enters / got, others * 100);
        }
    }

    private static long selfJiffies() throws java.io.IOException {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long[] cpuTimes() throws java.io.IOException {
        String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }
}
