package io.zgrnet.cli.bench;

import io.zgrnet.io.select.BackendKind;
import io.zgrnet.IOMode;
import io.zgrnet.MessageHandler;
import io.zgrnet.PeerKey;
import io.zgrnet.TransportConfig;
import io.zgrnet.TransportCounter;
import io.zgrnet.UDP;
import io.zgrnet.io.select.BackendSelector;
import io.zgrnet.config.SocketOptions;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/*
 * Threads: the harness thread writes (spinning when the send queue is full or, paced, when ahead
 * of the pace); a reader thread drains B with poll and publishes its count through a volatile
 * field; each transport runs its own I/O agent and decrypt workers. The pair lives for all runs of
 * a row (or all trials of a zero-loss search). B's threads are the ones that appeared while B
 * opened; their CPU time plus the reader's, over the messages delivered, is the receiving side's
 * cost per message.
 */

/** End to end: two zgrnet-java transports with encryption on loopback, one peer writing to the other. */
public final class E2eBench {
    /**
     * One row.
     *
     * @param backend the transport's backend (as it reports itself)
     * @param size payload bytes
     * @param workers decrypt workers of each transport
     * @param offeredPps the writer's pace in messages per second; 0: as fast as it can
     * @param durationSeconds measured seconds per run
     * @param runs runs summarised
     * @param values every metric of {@link #METRICS} by key
     * @param note why the row is empty, or where lost messages went
     */
    public record Row(String backend, int size, int workers, long offeredPps, double durationSeconds, int runs,
                      Map<String, Spread> values, String note) {
        /** One metric's spread (NaN when not measured). */
        public Spread get(Metric<?> m) {
            return values.getOrDefault(m.key(), Spread.of());
        }
    }

    /**
     * One run: messages the writer got accepted, how long it wrote, what the reader got during the
     * writing and in all (after a flush), and the receiving side's CPU time.
     */
    public record Run(int size, long written, long elapsedNanos, long deliveredInWindow, long delivered,
                      long rxCpuNanos, String threadSplit) {
        double pps() {
            return elapsedNanos == 0 ? Double.NaN : deliveredInWindow * 1e9 / elapsedNanos;
        }

        double offeredPps() {
            return elapsedNanos == 0 ? Double.NaN : written * 1e9 / elapsedNanos;
        }

        double lossPercent() {
            return written == 0 ? Double.NaN : 100.0 * Math.max(0, written - delivered) / written;
        }

        double rxCpuNsPerMessage() {
            return delivered == 0 || rxCpuNanos < 0 ? Double.NaN : (double) rxCpuNanos / delivered;
        }
    }

    /** The e2e rows' metrics, in table order. */
    public static final List<Metric<Run>> METRICS = List.of(
            new Metric<>("offered_pps_achieved", "written/s", "msgs/s", Metric.Style.RATE_MEDIAN, false,
                    Run::offeredPps),
            new Metric<>("pps", "msgs/s [min-max]", "msgs/s", Metric.Style.RATE, true, Run::pps),
            new Metric<>("mb_per_s", "MB/s [min-max]", "MB/s", Metric.Style.NUMBER_RANGE, true,
                    r -> r.pps() * r.size() / 1e6),
            new Metric<>("loss_percent", "loss %", "%", Metric.Style.PERCENT, false, Run::lossPercent),
            new Metric<>("rx_cpu_ns_per_msg", "rx CPU ns/msg", "ns", Metric.Style.INT, true,
                    Run::rxCpuNsPerMessage));

    private final double seconds;
    private final double warmupSeconds;
    private final int runs;
    private final SocketOptions socketOptions;
    private final long ratePps;

    /**
     * @param seconds measured seconds per run
     * @param warmupSeconds unmeasured writing before the runs
     * @param runs runs per row
     * @param udpGro request UDP_GRO on both transports' sockets
     * @param ratePps messages per second the writer offers; 0: as fast as it can (UDP has no
     *     backpressure, so an unpaced writer measures the receiver's maximum and its loss)
     */
    public E2eBench(double seconds, double warmupSeconds, int runs, boolean udpGro, long ratePps) {
        if (ratePps < 0) {
            throw new IllegalArgumentException("ratePps must be >= 0, got " + ratePps);
        }
        this.ratePps = ratePps;
        this.seconds = seconds;
        this.warmupSeconds = warmupSeconds;
        this.runs = runs;
        this.socketOptions = SocketOptions.builder().udpGro(udpGro).build();
    }

