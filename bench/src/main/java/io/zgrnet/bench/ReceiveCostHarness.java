package io.zgrnet.bench;

import io.zgrnet.io.BackendStats.Counter;
import io.zgrnet.io.Backends;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.io.SocketOptions;
import io.zgrnet.sys.KernelProbe;
import io.zgrnet.sys.SockAddr;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/*
 * Threads: run() starts a receiver thread (the backend under test, measuring its own CPU time and
 * allocation) and a sender thread (a fixed mmsg backend, or NIO where mmsg is unavailable, paced
 * to the offered rate), joins both and returns a Result. Nothing is shared between them but the
 * loopback socket pair and a few volatile flags.
 */

/**
 * Measures what receiving costs each datagram backend at a fixed offered load on loopback: the
 * receiver thread's CPU time (and heap allocation) per received datagram, plus loss.
 *
 * <p>A sender thread offers {@code ratePps} datagrams of {@code payloadBytes} for the duration
 * (paced by a token bucket, batches of up to 64; it cannot exceed what it manages to send, which
 * the result reports). The receiver loops {@code receive(slots, batch, 10 ms)} and releases each
 * slot after reading its sequence number; its CPU time is read with
 * {@code ThreadMXBean.getCurrentThreadCpuTime} before the sender starts and after the last
 * datagram was drained, so the cost includes waking up when idle, as a real agent would. On
 * loopback the kernel's UDP input runs on the sender's CPU (softirq in the sending context), so
 * the receiver's time is the dequeue and copy-out side: system call, Java and JNI/FFM overhead.
 *
 * <p>{@link Mode#DRAIN} measures the other end of the range: bursts drained with full batches, no
 * wake-ups (one thread; the burst stays below the socket buffer).
 *
 * <p>Reusable: {@link #run(Config)} returns a {@link Result}; {@link #main} parses a few flags.
 */
public final class ReceiveCostHarness {
    private static final int SEND_BATCH = 64;
    private static final long DRAIN_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    /** Where receivers put a checksum of what they read, so the reads cannot be optimised away. */
    static volatile long sink;

    private ReceiveCostHarness() {
    }

    /** What is measured. */
    public enum Mode {
        /**
         * A sender thread offers a fixed rate; the receiver blocks when idle. The cost per datagram
         * includes the receiver's wake-ups, which dominate below saturation.
         */
        PACED,
        /**
         * One thread sends a burst (ratePps datagrams, kept below the socket buffer), then drains
         * it with {@code receive(timeout 0)}; only the drain is measured. This is the per-datagram
         * cost with full batches and no wake-ups: the floor a saturated receiver approaches.
         */
        DRAIN
    }

    /**
     * One measurement's parameters.
     *
     * @param mode {@link Mode#PACED} (fixed offered load) or {@link Mode#DRAIN} (bursts drained
     *        with full batches)
     * @param kind backend under test (the receiver)
     * @param payloadBytes datagram size, 8..65507
     * @param ratePps offered load, datagrams per second (PACED); datagrams per burst (DRAIN)
     * @param durationNanos how long the sender offers load
     * @param batchSize receiver batch (datagrams per receive call / system call)
     * @param address loopback address to use (IPv4 or IPv6)
     */
    public record Config(Mode mode, Backends.Kind kind, int payloadBytes, int ratePps, long durationNanos,
                         int batchSize, InetAddress address) {
        public Config {
            if (mode == null) {
                throw new IllegalArgumentException("mode must not be null");
            }
            if (kind == null) {
                throw new IllegalArgumentException("kind must not be null");
            }
            if (payloadBytes < 8 || payloadBytes > 65507) {
                throw new IllegalArgumentException("payloadBytes must be 8..65507, got " + payloadBytes);
            }
            if (ratePps < 1) {
                throw new IllegalArgumentException("ratePps must be >= 1, got " + ratePps);
            }
            if (durationNanos <= 0) {
                throw new IllegalArgumentException("durationNanos must be > 0, got " + durationNanos);
            }
            if (batchSize < 1 || batchSize > 1024) {
                throw new IllegalArgumentException("batchSize must be 1..1024, got " + batchSize);
            }
            if (address == null || !address.isLoopbackAddress()) {
                throw new IllegalArgumentException("address must be a loopback address, got " + address);
            }
        }
    }

