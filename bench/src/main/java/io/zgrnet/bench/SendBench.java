package io.zgrnet.bench;

import io.zgrnet.cli.bench.Affinity;
import io.zgrnet.cli.bench.HostStats;
import io.zgrnet.io.BackendStats;
import io.zgrnet.io.select.BackendKind;
import io.zgrnet.io.select.Backends;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.config.SocketOptions;
import io.zgrnet.io.mmsg.MmsgBackend;
import io.zgrnet.io.uring.UringBackend;
import io.zgrnet.io.uring.UringOptions;
import io.zgrnet.sys.SockAddr;
import io.zgrnet.sys.UdpSocket;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Send-path benchmark: one thread sends {@code count} datagrams in batches through a backend's
 * {@code send} (io_uring SEND with a destination, SENDMSG, SEND_ZC from the registered slab;
 * sendmmsg) to a
 * loopback sink nobody reads (the kernel delivers and drops at the sink's full buffer, the same for
 * every backend); measures the sending thread's CPU per datagram. On loopback the transmit and the
 * delivery both run on the sending CPU, so this is the full local cost of a send.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.zgrnet.bench.SendBench \
 *     --backends=uring,uring-zc,mmsg --sizes=64,1200 --count=2000000 --runs=3 [--gso=off]
 * </pre>
 */
public final class SendBench {
    /** UDP GSO on the sending backends ({@code --gso=off} to compare). */
    private static boolean udpGso = true;

    private SendBench() {
    }

    record Result(String backend, int size, long sent, double cpuNsPerDatagram, double pps, long errors,
                  double othersBusy, String detail) {
    }

    public static void main(String[] args) throws Exception {
        List<String> backends = List.of("uring", "uring-sendmsg", "uring-zc", "mmsg");
        List<Integer> sizes = List.of(64, 1200);
        long count = 2_000_000;
        int runs = 3;
        int batch = 64;
        boolean gso = true;
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            String v = kv.length > 1 ? kv[1] : "";
            switch (kv[0]) {
                case "backends" -> backends = List.of(v.split(","));
                case "sizes" -> sizes = java.util.Arrays.stream(v.split(",")).map(Integer::valueOf).toList();
                case "count" -> count = Long.parseLong(v);
                case "runs" -> runs = Integer.parseInt(v);
                case "batch" -> batch = Integer.parseInt(v);
                case "gso" -> gso = !v.equals("off");
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        System.out.printf(Locale.ROOT, "# %d datagrams per run in send() batches of %d, %d runs, UDP GSO %s;"
                + " median by CPU%n", count, batch, runs, gso ? "on" : "off");
        udpGso = gso;
        System.out.println("| backend | size B | sent | tx CPU ns/dgram | pps | send errors | others' CPU % |");
        System.out.println("|---|---|---|---|---|---|---|");
        Affinity.pin(0);
        for (int size : sizes) {
            for (String b : backends) {
                List<Result> results = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    HostStats.awaitQuiet(0.15);
                    results.add(runOnce(b, size, count, batch));
                }
                results.sort(Comparator.comparingDouble(Result::cpuNsPerDatagram));
                for (Result x : results) {
                    System.err.printf(Locale.ROOT, "  run %s %dB: %.0f ns/dgram %s%n", x.backend(), x.size(),
                            x.cpuNsPerDatagram(), x.detail());
                }
                Result m = results.get(results.size() / 2);
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %.0f | %.0f | %d | %.1f |%n", m.backend(), m.size(),
                        m.sent(), m.cpuNsPerDatagram(), m.pps(), m.errors(), m.othersBusy() * 100);
            }
        }
    }

    private static DatagramBackend open(String name, PacketPool pool) throws java.io.IOException {
        InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        SocketOptions options = SocketOptions.builder().udpGso(udpGso).build();
        return switch (name) {
            case "uring" -> UringBackend.open(bind, options, pool, UringOptions.defaults());
            case "uring-sendmsg" -> UringBackend.open(bind, options, pool, UringOptions.defaults().withSendTo(false));
            case "uring-zc" -> UringBackend.open(bind, options, pool, UringOptions.defaults().withZeroCopySend(true));
            case "mmsg" -> Backends.open(BackendKind.MMSG, bind, options, pool, MmsgBackend.DEFAULT_BATCH_SIZE);
            case "nio" -> Backends.open(BackendKind.NIO, bind, options, pool, 1);
            default -> throw new IllegalArgumentException("unknown backend " + name);
        };
    }

    private static Result runOnce(String name, int size, long count, int batch) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (PacketPool pool = new PacketPool(4096, 2048);
                UdpSocket sink = UdpSocket.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        SocketOptions.builder().receiveBufferBytes(256 << 10).build());
                DatagramBackend backend = open(name, pool)) {
            int[] slots = new int[batch];
            // One pre-built destination, copied into each slot's address area.
            java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined();
            MemorySegment dest = arena.allocate(PacketPool.ADDRESS_SIZE, 8);
            SockAddr.write(dest, 0, sink.localAddress());
            long warm = Math.min(count / 4, 500_000);
            sendLoop(backend, pool, dest, slots, warm, size);
            long[] sys0 = cpuTimes();
            long self0 = selfJiffies();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long sent = sendLoop(backend, pool, dest, slots, count, size);
            long elapsed = System.nanoTime() - t0;
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            long[] sys1 = cpuTimes();
            long self1 = selfJiffies();
            long totalJ = sys1[0] - sys0[0];
            double others = totalJ == 0 ? 0
                    : Math.max(0, ((double) (totalJ - (sys1[1] - sys0[1])) - (self1 - self0)) / totalJ);
            arena.close();
            String detail = backend.stats().toString();
            if (backend instanceof UringBackend u) {
                detail += " " + u.ringDescription() + " " + u.uringStats().snapshot();
            }
            return new Result(name, size, sent, (double) cpu / sent,
                    sent * 1e9 / elapsed, backend.stats().get(BackendStats.Counter.SEND_ERRORS), others, detail);
        }
    }

    /** Sends {@code count} datagrams of {@code size} bytes; returns how many were handed to the kernel. */
    private static long sendLoop(DatagramBackend backend, PacketPool pool, MemorySegment dest, int[] slots, long count,
            int size) throws java.io.IOException {
        long sent = 0;
        MemorySegment addresses = pool.addresses();
        while (sent < count) {
            int n = 0;
            while (n < slots.length) {
                int s = pool.acquire();
                if (s < 0) {
                    break; // all slots in flight (zero-copy waits for notifications): let completions in
                }
                pool.length(s, size);
                MemorySegment.copy(dest, 0, addresses, pool.addressOffset(s), PacketPool.ADDRESS_SIZE);
                slots[n++] = s;
            }
            if (n == 0) {
                backend.send(slots, 0); // an empty send submits and reaps completions
                continue;
            }
            sent += backend.send(slots, n);
        }
        // Let the last completions release their slots.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (pool.outstanding() > 0 && System.nanoTime() - deadline < 0) {
            backend.send(slots, 0);
        }
        return sent;
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
