package io.zgrnet.bench;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.Backends;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.io.SocketOptions;
import io.zgrnet.io.mmsg.MmsgBackend;
import io.zgrnet.io.uring.UringBackend;
import io.zgrnet.io.uring.UringOptions;
import io.zgrnet.io.uring.UringStats;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Receive-path benchmark: a paced UDP GSO sender on loopback offers a fixed load to one backend;
 * the receiving thread's CPU time (user + system, ThreadMXBean) per datagram and the loss are
 * measured, with syscall and batch counters.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.zgrnet.bench.ReceiveBench \
 *     --backends=multishot,armed,mmsg,nio --sizes=64,1200 --rate=1000000 --seconds=5 --runs=3
 * </pre>
 *
 * <p>Threads: the sender runs on the main thread pinned to CPU 0, the receiver on its own thread
 * pinned to CPU 1 (2-core machines: one core each). Phases: warm-up (JIT, rings), drain, measured
 * run, drain; the receiver takes its CPU and counter snapshots at the phase boundaries.
 */
public final class ReceiveBench {
    private ReceiveBench() {
    }

    /** One measured run. */
    record Result(String backend, int size, long ratePps, long sent, long received, double achievedPps,
                  double cpuNsPerDatagram, double callsPerDatagram, double datagramsPerCall, double meanCqeBatch,
                  long voluntarySwitches, long rcvbufErrors, double senderCpuNsPerDatagram, double othersBusy,
                  String detail) {
        double lossPercent() {
            return sent == 0 ? 0 : 100.0 * (sent - received) / sent;
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> backends = List.of("multishot", "armed", "mmsg", "nio");
        List<Integer> sizes = List.of(64, 1200);
        long rate = 1_000_000;
        double seconds = 5;
        double warmup = 2;
        int runs = 3;
        int max = 256;
        boolean gso = true;
        int depth = UringOptions.DEFAULT_RECEIVE_DEPTH;
        double quiet = 0.15;
        int rcvbuf = SocketOptions.DEFAULT_BUFFER_BYTES;
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            String v = kv.length > 1 ? kv[1] : "";
            switch (kv[0]) {
                case "backends" -> backends = List.of(v.split(","));
                case "sizes" -> sizes = java.util.Arrays.stream(v.split(",")).map(Integer::valueOf).toList();
                case "rate" -> rate = Long.parseLong(v);
                case "seconds" -> seconds = Double.parseDouble(v);
                case "warmup" -> warmup = Double.parseDouble(v);
                case "runs" -> runs = Integer.parseInt(v);
                case "max" -> max = Integer.parseInt(v);
                case "gso" -> gso = Boolean.parseBoolean(v);
                case "depth" -> depth = Integer.parseInt(v);
                case "await-quiet" -> quiet = Double.parseDouble(v);
                case "rcvbuf" -> rcvbuf = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        System.out.printf(Locale.ROOT, "# %s, %d CPUs, kernel %s, Java %s%n", cpuModel(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"),
                System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "# offered %d pps for %.1f s (warm-up %.1f s), %d runs, receive max %d, "
                + "GSO %s, depth %d, SO_RCVBUF %d; median run by CPU/datagram%n", rate, seconds, warmup, runs, max, gso,
                depth, rcvbuf);
        System.out.println("| backend | size B | clean runs | others' CPU % | sent | received | loss % | achieved pps "
                + "| rx CPU ns/dgram | calls/dgram | dgrams/call | mean CQE batch | vol. ctx switches | RcvbufErrors "
                + "| tx CPU ns/dgram |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        // Runs are interleaved (run 1 of every backend, then run 2, ...) so that drift in the
        // machine's speed over time affects every backend alike.
        java.util.Map<String, List<Result>> byKey = new java.util.LinkedHashMap<>();
        for (int size : sizes) {
            for (String backend : backends) {
                byKey.put(backend + "/" + size, new ArrayList<>());
            }
        }
        for (int r = 0; r < runs; r++) {
            for (int size : sizes) {
                for (String backend : backends) {
                    double busy = awaitQuiet(quiet);
                    Result x = runOnce(backend, size, rate, seconds, warmup, max, gso, depth, rcvbuf);
                    x = new Result(x.backend(), x.size(), x.ratePps(), x.sent(), x.received(),
                            x.achievedPps(), x.cpuNsPerDatagram(), x.callsPerDatagram(), x.datagramsPerCall(),
                            x.meanCqeBatch(), x.voluntarySwitches(), x.rcvbufErrors(), x.senderCpuNsPerDatagram(),
                            x.othersBusy(), String.format(Locale.ROOT, "machine busy %.0f%% before the run; ", busy * 100)
                                    + x.detail());
                    System.err.printf(Locale.ROOT, "  run %d %s %dB: %.0f ns/dgram, loss %.2f%%, %s%n", r + 1,
                            x.backend(), x.size(), x.cpuNsPerDatagram(), x.lossPercent(), x.detail());
                    byKey.get(backend + "/" + size).add(x);
                }
            }
        }
        for (List<Result> results : byKey.values()) {
            results.sort(Comparator.comparingDouble(Result::cpuNsPerDatagram));
            // Median of the runs no other process disturbed (<= 5% of the CPUs), else of all runs.
            List<Result> clean = results.stream().filter(x -> x.othersBusy() <= 0.05).toList();
            List<Result> pick = clean.isEmpty() ? results : clean;
            print(pick.get(pick.size() / 2), clean.size(), results.size());
        }
    }

    private static void print(Result r, int clean, int runs) {
        System.out.printf(Locale.ROOT, "| %s | %d | %d/%d | %.1f | %d | %d | %.2f | %.0f | %.0f | %.4f | %.1f | %s | %d | %d | %.0f |%n",
                r.backend(), r.size(), clean, runs, r.othersBusy() * 100, r.sent(), r.received(), r.lossPercent(), r.achievedPps(),
                r.cpuNsPerDatagram(), r.callsPerDatagram(), r.datagramsPerCall(),
                r.meanCqeBatch() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", r.meanCqeBatch()),
                r.voluntarySwitches(), r.rcvbufErrors(), r.senderCpuNsPerDatagram());
    }

    private static DatagramBackend open(String backend, PacketPool pool, int depth, int rcvbuf) throws IOException {
        InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        SocketOptions options = SocketOptions.builder().receiveBufferBytes(rcvbuf).build();
        return switch (backend) {
            case "multishot" -> UringBackend.open(bind, options, pool,
                    UringOptions.defaults(UringOptions.ReceiveMode.MULTISHOT).withReceiveDepth(depth));
            case "armed" -> UringBackend.open(bind, options, pool,
                    UringOptions.defaults(UringOptions.ReceiveMode.ARMED).withReceiveDepth(depth));
            case "multishot-sqpoll" -> UringBackend.open(bind, options, pool,
                    UringOptions.defaults(UringOptions.ReceiveMode.MULTISHOT).withReceiveDepth(depth)
                            .withSqpoll(true, 1000));
            case "multishot-nofixed" -> UringBackend.open(bind, options, pool,
                    UringOptions.defaults(UringOptions.ReceiveMode.MULTISHOT).withReceiveDepth(depth)
                            .withRegisterFiles(false));
            case "mmsg" -> Backends.open(Backends.Kind.MMSG, bind, options, pool, MmsgBackend.DEFAULT_BATCH_SIZE);
            case "mmsg256" -> Backends.open(Backends.Kind.MMSG, bind, options, pool, 256);
            case "nio" -> Backends.open(Backends.Kind.NIO, bind, options, pool, 1);
            default -> throw new IllegalArgumentException("unknown backend " + backend);
        };
    }

    /** Receiver side of one run; all fields are handed over through the volatile phase flags. */
    private static final class Receiver implements Runnable {
        final DatagramBackend backend;
        final int max;
        volatile int senderPhase; // 1 = warm-up sent, 2 = measured load sent
        volatile int receiverPhase; // 1 = baseline taken, 2 = end taken
        long cpu0;
        long cpu1;
        long rx0;
        long rx1;
        long calls0;
        long calls1;
        long enters0;
        long enters1;
        long cqes0;
        long cqes1;
        long batches0;
        long batches1;
        long ctx0;
        long ctx1;
        long invol0;
        long invol1;
        long wall0;
        long wall1;
        long user0;
        long user1;
        long sys0;
        long sys1;
        long wrongLength;
        final int size;
        volatile Throwable failure;

        Receiver(DatagramBackend backend, int max, int size) {
            this.backend = backend;
            this.max = max;
            this.size = size;
        }

        @Override
        public void run() {
            Affinity.pin(1);
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            PacketPool pool = backend.pool();
            int[] slots = new int[max];
            long received = 0;
            long lastRx = System.nanoTime();
            long idleNanos = TimeUnit.MILLISECONDS.toNanos(150);
            try {
                while (true) {
                    int n = backend.receive(slots, max, TimeUnit.MILLISECONDS.toNanos(20));
                    for (int i = 0; i < n; i++) {
                        if (pool.length(slots[i]) != size) {
                            wrongLength++;
                        }
                        pool.release(slots[i]);
                    }
                    long now = System.nanoTime();
                    if (n > 0) {
                        received += n;
                        lastRx = now;
                        continue;
                    }
                    if (now - lastRx < idleNanos) {
                        continue;
                    }
                    if (receiverPhase == 0 && senderPhase >= 1) {
                        rx0 = received;
                        cpu0 = mx.getCurrentThreadCpuTime();
                        snapshot(0);
                        receiverPhase = 1;
                    } else if (receiverPhase == 1 && senderPhase >= 2) {
                        rx1 = received;
                        cpu1 = mx.getCurrentThreadCpuTime();
                        snapshot(1);
                        receiverPhase = 2;
                        return;
                    }
                }
            } catch (Throwable t) {
                failure = t;
                receiverPhase = 2;
            }
        }

        private void snapshot(int which) throws IOException {
            long calls = backend.stats().get(BackendStats.Counter.RECEIVE_CALLS);
            long enters = -1;
            long cqes = -1;
            long batches = -1;
            if (backend instanceof UringBackend u) {
                enters = u.uringStats().get(UringStats.Counter.ENTER_CALLS);
                cqes = u.uringStats().get(UringStats.Counter.RECEIVE_CQES);
                batches = u.uringStats().get(UringStats.Counter.CQE_BATCHES);
            }
            long ctx = voluntarySwitches();
            long invol = switches("nonvoluntary_ctxt_switches:");
            long[] us = threadUserSys();
            if (which == 0) {
                user0 = us[0];
                sys0 = us[1];
                invol0 = invol;
                wall0 = System.nanoTime();
                calls0 = calls;
                enters0 = enters;
                cqes0 = cqes;
                batches0 = batches;
                ctx0 = ctx;
            } else {
                calls1 = calls;
                enters1 = enters;
                cqes1 = cqes;
                batches1 = batches;
                ctx1 = ctx;
                invol1 = invol;
                wall1 = System.nanoTime();
                user1 = us[0];
                sys1 = us[1];
            }
        }
    }

    private static Result runOnce(String backendName, int size, long rate, double seconds, double warmup, int max,
            boolean gso, int depth, int rcvbuf) throws Exception {
        Affinity.pin(0);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (PacketPool pool = new PacketPool(4096, 2048);
                DatagramBackend backend = open(backendName, pool, depth, rcvbuf);
                GsoSender sender = new GsoSender(backend.localAddress(), size, gso)) {
            Receiver receiver = new Receiver(backend, max, size);
            Thread t = new Thread(receiver, "bench-receiver");
            t.start();
            sender.run((long) (rate * warmup), rate);
            receiver.senderPhase = 1;
            while (receiver.receiverPhase < 1) {
                Thread.sleep(1);
            }
            long rcvbuf0 = rcvbufErrors();
            long[] sys0 = cpuTimes();
            long self0 = selfJiffies();
            long txCpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long total = (long) (rate * seconds);
            long sent = sender.run(total, rate);
            long elapsed = System.nanoTime() - t0;
            long txCpu = mx.getCurrentThreadCpuTime() - txCpu0;
            long[] sys1 = cpuTimes();
            long self1 = selfJiffies();
            long totalJ = sys1[0] - sys0[0];
            double others = totalJ == 0 ? 0
                    : ((double) (totalJ - (sys1[1] - sys0[1])) - (self1 - self0)) / totalJ;
            receiver.senderPhase = 2;
            t.join(TimeUnit.SECONDS.toMillis(30));
            if (receiver.failure != null) {
                throw new IOException("receiver failed", receiver.failure);
            }
            long rcvbufDrops = rcvbufErrors() - rcvbuf0;
            long received = receiver.rx1 - receiver.rx0;
            long calls = receiver.calls1 - receiver.calls0;
            double perDgram = received == 0 ? 0 : (double) (receiver.cpu1 - receiver.cpu0) / received;
            double callsPerDgram;
            double meanBatch = -1;
            String detail = String.format(Locale.ROOT, "other processes %.1f%% of the CPUs during the run; ",
                    Math.max(0, others) * 100) + backend.name() + (sender.gso() ? " gso" : " no-gso") + " wrongLength="
                    + receiver.wrongLength + String.format(Locale.ROOT,
                            " rx-utilization=%.2f involuntary=%d rx-user-share=%.2f",
                            (double) (receiver.cpu1 - receiver.cpu0) / (receiver.wall1 - receiver.wall0),
                            receiver.invol1 - receiver.invol0,
                            (double) (receiver.user1 - receiver.user0)
                                    / Math.max(1, receiver.user1 - receiver.user0 + receiver.sys1 - receiver.sys0));
            detail += " " + backend.socketOptionsReport();
            if (backend instanceof UringBackend u) {
                long enters = receiver.enters1 - receiver.enters0;
                callsPerDgram = received == 0 ? 0 : (double) enters / received;
                long batches = receiver.batches1 - receiver.batches0;
                meanBatch = batches == 0 ? 0 : (double) (receiver.cqes1 - receiver.cqes0) / batches;
                detail += " " + u.ringDescription() + " " + u.uringStats();
            } else {
                callsPerDgram = received == 0 ? 0 : (double) calls / received;
            }
            double perCall = calls == 0 ? 0 : (double) received / calls;
            return new Result(backend.name(), size, rate, sent, received, sent * 1e9 / elapsed, perDgram,
                    callsPerDgram, perCall, meanBatch, receiver.ctx1 - receiver.ctx0, rcvbufDrops,
                    sent == 0 ? 0 : (double) txCpu / sent, Math.max(0, others), detail);
        }
    }

    /**
     * Waits (up to 10 minutes) until the machine's CPUs are at most {@code maxBusy} busy over 300 ms,
     * so other processes on a shared machine do not steal the receiver's core mid-run.
     *
     * @return the busy fraction measured last
     */
    static double awaitQuiet(double maxBusy) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        double busy = 1;
        boolean confirmed = false;
        while (System.nanoTime() - deadline < 0) {
            long[] a = cpuTimes();
            Thread.sleep(300);
            long[] b = cpuTimes();
            long total = b[0] - a[0];
            busy = total == 0 ? 0 : 1.0 - (double) (b[1] - a[1]) / total;
            if (busy <= maxBusy) {
                if (confirmed) {
                    return busy;
                }
                // Quiet once: wait a random 0.5-2.5 s and check again, so that two benchmarks
                // polling for a quiet machine do not both start at the same moment.
                confirmed = true;
                Thread.sleep(500 + java.util.concurrent.ThreadLocalRandom.current().nextInt(2000));
                continue;
            }
            confirmed = false;
            Thread.sleep(2000);
        }
        System.err.printf(Locale.ROOT, "  machine still %.0f%% busy after 10 minutes: measuring anyway%n", busy * 100);
        return busy;
    }

    /** {utime, stime} of the calling thread in jiffies (/proc/thread-self/stat). */
    static long[] threadUserSys() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }

    /** utime + stime of this process in jiffies (/proc/self/stat fields 14 and 15). */
    private static long selfJiffies() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** {total, idle} jiffies from the first line of /proc/stat. */
    private static long[] cpuTimes() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
        return new long[] {total, idle};
    }

    /** UDP RcvbufErrors from /proc/net/snmp (system-wide), or -1. */
    static long rcvbufErrors() throws IOException {
        Path snmp = Path.of("/proc/net/snmp");
        if (!Files.isReadable(snmp)) {
            return -1;
        }
        List<String> lines = Files.readAllLines(snmp);
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                String[] names = lines.get(i).split("\\s+");
                String[] values = lines.get(i + 1).split("\\s+");
                for (int k = 0; k < names.length; k++) {
                    if (names[k].equals("RcvbufErrors")) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        return -1;
    }

    /** Voluntary context switches of the calling thread (blocking waits), or -1. */
    static long voluntarySwitches() throws IOException {
        return switches("voluntary_ctxt_switches:");
    }

    /** A context-switch counter of the calling thread from /proc/thread-self/status, or -1. */
    static long switches(String key) throws IOException {
        Path status = Path.of("/proc/thread-self/status");
        if (!Files.isReadable(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return -1;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }
}