    /**
     * One measurement's outcome.
     *
     * @param sent datagrams the sender handed to the kernel
     * @param received datagrams the receiver got
     * @param receiverCpuNanos receiver thread CPU time (user + system)
     * @param receiverAllocatedBytes heap bytes the receiver thread allocated (-1 if unsupported)
     * @param receiveCalls receive system calls (or NIO receive calls)
     * @param sendNanos how long the sender took to offer the load
     * @param kernelRcvbufErrors delta of /proc/net/snmp Udp RcvbufErrors (-1 if unavailable)
     * @param senderCpuNanos sender thread CPU time (on loopback it includes the kernel's UDP input)
     * @param otherLoad CPU used by other processes during the run, in CPUs (e.g. 0.5 = half a core;
     *        -1 if unknown): a busy machine makes loss and throughput unreliable
     */
    public record Result(Config config, long sent, long received, long receiverCpuNanos, long receiverAllocatedBytes,
                         long receiveCalls, long sendNanos, long kernelRcvbufErrors, long senderCpuNanos,
                         double otherLoad) {
        /** Receiver CPU nanoseconds per received datagram. */
        public double cpuNanosPerDatagram() {
            return received == 0 ? Double.NaN : (double) receiverCpuNanos / received;
        }

        /** Receiver heap bytes per received datagram. */
        public double allocatedBytesPerDatagram() {
            return received == 0 || receiverAllocatedBytes < 0 ? Double.NaN
                    : (double) receiverAllocatedBytes / received;
        }

        /** Fraction of sent datagrams not received. */
        public double loss() {
            return sent == 0 ? 0 : (double) (sent - received) / sent;
        }

        /** The rate the sender achieved. */
        public double sentPps() {
            return sent * 1e9 / sendNanos;
        }

        /** Receiver CPU utilisation while the load ran (fraction of one core). */
        public double receiverCpuShare() {
            return (double) receiverCpuNanos / sendNanos;
        }

        /** One markdown table row. */
        public String row() {
            return String.format(Locale.ROOT,
                    "| %s | %s | %d | %,d | %,.0f | %,d | %,d | %.3f%% | %s | %.0f | %.1f | %.2f | %.1f%% | %.1f%% | %.2f |",
                    config.mode().name().toLowerCase(Locale.ROOT), config.kind().name().toLowerCase(Locale.ROOT),
                    config.payloadBytes(), config.ratePps(), sentPps(),
                    sent, received, loss() * 100, kernelRcvbufErrors < 0 ? "n/a" : String.format("%,d", kernelRcvbufErrors),
                    cpuNanosPerDatagram(), allocatedBytesPerDatagram(),
                    receiveCalls == 0 ? 0.0 : (double) received / receiveCalls, receiverCpuShare() * 100,
                    100.0 * senderCpuNanos / sendNanos, otherLoad);
        }

        /** The header matching {@link #row()}. */
        public static String header() {
            return "| mode | backend | bytes | offered pps (drain: burst) | sent pps | sent | received | loss "
                    + "| RcvbufErrors | rx CPU ns/dgram | rx alloc B/dgram | dgrams/call | rx CPU | tx CPU "
                    + "| other load (CPUs) |\n"
                    + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
        }
    }

    /** Runs one measurement. */
    public static Result run(Config config) throws IOException, InterruptedException {
        InetSocketAddress bind = new InetSocketAddress(config.address(), 0);
        int slotSize = Math.max(2048, roundUp(config.payloadBytes() + 1, 64));
        SocketOptions options = SocketOptions.defaults();
        Backends.Kind senderKind = Backends.isAvailable(Backends.Kind.MMSG) ? Backends.Kind.MMSG : Backends.Kind.NIO;
        try (PacketPool rxPool = new PacketPool(4096, slotSize);
             PacketPool txPool = new PacketPool(1024, slotSize)) {
            try (DatagramBackend rx = Backends.open(config.kind(), bind, options, rxPool, config.batchSize());
                 DatagramBackend tx = Backends.open(senderKind, bind, options, txPool, SEND_BATCH)) {
                if (config.mode() == Mode.DRAIN) {
                    return drain(config, rx, tx);
                }
                long snmpBefore = udpRcvbufErrors();
                long[] load0 = cpuTicks();
                Receiver receiver = new Receiver(rx, config.batchSize());
                Sender sender = new Sender(tx, rx.localAddress(), config);
                Thread rxThread = new Thread(receiver, "harness-receiver-" + rx.name());
                Thread txThread = new Thread(sender, "harness-sender");
                rxThread.start();
                receiver.ready.await();
                txThread.start();
                txThread.join();
                receiver.senderDone = true;
                rxThread.join();
                rethrow(sender.failure.get());
                rethrow(receiver.failure.get());
                long snmpAfter = udpRcvbufErrors();
                double otherLoad = otherLoad(load0, cpuTicks(), sender.elapsedNanos);
                return new Result(config, sender.sent, receiver.received, receiver.cpuNanos, receiver.allocatedBytes,
                        rx.stats().get(Counter.RECEIVE_CALLS), sender.elapsedNanos,
                        snmpBefore < 0 || snmpAfter < 0 ? -1 : snmpAfter - snmpBefore, sender.cpuNanos,
                        otherLoad);
            }
        }
    }