    /** Measures one backend, size and worker count. */
    public Row measure(IOMode mode, int size, int workers, Consumer<String> progress) throws Exception {
        String cause = BackendSelector.unavailabilityCause(BackendKind.valueOf(mode.name()));
        if (cause != null) {
            return new Row(label(mode), size, workers, ratePps, seconds, 0, Map.of(), "unavailable: " + cause);
        }
        try (Pair pair = new Pair(mode, size, workers, socketOptions)) {
            pair.write((long) (warmupSeconds * 1e9), ratePps);
            List<Run> done = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                progress.accept(String.format("e2e %s %d B %d worker(s) run %d/%d", pair.label, size, workers, r + 1,
                        runs));
                done.add(pair.run(ratePps, seconds));
            }
            return new Row(pair.label, size, workers, ratePps, seconds, runs, Metric.summarise(METRICS, done),
                    pair.lossNote());
        }
    }

    /** The zero-loss search for one backend, size and worker count: paced trials of the writer. */
    public ZeroLoss.Row zeroLoss(IOMode mode, int size, int workers, ZeroLoss search, Consumer<String> progress)
            throws Exception {
        String cause = BackendSelector.unavailabilityCause(BackendKind.valueOf(mode.name()));
        if (cause != null) {
            return search.unavailable("e2e", label(mode), size, workers, "unavailable: " + cause);
        }
        try (Pair pair = new Pair(mode, size, workers, socketOptions)) {
            pair.write((long) (warmupSeconds * 1e9), 0);
            ZeroLoss.Row row = search.run("e2e", pair.label, size, workers, rate -> {
                progress.accept(String.format("zero-loss e2e %s %d B %d worker(s) at %s", pair.label, size, workers,
                        RawBench.loadLabel(rate)));
                Run r = pair.run(rate, search.trialSeconds());
                return new ZeroLoss.Trial(r.offeredPps(), r.pps(), r.lossPercent(), r.rxCpuNsPerMessage(),
                        r.threadSplit());
            });
            String lost = pair.lossNote();
            return lost.isEmpty() ? row : row.withNote(lost.replace("lost in the runs", "lost in all trials"));
        }
    }

    private static String label(IOMode mode) {
        return mode.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Two connected transports, A writing to B, and B's reader; lives for the runs of one row. */
    private static final class Pair implements AutoCloseable {
        private final UDP a;
        private final UDP b;
        private final PeerKey bKey;
        private final byte[] payload;
        private final Reader reader;
        private final Thread readerThread;
        private final long[] rxThreads;
        /** Every thread of the pair and the harness by id, named "A:zgrnet-io", "B:...", "writer", "reader". */
        private final java.util.Map<Long, String> roles = new java.util.LinkedHashMap<>();
        private final String label;
        private final long kernel0 = HostStats.rcvbufErrors();
        private final long queue0;
        private final long pool0;

        Pair(IOMode mode, int size, int workers, SocketOptions options) throws Exception {
            SecureRandom random = new SecureRandom();
            byte[] ka = new byte[32];
            byte[] kb = new byte[32];
            random.nextBytes(ka);
            random.nextBytes(kb);
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Set<Long> none = ids(mx);
            a = UDP.open(TransportConfig.builder().privateKey(ka).ioMode(mode).socketOptions(options)
                    .decryptWorkers(workers).build());
            Set<Long> before = ids(mx);
            UDP opened = null;
            try {
                opened = UDP.open(TransportConfig.builder().privateKey(kb).ioMode(mode).socketOptions(options)
                        .decryptWorkers(workers).build());
            } finally {
                if (opened == null) {
                    a.close();
                }
            }
            b = opened;
            Set<Long> bThreads = ids(mx);
            bThreads.removeAll(before);
            before.removeAll(none);
            name(mx, "A:", before);
            name(mx, "B:", bThreads);
            roles.put(Thread.currentThread().threadId(), "writer");
            try {
                bKey = b.hostInfo().publicKey();
                a.setPeerEndpoint(bKey, b.hostInfo().localAddress());
                b.setPeerEndpoint(a.hostInfo().publicKey(), a.hostInfo().localAddress());
                a.connect(bKey, Duration.ofSeconds(10));
            } catch (Exception e) {
                closeTransports();
                throw e;
            }
            String l = b.ioInfo().backend();
            io.zgrnet.SocketOption gro = b.ioInfo().socketOption("UDP_GRO");
            if (gro != null && gro.applied() && "on".equals(gro.requested())) {
                l += "+gro";
            }
            label = l;
            payload = new byte[size];
            reader = new Reader(b);
            readerThread = new Thread(reader, "bench-e2e-reader");
            readerThread.setDaemon(true);
            readerThread.start();
            bThreads.add(readerThread.threadId());
            roles.put(readerThread.threadId(), "reader");
            rxThreads = bThreads.stream().mapToLong(Long::longValue).toArray();
            queue0 = b.stats().get(TransportCounter.DROP_RECEIVE_QUEUE_FULL);
            pool0 = b.stats().get(TransportCounter.DROP_POOL_EXHAUSTED);
        }

        private static Set<Long> ids(ThreadMXBean mx) {
            Set<Long> s = new HashSet<>();
            for (long id : mx.getAllThreadIds()) {
                s.add(id);
            }
            return s;
        }

        private void name(ThreadMXBean mx, String prefix, Set<Long> threads) {
            for (long id : threads) {
                var info = mx.getThreadInfo(id);
                roles.put(id, prefix + (info == null ? id : info.getThreadName()));
            }
        }

        /** CPU time per thread of {@link #roles}, in its order (-1 where unknown). */
        private long[] cpuByRole() {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long[] out = new long[roles.size()];
            int i = 0;
            for (long id : roles.keySet()) {
                out[i++] = mx.isThreadCpuTimeSupported() ? mx.getThreadCpuTime(id) : -1;
            }
            return out;
        }

        /** "% of a core: writer 80, A:zgrnet-io 60, ..." over {@code nanos}, threads above 1 %. */
        private String split(long[] before, long[] after, long nanos) {
            StringBuilder b = new StringBuilder("% of a core per thread:");
            int i = 0;
            for (String role : roles.values()) {
                long d = before[i] < 0 || after[i] < 0 ? -1 : after[i] - before[i];
                i++;
                if (d >= 0 && 100.0 * d / nanos >= 1) {
                    b.append(String.format(java.util.Locale.ROOT, " %s %.0f,", role, 100.0 * d / nanos));
                }
            }
            return b.charAt(b.length() - 1) == ',' ? b.substring(0, b.length() - 1) : "";
        }

        /** CPU time of B's threads and the reader so far, or -1 when the JVM cannot tell. */
        private long rxCpuNanos() {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            if (!mx.isThreadCpuTimeSupported()) {
                return -1;
            }
            long sum = 0;
            for (long id : rxThreads) {
                long t = mx.getThreadCpuTime(id);
                if (t > 0) {
                    sum += t;
                }
            }
            return sum;
        }

        Run run(long rate, double runSeconds) throws InterruptedException, IOException {
            long rx0 = reader.count;
            long cpu0 = rxCpuNanos();
            long[] all0 = cpuByRole();
            long t0 = System.nanoTime();
            long written = write((long) (runSeconds * 1e9), rate);
            long elapsed = System.nanoTime() - t0;
            long rx1 = reader.count;
            String split = split(all0, cpuByRole(), elapsed);
            // Let the in-flight tail arrive before the next run; it counts towards loss only.
            a.flush(Duration.ofSeconds(1));
            awaitQuiet();
            long cpu1 = rxCpuNanos();
            return new Run(payload.length, written, elapsed, rx1 - rx0, reader.count - rx0,
                    cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0, split);
        }

        /** Waits until the reader's count stops moving for 50 ms (at most 2 s). */
        private void awaitQuiet() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            long last = reader.count;
            long stable = System.nanoTime();
            while (System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
                long now = reader.count;
                if (now != last) {
                    last = now;
                    stable = System.nanoTime();
                } else if (System.nanoTime() - stable >= TimeUnit.MILLISECONDS.toNanos(50)) {
                    return;
                }
            }
        }

        String lossNote() {
            return E2eBench.lossNote(HostStats.rcvbufErrors(), kernel0,
                    b.stats().get(TransportCounter.DROP_RECEIVE_QUEUE_FULL) - queue0,
                    b.stats().get(TransportCounter.DROP_POOL_EXHAUSTED) - pool0);
        }

        /** Writes for {@code nanos} at {@code rate} accepted messages per second (0: unpaced). */
        long write(long nanos, long rate) throws IOException {
            return E2eBench.write(a, bKey, payload, nanos, rate);
        }

        private void closeTransports() {
            b.close();
            a.close();
        }

        @Override
        public void close() throws InterruptedException {
            reader.stop = true;
            readerThread.join(TimeUnit.SECONDS.toMillis(2));
            closeTransports();
        }
    }

    /**
     * How long a paced writer ahead of its pace sleeps (the kernel's timer slack adds ~50 us); the
     * transport's send queue absorbs the burst that follows.
     */
    private static final long PACE_PARK_NANOS = 20_000;

    /** Messages due after {@code elapsedNanos} at {@code ratePps}: the pace of a paced writer. */
    static long due(long elapsedNanos, long ratePps) {
        return (long) ((double) elapsedNanos * ratePps / 1e9); // a double: no overflow at any rate
    }

    /**
     * Where the runs' lost messages went, or "" when nothing was dropped: the kernel's UDP receive
     * buffer overflows (RcvbufErrors, system-wide, so other traffic would count too) and the
     * receiving transport's own drops.
     */
    static String lossNote(long kernelNow, long kernelBefore, long queueFull, long poolExhausted) {
        long kernel = kernelNow < 0 || kernelBefore < 0 ? -1 : kernelNow - kernelBefore;
        if (kernel <= 0 && queueFull == 0 && poolExhausted == 0) {
            return "";
        }
        return "lost in the runs: " + (kernel < 0 ? "?" : Long.toString(kernel))
                + " to the receiving socket's buffer (kernel RcvbufErrors), " + queueFull
                + " to the transport's full receive queue, " + poolExhausted + " to an exhausted packet pool";
    }

    /** Writes for {@code nanos}, at {@code ratePps} accepted messages per second (0: unpaced); returns how many were accepted. */
    private static long write(UDP a, PeerKey to, byte[] payload, long nanos, long ratePps) throws IOException {
        long start = System.nanoTime();
        long end = start + nanos;
        long written = 0;
        int i = 0;
        while (true) {
            // The pace counts accepted messages: a refused writeTo (the send queue is full) is
            // retried, as an application would, so a row below its offered rate is the limit.
            // Ahead of the pace the writer sleeps rather than spins: on a 2-vCPU machine a spinning
            // writer would take a whole core from the transports it measures.
            if (ratePps > 0 && written >= due(System.nanoTime() - start, ratePps)) {
                LockSupport.parkNanos(PACE_PARK_NANOS);
            } else if (a.writeTo(to, 0, payload, 0, payload.length)) {
                written++;
            } else {
                Thread.yield(); // the send queue is full: let the I/O thread drain it
            }
            if ((++i & 63) == 0 && System.nanoTime() - end >= 0) {
                return written;
            }
        }
    }

    /**
     * Drains B with the zero-copy {@code poll} (up to 256 messages per call), parking 20 us when
     * nothing is ready; the handler is a field, not a capturing lambda.
     */
    private static final class Reader implements Runnable, MessageHandler {
        private static final long IDLE_PARK_NANOS = 20_000;
        private final UDP udp;
        private long n;
        volatile long count;
        volatile boolean stop;

        Reader(UDP udp) {
            this.udp = udp;
        }

        @Override
        public void onMessage(PeerKey sender, int protocol, MemorySegment payload, long offset, int length) {
            n++;
        }

        @Override
        public void run() {
            try {
                while (!stop) {
                    if (udp.poll(this, 256) > 0) {
                        count = n;
                    } else {
                        LockSupport.parkNanos(IDLE_PARK_NANOS);
                    }
                }
            } catch (IOException closed) {
                // The pair is closing under the reader: the count so far stands.
            }
        }
    }

    /** "1,2,N" with N = available processors, deduplicated, in order. */
    public static List<Integer> parseWorkers(String spec) {
        List<Integer> out = new ArrayList<>();
        for (String s : spec.split(",")) {
            String t = s.trim();
            int w = t.equalsIgnoreCase("N") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(t);
            if (w < 1) {
                throw new IllegalArgumentException("decrypt workers must be >= 1, got " + t);
            }
            if (!out.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }
}
