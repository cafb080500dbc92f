package io.zgrnet.cli.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
     * @param senderPps what the sender achieved
     * @param rxPps datagrams received per second of the sending window
     * @param lossPercent (sent - received) / sent
     * @param cpuNsPerDatagram receiving thread's CPU time per datagram
     * @param rxCpuPercent receiving threads' CPU time over the sending window, percent of one core
     *     (includes the drain after the load; sums the threads of sharded receivers)
     * @param txCpuPercent the sending thread's CPU time over its window, percent of one core (on
     *     loopback it includes the kernel's receive-side work done in the sender's context)
     * @param callsPerDatagram receive syscalls (io_uring_enter for rings) per datagram
     * @param cqeBatch receive CQEs per reap that found CQEs (rings only, else NaN)
     * @param p50Micros one-way latency median, microseconds
     * @param p99Micros one-way latency 99th percentile, microseconds
     * @param note why the row is empty, or extra facts
     */
    public record Row(String receiver, int size, long offeredPps, double durationSeconds, int runs, boolean gso,
                      Spread senderPps, Spread rxPps, Spread lossPercent, Spread cpuNsPerDatagram,
                      Spread rxCpuPercent, Spread txCpuPercent, Spread callsPerDatagram, Spread cqeBatch, Spread p50Micros, Spread p99Micros, String note) {
    }

    /** One run's numbers. */
    private record Run(double senderPps, double rxPps, double loss, double cpuNs, double rxCpu, double txCpu,
                       double calls, double batch, double p50, double p99) {
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
                    done.add(runOnce(rx, load, r == 0));
                }
                rows.add(summarise(kind.name(), size, load, opened, done, rx.detail()));
            }
        }
        return rows;
    }

    private Run runOnce(Receiver rx, long load, boolean warmUp) throws IOException, InterruptedException {
        if (warmUp) {
            sender.send(load, (long) (warmupSeconds * 1e9));
            awaitDrained(rx);
        }
        Receiver.Snapshot a = rx.snapshot(true);
        SenderProcess.Sent sent = sender.send(load, (long) (seconds * 1e9));
        awaitDrained(rx);
        Receiver.Snapshot b = rx.snapshot(false);
        long received = b.received() - a.received();
        double cpuNs = received == 0 ? Double.NaN : (double) (b.cpuNanos() - a.cpuNanos()) / received;
        double calls = received == 0 || b.calls() < 0 ? Double.NaN : (double) (b.calls() - a.calls()) / received;
        long batches = b.cqeBatches() - a.cqeBatches();
        double batch = b.cqes() < 0 || batches <= 0 ? Double.NaN : (double) (b.cqes() - a.cqes()) / batches;
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        if (b.latency() != null && b.latency().count() > 0) {
            p50 = b.latency().quantile(0.50) / 1e3;
            p99 = b.latency().quantile(0.99) / 1e3;
        }
        double loss = sent.sent() == 0 ? Double.NaN : 100.0 * Math.max(0, sent.sent() - received) / sent.sent();
        double window = sent.elapsedNanos();
        return new Run(sent.pps(), window == 0 ? 0 : received * 1e9 / window, loss, cpuNs,
                window == 0 ? Double.NaN : 100.0 * (b.cpuNanos() - a.cpuNanos()) / window,
                window == 0 ? Double.NaN : 100.0 * sent.cpuNanos() / window, calls, batch, p50, p99);
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
        return new Row(name, size, load, seconds, done.size(), opened.gso(),
                Spread.of(done.stream().mapToDouble(Run::senderPps).toArray()),
                Spread.of(done.stream().mapToDouble(Run::rxPps).toArray()),
                Spread.of(done.stream().mapToDouble(Run::loss).toArray()),
                Spread.of(done.stream().mapToDouble(Run::cpuNs).toArray()),
                Spread.of(done.stream().mapToDouble(Run::rxCpu).toArray()),
                Spread.of(done.stream().mapToDouble(Run::txCpu).toArray()),
                Spread.of(done.stream().mapToDouble(Run::calls).toArray()),
                Spread.of(done.stream().mapToDouble(Run::batch).toArray()),
                Spread.of(done.stream().mapToDouble(Run::p50).toArray()),
                Spread.of(done.stream().mapToDouble(Run::p99).toArray()),
                note);
    }

    private Row empty(String name, int size, long load, String note) {
        Spread none = Spread.of();
        return new Row(name, size, load, seconds, 0, gso, none, none, none, none, none, none, none, none, none, none,
                note);
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