    /** DRAIN mode on the calling thread: burst, then a measured drain, until the duration is used. */
    private static Result drain(Config config, DatagramBackend rx, DatagramBackend tx) throws IOException {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean sun = mx instanceof com.sun.management.ThreadMXBean x ? x : null;
        PacketPool txPool = tx.pool();
        PacketPool rxPool = rx.pool();
        MemorySegment destination = MemorySegment.ofArray(new byte[PacketPool.ADDRESS_SIZE]);
        SockAddr.write(destination, 0, rx.localAddress());
        int burst = config.ratePps();
        int[] txSlots = new int[SEND_BATCH];
        int[] rxSlots = new int[config.batchSize()];
        long sent = 0;
        long received = 0;
        long rxCpu = 0;
        long rxAlloc = 0;
        long txCpu = 0;
        long callsBefore = rx.stats().get(Counter.RECEIVE_CALLS);
        long snmpBefore = udpRcvbufErrors();
        long[] load0 = cpuTicks();
        long start = System.nanoTime();
        long checksum = 0;
        while (System.nanoTime() - start < config.durationNanos()) {
            long t0 = mx.getCurrentThreadCpuTime();
            long burstSent = 0;
            while (burstSent < burst) {
                int n = (int) Math.min(SEND_BATCH, burst - burstSent);
                int filled = 0;
                for (; filled < n; filled++) {
                    int s = txPool.acquire();
                    if (s < 0) {
                        break;
                    }
                    txPool.slab().set(ValueLayout.JAVA_LONG_UNALIGNED, txPool.slotOffset(s), sent + burstSent + filled);
                    txPool.length(s, config.payloadBytes());
                    SockAddr.copy(destination, 0, txPool.addresses(), txPool.addressOffset(s));
                    txSlots[filled] = s;
                }
                tx.send(txSlots, filled);
                burstSent += filled;
            }
            sent += burstSent;
            long t1 = mx.getCurrentThreadCpuTime();
            long a1 = sun == null ? 0 : sun.getCurrentThreadAllocatedBytes();
            long burstReceived = 0;
            long waitedUntil = System.nanoTime() + DRAIN_QUIET_NANOS;
            while (burstReceived < burstSent && System.nanoTime() - waitedUntil < 0) {
                int n = rx.receive(rxSlots, rxSlots.length, 0);
                for (int i = 0; i < n; i++) {
                    int s = rxSlots[i];
                    checksum += rxPool.slab().get(ValueLayout.JAVA_LONG_UNALIGNED,
                            rxPool.slotOffset(s) + rxPool.dataOffset(s));
                    rxPool.release(s);
                }
                burstReceived += n;
            }
            long t2 = mx.getCurrentThreadCpuTime();
            if (sun != null) {
                rxAlloc += sun.getCurrentThreadAllocatedBytes() - a1;
            }
            received += burstReceived;
            txCpu += t1 - t0;
            rxCpu += t2 - t1;
        }
        long wall = System.nanoTime() - start;
        long snmpAfter = udpRcvbufErrors();
        sink = checksum;
        return new Result(config, sent, received, rxCpu, sun == null ? -1 : rxAlloc,
                rx.stats().get(Counter.RECEIVE_CALLS) - callsBefore, wall,
                snmpBefore < 0 || snmpAfter < 0 ? -1 : snmpAfter - snmpBefore, txCpu,
                otherLoad(load0, cpuTicks(), wall));
    }

