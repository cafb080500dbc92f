package io.zgrnet.cli.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/*
 * Sequence of one run, all on the harness thread (the receiver drains on its own thread or
 * process, the sender is another process): warm-up load (first run of a row only), wait until the
 * receiver has drained, snapshot (and reset the latency window), measured load, wait until drained, snapshot. The
 * difference of the two snapshots is the run. The receiver's CPU time includes its wake-ups and
 * the drain after the load, as a real I/O agent's would.
 */

/** The raw receive benchmark: datagrams from the sender process through each receiver. */
public final class RawBench {
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(60);
    private static final long DRAIN_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * Default source sockets of the load. Several, so that SO_REUSEPORT shards (which hash flows to
     * sockets) share it; every receiver gets the same load shape, so sharded and single rows compare.
     */
    public static final int DEFAULT_FLOWS = 16;

    /**
     * One row: one receiver, size and offered load over several runs.
     *
     * @param receiver receiver name
     * @param size datagram bytes
     * @param offeredPps offered load, 0 = the sender's maximum
     * @param durationSeconds measured seconds per run
     * @param runs runs summarised
     * @param gso whether the sender used UDP GSO
     * @param values every metric of {@link #METRICS} by key, median and range over the runs
     * @param note why the row is empty, or extra facts
     */
    public record Row(String receiver, int size, long offeredPps, double durationSeconds, int runs, boolean gso,
                      Map<String, Spread> values, String note) {
        /** One metric's spread (NaN when not measured). */
        public Spread get(Metric<?> m) {
            return values.getOrDefault(m.key(), Spread.of());
        }
    }

    /**
     * One run: what the sender did and the receiver's cumulative counters before and after it
     * (after the receiver drained). Every metric is taken from this.
     */
    public record Run(int size, SenderProcess.Sent sent, Receiver.Snapshot before, Receiver.Snapshot after) {
        long received() {
            return after.received() - before.received();
        }

        double perDatagram(long a, long b) {
            return received() == 0 || b < 0 ? Double.NaN : (double) (b - a) / received();
        }

        double percentOfWindow(long nanos) {
            return sent.elapsedNanos() == 0 ? Double.NaN : 100.0 * nanos / sent.elapsedNanos();
        }

        double rxPps() {
            return sent.elapsedNanos() == 0 ? 0 : received() * 1e9 / sent.elapsedNanos();
        }

        double lossPercent() {
            return sent.sent() == 0 ? Double.NaN : 100.0 * Math.max(0, sent.sent() - received()) / sent.sent();
        }

        double cpuNsPerDatagram() {
            return perDatagram(before.cpuNanos(), after.cpuNanos());
        }

        double cpuNsPerByte() {
            return cpuNsPerDatagram() / size;
        }

        double latencyMicros(double q) {
            LatencyHistogram h = after.latency();
            return h == null || h.count() == 0 ? Double.NaN : h.quantile(q) / 1e3;
        }

        double cqeBatch() {
            long batches = after.cqeBatches() - before.cqeBatches();
            return after.cqes() < 0 || batches <= 0 ? Double.NaN : (double) (after.cqes() - before.cqes()) / batches;
        }
    }

    /** The raw rows' metrics, in table order: how each is taken from a {@link Run} and printed. */
    public static final List<Metric<Run>> METRICS = List.of(
            new Metric<>("sender_pps", "sender pps", "pps", Metric.Style.RATE_MEDIAN, false, r -> r.sent().pps()),
            new Metric<>("rx_pps", "rx pps [min-max]", "pps", Metric.Style.RATE, true, Run::rxPps),
            new Metric<>("loss_percent", "loss % [min-max]", "%", Metric.Style.PERCENT, false, Run::lossPercent),
            new Metric<>("cpu_ns_per_datagram", "CPU ns/dgram [min-max]", "ns", Metric.Style.NUMBER_RANGE, true,
                    Run::cpuNsPerDatagram),
            new Metric<>("cpu_ns_per_byte", "CPU ns/B", "ns", Metric.Style.THREE_DECIMALS, false,
                    Run::cpuNsPerByte),
            new Metric<>("rx_cpu_percent", "rx CPU %", "%", Metric.Style.INT, false,
                    r -> r.percentOfWindow(r.after().cpuNanos() - r.before().cpuNanos())),
            new Metric<>("tx_cpu_percent", "tx CPU %", "%", Metric.Style.INT, false,
                    r -> r.percentOfWindow(r.sent().cpuNanos())),
            new Metric<>("calls_per_datagram", "calls/dgram", "", Metric.Style.THREE_DECIMALS, false,
                    r -> r.perDatagram(r.before().calls(), r.after().calls())),
            new Metric<>("cqe_batch", "CQE batch", "", Metric.Style.ONE_DECIMAL, false, Run::cqeBatch),
            new Metric<>("latency_p50_us", "lat p50 us", "us", Metric.Style.INT, false, r -> r.latencyMicros(0.50)),
            new Metric<>("latency_p99_us", "lat p99 us", "us", Metric.Style.INT, false, r -> r.latencyMicros(0.99)));

    /** A metric of {@link #METRICS} by key. */
    public static Metric<Run> metric(String key) {
        return METRICS.stream().filter(m -> m.key().equals(key)).findFirst().orElseThrow();
    }

    private final SenderProcess sender;
    private final boolean gso;
    private final int receiverCpu;
    private final double seconds;
    private final double warmupSeconds;
    private final int runs;
    private final int flows;