    private static void rethrow(Throwable t) throws IOException {
        if (t == null) {
            return;
        }
        if (t instanceof IOException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IOException(t);
    }

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    /** The receiving side: counts datagrams and its own CPU time. */
    private static final class Receiver implements Runnable {
        final DatagramBackend backend;
        final int batch;
        final CountDownLatch ready = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean senderDone;
        long received;
        long cpuNanos;
        long allocatedBytes = -1;
        long checksum;

        Receiver(DatagramBackend backend, int batch) {
            this.backend = backend;
            this.batch = batch;
        }

        @Override
        public void run() {
            java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            com.sun.management.ThreadMXBean sun = mx instanceof com.sun.management.ThreadMXBean s ? s : null;
            PacketPool pool = backend.pool();
            MemorySegment slab = pool.slab();
            int[] slots = new int[batch];
            long timeout = TimeUnit.MILLISECONDS.toNanos(10);
            try {
                long cpu0 = mx.getCurrentThreadCpuTime();
                long alloc0 = sun == null ? 0 : sun.getCurrentThreadAllocatedBytes();
                ready.countDown();
                long lastData = System.nanoTime();
                while (true) {
                    int n = backend.receive(slots, batch, timeout);
                    if (n > 0) {
                        for (int i = 0; i < n; i++) {
                            int s = slots[i];
                            checksum += slab.get(ValueLayout.JAVA_LONG_UNALIGNED, pool.slotOffset(s) + pool.dataOffset(s));
                            pool.release(s);
                        }
                        received += n;
                        lastData = System.nanoTime();
                    } else if (senderDone && System.nanoTime() - lastData > DRAIN_QUIET_NANOS) {
                        break;
                    }
                }
                cpuNanos = mx.getCurrentThreadCpuTime() - cpu0;
                sink = checksum;
                if (sun != null) {
                    allocatedBytes = sun.getCurrentThreadAllocatedBytes() - alloc0;
                }
            } catch (Throwable t) {
                failure.set(t);
                ready.countDown();
            }
        }
    }

    /** The offered load: a token bucket refilled at the configured rate, sending batches of up to 64. */
    private static final class Sender implements Runnable {
        final DatagramBackend backend;
        final InetSocketAddress to;
        final Config config;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        long sent;
        long elapsedNanos;
        long cpuNanos;

        Sender(DatagramBackend backend, InetSocketAddress to, Config config) {
            this.backend = backend;
            this.to = to;
            this.config = config;
        }

        @Override
        public void run() {
            PacketPool pool = backend.pool();
            int[] slots = new int[SEND_BATCH];
            MemorySegment destination = MemorySegment.ofArray(new byte[PacketPool.ADDRESS_SIZE]);
            SockAddr.write(destination, 0, to);
            long total = config.ratePps() * config.durationNanos() / 1_000_000_000L;
            long offered = 0;
            java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            try {
                while (offered < total) {
                    long now = System.nanoTime();
                    long due = Math.min(total, (now - start) * config.ratePps() / 1_000_000_000L + 1);
                    if (due <= offered) {
                        LockSupport.parkNanos(20_000);
                        continue;
                    }
                    int n = (int) Math.min(SEND_BATCH, due - offered);
                    int filled = 0;
                    for (; filled < n; filled++) {
                        int s = pool.acquire();
                        if (s < 0) {
                            break;
                        }
                        long base = pool.slotOffset(s);
                        pool.slab().set(ValueLayout.JAVA_LONG_UNALIGNED, base, offered + filled);
                        pool.length(s, config.payloadBytes());
                        SockAddr.copy(destination, 0, pool.addresses(), pool.addressOffset(s));
                        slots[filled] = s;
                    }
                    sent += backend.send(slots, filled);
                    offered += filled;
                }
            } catch (Throwable t) {
                failure.set(t);
            }
            elapsedNanos = System.nanoTime() - start;
            cpuNanos = mx.getCurrentThreadCpuTime() - cpu0;
        }
    }

    /** /proc/net/snmp "Udp: ... RcvbufErrors" (kernel drops for a full receive buffer), or -1. */
    static long udpRcvbufErrors() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                    List<String> names = Arrays.asList(lines.get(i).split("\\s+"));
                    String[] values = lines.get(i + 1).split("\\s+");
                    int at = names.indexOf("RcvbufErrors");
                    return at < 0 ? -1 : Long.parseLong(values[at]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** {system user+nice+system ticks, this process's utime+stime ticks, nanoTime}, or null off Linux. */
    static long[] cpuTicks() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = Long.parseLong(cpu[1]) + Long.parseLong(cpu[2]) + Long.parseLong(cpu[3]);
            String self = Files.readString(Path.of("/proc/self/stat"));
            String[] f = self.substring(self.lastIndexOf(')') + 2).trim().split("\\s+");
            long ours = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
            return new long[] {busy, ours, System.nanoTime()};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** CPUs used by other processes between two {@link #cpuTicks()} samples (USER_HZ = 100), or -1. */
    static double otherLoad(long[] before, long[] after, long fallbackNanos) {
        if (before == null || after == null) {
            return -1;
        }
        long nanos = after[2] - before[2] > 0 ? after[2] - before[2] : fallbackNanos;
        long others = (after[0] - before[0]) - (after[1] - before[1]);
        return Math.max(0, others) * 10_000_000.0 / nanos;
    }

    /**
     * Waits until other processes use less than {@code maxOtherLoad} CPUs over a one-second sample,
     * up to {@code maxWaitNanos}; returns the last sample's load (-1 if unknown).
     */
    public static double awaitQuietMachine(double maxOtherLoad, long maxWaitNanos) throws InterruptedException {
        long deadline = System.nanoTime() + maxWaitNanos;
        double load;
        do {
            long[] a = cpuTicks();
            Thread.sleep(1000);
            load = otherLoad(a, cpuTicks(), 1_000_000_000L);
        } while (load > maxOtherLoad && deadline - System.nanoTime() > 0);
        return load;
    }

    /** This machine: CPU model, kernel, JDK. */
    public static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: keep "unknown CPU"
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " CPUs; kernel " + KernelProbe.kernel()
                + "; JDK " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + Runtime.version();
    }

    /**
     * {@code [--mode paced|drain] --backends nio,mmsg --sizes 64,1200 --rate 200000 --seconds 5
     * --batch 64 --repeat 3 --warmup-seconds 2 [--ipv6] [--await-quiet 0.1]} ({@code --rate} is the
     * burst size in drain mode): prints a markdown table, one row per run and a
     * median row per configuration (by CPU per datagram). {@code --await-quiet L} waits (up to 10
     * minutes) before each run until other processes use less than L CPUs.
     */
    public static void main(String[] args) throws Exception {
        List<Backends.Kind> kinds = List.of(Backends.Kind.NIO, Backends.Kind.MMSG);
        int[] sizes = {64, 1200};
        int rate = 200_000;
        double seconds = 5;
        double warmup = 2;
        int batch = 64;
        int repeat = 3;
        double quiet = -1;
        Mode mode = Mode.PACED;
        InetAddress address = InetAddress.getLoopbackAddress();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--backends" -> kinds = Arrays.stream(args[++i].split(","))
                        .map(s -> Backends.Kind.valueOf(s.trim().toUpperCase(Locale.ROOT))).toList();
                case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup-seconds" -> warmup = Double.parseDouble(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--ipv6" -> address = InetAddress.getByName("::1");
                case "--await-quiet" -> quiet = Double.parseDouble(args[++i]);
                case "--mode" -> mode = Mode.valueOf(args[++i].toUpperCase(Locale.ROOT));
                default -> throw new IllegalArgumentException("unknown argument " + a + " (see ReceiveCostHarness.main)");
            }
        }
        PrintStream out = System.out;
        out.println("machine: " + machine());
        out.println(Result.header());
        for (int size : sizes) {
            for (Backends.Kind kind : kinds) {
                if (!Backends.isAvailable(kind)) {
                    out.println("| " + kind + " | skipped: " + Backends.unavailabilityCause(kind) + " |");
                    continue;
                }
                if (warmup > 0) {
                    run(new Config(mode, kind, size, rate, (long) (warmup * 1e9), batch, address));
                }
                List<Result> results = new ArrayList<>();
                for (int r = 0; r < repeat; r++) {
                    if (quiet >= 0) {
                        awaitQuietMachine(quiet, TimeUnit.MINUTES.toNanos(10));
                    }
                    Result result = run(new Config(mode, kind, size, rate, (long) (seconds * 1e9), batch, address));
                    results.add(result);
                    out.println(result.row());
                }
                results.sort(Comparator.comparingDouble(Result::cpuNanosPerDatagram));
                out.println(results.get(results.size() / 2).row().replaceFirst("\\| ", "| **median** "));
            }
        }
    }
}