    /**
     * @param sender the load generator process
     * @param gso use UDP GSO for the load (else sendmmsg)
     * @param receiverCpu CPU to pin receivers to, or -1
     * @param seconds measured seconds per run
     * @param warmupSeconds load before the first run of each row (later runs follow a run at the
     *     same load, which warms as well)
     * @param runs runs per row
     * @param flows source sockets the sender rotates over, 1..{@link LoadSender#MAX_FLOWS}
     */
    public RawBench(SenderProcess sender, boolean gso, int receiverCpu, double seconds, double warmupSeconds,
                    int runs, int flows) {
        if (flows < 1 || flows > LoadSender.MAX_FLOWS) {
            throw new IllegalArgumentException("flows must be 1.." + LoadSender.MAX_FLOWS + ", got " + flows);
        }
        this.flows = flows;
        this.sender = sender;
        this.gso = gso;
        this.receiverCpu = receiverCpu;
        this.seconds = seconds;
        this.warmupSeconds = warmupSeconds;
        this.runs = runs;
    }

    /**
     * Measures one receiver kind at one size over the loads (ascending; 0 = max), a row per load.
     *
     * @param progress told "load L run i/n" before each run
     */
    public List<Row> measure(Receiver.Kind kind, int size, List<Long> loads, Consumer<String> progress)
            throws IOException, InterruptedException {
        List<Row> rows = new ArrayList<>();
        String cause = kind.unavailabilityCause();
        if (cause != null) {
            for (long load : loads) {
                rows.add(empty(kind.name(), size, load, "unavailable: " + cause));
            }
            return rows;
        }
        try (Receiver rx = kind.open(size, receiverCpu)) {
            SenderProcess.Opened opened = sender.open(rx.address().getPort(), size, gso, flows);
            for (long load : loads) {
                List<Run> done = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    progress.accept(String.format("%s %d B %s run %d/%d", kind.name(), size, loadLabel(load), r + 1,
                            runs));
                    done.add(runOnce(rx, size, load, r == 0, seconds));
                }
                rows.add(summarise(kind.name(), size, load, opened, done, rx.detail()));
            }
        }
        return rows;
    }

    /**
     * The zero-loss search for one receiver at one size: a warm-up at the sender's maximum, then
     * the trials of {@code search}, each a paced load of {@link ZeroLoss#trialSeconds()}.
     */
    public ZeroLoss.Row zeroLoss(Receiver.Kind kind, int size, ZeroLoss search, Consumer<String> progress)
            throws Exception {
        String cause = kind.unavailabilityCause();
        if (cause != null) {
            return search.unavailable("raw", kind.name(), size, 0, "unavailable: " + cause);
        }
        try (Receiver rx = kind.open(size, receiverCpu)) {
            SenderProcess.Opened opened = sender.open(rx.address().getPort(), size, gso, flows);
            sender.send(0, (long) (warmupSeconds * 1e9));
            awaitDrained(rx);
            ZeroLoss.Row row = search.run("raw", kind.name(), size, 0, rate -> {
                progress.accept(String.format("zero-loss %s %d B at %s", kind.name(), size, loadLabel(rate)));
                Run r = runOnce(rx, size, rate, false, search.trialSeconds());
                return new ZeroLoss.Trial(r.sent().pps(), r.rxPps(), r.lossPercent(), r.cpuNsPerDatagram());
            });
            return opened.gso() ? row : row.withNote("sendmmsg without GSO: " + opened.gsoCause());
        }
    }

    private Run runOnce(Receiver rx, int size, long load, boolean warmUp, double runSeconds)
            throws IOException, InterruptedException {
        if (warmUp) {
            sender.send(load, (long) (warmupSeconds * 1e9));
            awaitDrained(rx);
        }
        Receiver.Snapshot a = rx.snapshot(true);
        SenderProcess.Sent sent = sender.send(load, (long) (runSeconds * 1e9));
        awaitDrained(rx);
        return new Run(size, sent, a, rx.snapshot(false));
    }

    /** Waits until the receiver's count has not moved for {@link #IDLE_NANOS} (at most 5 s). */
    private static void awaitDrained(Receiver rx) throws IOException, InterruptedException {
        long limit = System.nanoTime() + DRAIN_LIMIT_NANOS;
        long last = rx.receivedSoFar();
        long stableSince = System.nanoTime();
        while (System.nanoTime() - limit < 0) {
            Thread.sleep(10);
            long now = rx.receivedSoFar();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince >= IDLE_NANOS) {
                return;
            }
        }
    }

    private Row summarise(String name, int size, long load, SenderProcess.Opened opened, List<Run> done,
                          String detail) {
        String note = opened.gso() ? "" : "sendmmsg without GSO: " + opened.gsoCause();
        if (detail != null) {
            note = note.isEmpty() ? detail + " (last run)" : note + "; " + detail + " (last run)";
        }
        return new Row(name, size, load, seconds, done.size(), opened.gso(), Metric.summarise(METRICS, done), note);
    }

    private Row empty(String name, int size, long load, String note) {
        return new Row(name, size, load, seconds, 0, gso, Map.of(), note);
    }

    /** "250k", "1M", "max". */
    public static String loadLabel(long pps) {
        if (pps == 0) {
            return "max";
        }
        if (pps % 1_000_000 == 0) {
            return pps / 1_000_000 + "M";
        }
        if (pps % 1000 == 0) {
            return pps / 1000 + "k";
        }
        return Long.toString(pps);
    }

    /** Parses "250k", "1M", "max", "300000". */
    public static long parseLoad(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("max")) {
            return 0;
        }
        long mult = 1;
        if (t.endsWith("k")) {
            mult = 1000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            mult = 1_000_000;
            t = t.substring(0, t.length() - 1);
        }
        long v = (long) (Double.parseDouble(t) * mult);
        if (v <= 0) {
            throw new IllegalArgumentException("load must be > 0 or max, got " + s);
        }
        return v;
    }
}
