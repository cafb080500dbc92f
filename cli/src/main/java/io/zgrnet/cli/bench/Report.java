package io.zgrnet.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one {@code zgrnet bench} run measured, and its renderings: a Markdown table for
 * stdout and the JSON tree (written by the CLI's one JSON writer); {@link Html} draws the charts.
 * Columns and JSON fields come from the metric lists ({@link RawBench#METRICS},
 * {@link E2eBench#METRICS}, {@link ZeroLoss#METRICS}, {@link StreamBench#METRICS}).
 *
 * @param machine the machine line
 * @param command the command line that produced it
 * @param settings how the run was set up (durations, runs, pinning, GSO, the zero-loss search)
 * @param raw raw receive rows
 * @param e2e transport rows
 * @param zeroLoss zero-loss searches
 * @param streams reliable stream rows and their TCP comparison
 * @param notes skipped parts and why
 * @param baseline a saved run to show ratios to, or null
 */
public record Report(Machine machine, String command, String settings, List<RawBench.Row> raw,
                     List<E2eBench.Row> e2e, List<ZeroLoss.Row> zeroLoss, List<StreamBench.Row> streams,
                     List<String> notes, Baseline baseline) {
    /** The stdout table. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(machine.line()).append('\n');
        b.append("# ").append(command).append('\n');
        b.append("# ").append(settings).append('\n');
        if (baseline != null) {
            b.append("# ratios (new/old) to ").append(baseline.source()).append('\n');
        }
        String vs = baseline != null ? " vs baseline |" : "";
        String vsRule = baseline != null ? "---|" : "";
        if (!zeroLoss.isEmpty()) {
            b.append("\n## zero-loss rate (RFC 2544 throughput): the highest offered rate with loss <= ")
                    .append(ZeroLoss.LOSS_LIMIT_PERCENT).append(" %\n(raw: datagrams/s and the receiving thread's"
                    + " CPU per datagram; e2e: messages/s and the receiving transport's CPU per message, all its"
                    + " threads and the reader; bounds: the sender's maximum, and the lowest requested rate that lost in two trials in a row)\n\n");
            b.append("| kind | receiver/backend | size B | workers | trial s | trials | sender max | lowest fail |");
            ZeroLoss.METRICS.forEach(m -> b.append(' ').append(m.header()).append(" |"));
            b.append(vs).append("\n|---|---|---:|---:|---:|---:|---:|---:|");
            ZeroLoss.METRICS.forEach(m -> b.append("---:|"));
            b.append(vsRule).append('\n');
            for (ZeroLoss.Row r : zeroLoss) {
                b.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %.2f | %d | %s | %s |", r.kind(), r.name(),
                        r.size(), r.workers() == 0 ? "-" : Integer.toString(r.workers()), r.trialSeconds(),
                        r.trials().size(), Metric.rate(r.upperBoundPps()), Metric.rate(r.failPps())));
                for (Metric<ZeroLoss.Trial> m : ZeroLoss.METRICS) {
                    b.append(' ').append(r.found() == null ? "-" : m.style().format(m.take().applyAsDouble(r.found())))
                            .append(" |");
                }
                if (baseline != null) {
                    b.append(' ').append(Baseline.cell(zeroLossRatios(r))).append(" |");
                }
                b.append('\n');
            }
            notes(b, zeroLoss.stream().map(r -> new String[] {r.kind() + " " + r.name() + " " + r.size() + " B"
                    + (r.workers() > 0 ? " " + r.workers() + " worker(s)" : ""), r.note()}).toList());
        }
        if (!raw.isEmpty()) {
            b.append("\n## raw receive: datagrams from a separate sender process, loopback\n");
            b.append("(each cell: median of the runs; [min-max] where it matters; CPU = receiving thread's CPU time;"
                    + " rx/tx CPU % = receiving threads' / sending thread's CPU time over the sending window, % of one core;"
                    + " calls = receive syscalls, io_uring_enter for rings; latency = one-way from the payload's"
                    + " send stamp)\n\n");
            b.append("| receiver | size B | offered | dur s | runs |");
            RawBench.METRICS.forEach(m -> b.append(' ').append(m.header()).append(" |"));
            b.append(vs).append("\n|---|---:|---:|---:|---:|");
            RawBench.METRICS.forEach(m -> b.append("---:|"));
            b.append(vsRule).append('\n');
            for (RawBench.Row r : raw) {
                b.append(String.format(Locale.ROOT, "| %s | %d | %s |", r.receiver(), r.size(),
                        RawBench.loadLabel(r.offeredPps())));
                if (r.runs() == 0) {
                    b.append(" - | 0 | ").append(r.note()).append(" |").append(" |".repeat(RawBench.METRICS.size() - 1))
                            .append(baseline != null ? " |" : "").append('\n');
                    continue;
                }
                b.append(String.format(Locale.ROOT, " %.1f | %d |", r.durationSeconds(), r.runs()));
                for (Metric<RawBench.Run> m : RawBench.METRICS) {
                    b.append(' ').append(m.style().cell(r.get(m))).append(" |");
                }
                if (baseline != null) {
                    b.append(' ').append(Baseline.cell(rawRatios(r))).append(" |");
                }
                b.append('\n');
            }
            notes(b, raw.stream().filter(r -> r.runs() > 0).map(r -> new String[] {r.receiver() + " " + r.size() + " B "
                    + RawBench.loadLabel(r.offeredPps()), r.note()}).toList());
        }
        List<CostRatio> costs = costVsC();
        if (!costs.isEmpty()) {
            b.append("\n## receive cost against the cheaper C receiver (c-recvmmsg, c-uring-multishot) of the same size"
                    + " and load: CPU ns/dgram ratio (median rows; 1.00 = the C floor; - where either lost more than "
                    + COST_LOSS_LIMIT_PERCENT + " %: a receiver behind reads bigger, cheaper batches)\n\n");
            List<Long> loads = raw.stream().map(RawBench.Row::offeredPps).distinct().sorted((x, y) -> x == 0 ? 1
                    : y == 0 ? -1 : Long.compare(x, y)).toList();
            b.append("| receiver | size B |");
            loads.forEach(l -> b.append(' ').append(RawBench.loadLabel(l)).append(" |"));
            b.append("\n|---|---:|");
            loads.forEach(l -> b.append("---:|"));
            b.append('\n');
            List<String> seen = new ArrayList<>();
            for (CostRatio c : costs) {
                String key = c.receiver() + "|" + c.size();
                if (seen.contains(key)) {
                    continue;
                }
                seen.add(key);
                b.append("| ").append(c.receiver()).append(" | ").append(c.size()).append(" |");
                for (long l : loads) {
                    double v = costs.stream().filter(x -> x.receiver().equals(c.receiver()) && x.size() == c.size()
                            && x.offeredPps() == l).mapToDouble(CostRatio::ratio).findFirst().orElse(Double.NaN);
                    b.append(' ').append(Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v)).append(" |");
                }
                b.append('\n');
            }
        }
        if (!e2e.isEmpty()) {
            b.append("\n## e2e: two zgrnet-java transports, encrypted, loopback, one writer thread\n");
            b.append("(rx CPU = the receiving transport's threads, decrypt workers included, and the reader,"
                    + " per message delivered)\n\n");
            b.append("| backend | size B | decrypt workers | offered | dur s | runs |");
            E2eBench.METRICS.forEach(m -> b.append(' ').append(m.header()).append(" |"));
            b.append(vs).append("\n|---|---:|---:|---:|---:|---:|");
            E2eBench.METRICS.forEach(m -> b.append("---:|"));
            b.append(vsRule).append('\n');
            for (E2eBench.Row r : e2e) {
                b.append(String.format(Locale.ROOT, "| %s | %d | %d | %s |", r.backend(), r.size(), r.workers(),
                        RawBench.loadLabel(r.offeredPps())));
                if (r.runs() == 0) {
                    b.append(" - | 0 | ").append(r.note()).append(" |").append(" |".repeat(E2eBench.METRICS.size() - 1))
                            .append(baseline != null ? " |" : "").append('\n');
                    continue;
                }
                b.append(String.format(Locale.ROOT, " %.1f | %d |", r.durationSeconds(), r.runs()));
                for (Metric<E2eBench.Run> m : E2eBench.METRICS) {
                    b.append(' ').append(m.style().cell(r.get(m))).append(" |");
                }
                if (baseline != null) {
                    b.append(' ').append(Baseline.cell(e2eRatios(r))).append(" |");
                }
                b.append('\n');
            }
            notes(b, e2e.stream().filter(r -> r.runs() > 0).map(r -> new String[] {r.backend() + " " + r.size()
                    + " B " + r.workers() + " worker(s)", r.note()}).toList());
        }
        if (!streams.isEmpty()) {
            streamTable(b, vs, vsRule);
        }
        for (String n : notes) {
            b.append("\nnote: ").append(n);
        }
        if (!notes.isEmpty()) {
            b.append('\n');
        }
        return b.toString();
    }

    private void streamTable(StringBuilder b, String vs, String vsRule) {
        b.append("\n## streams: reliable streams (KCP, stream mux) between two zgrnet-java transports, encrypted,"
                + " loopback, beside TCP on loopback\n");
        b.append("(MB = 10^6 bytes delivered in order, timed from the first write to the last byte read; CPU = the whole"
                + " process's CPU time, both sides (and the forwarder), per MB and as % of one core; frames = stream"
                + " frames both transports sent, per MB; resent = KCP data segments sent again per 100 sent once;"
                + " forwarder: an in-process UDP relay on loopback dropping that"
                + " share of the transport messages both ways)\n\n");
        b.append("| transport | path | streams | loss % | MB/run | runs |");
        StreamBench.METRICS.forEach(m -> b.append(' ').append(m.header()).append(" |"));
        b.append(vs).append("\n|---|---|---:|---:|---:|---:|");
        StreamBench.METRICS.forEach(m -> b.append("---:|"));
        b.append(vsRule).append('\n');
        for (StreamBench.Row r : streams) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %d | %d |", r.transport(), r.path(), r.streams(),
                    r.lossLabel(), r.bytes() / 1_000_000, r.runs()));
            for (Metric<StreamBench.Run> m : StreamBench.METRICS) {
                b.append(' ').append(m.style().cell(r.get(m))).append(" |");
            }
            if (baseline != null) {
                b.append(' ').append(Baseline.cell(streamRatios(r))).append(" |");
            }
            b.append('\n');
        }
        notes(b, streams.stream().map(r -> new String[] {r.transport() + " " + r.path() + " " + r.streams()
                + " stream(s) " + r.lossLabel() + " % loss", r.note()}).toList());
    }

    /**
     * One receiver's CPU per datagram over the cheaper C receiver's at the same size and offered load.
     *
     * @param cReference the C receiver it is compared with
     */
    public record CostRatio(String receiver, int size, long offeredPps, double ratio, String cReference) {
    }

    /** The C references: the plain C receivers (not the GRO one, which copies nothing). */
    private static boolean cReference(String receiver) {
        return receiver.equals("c-recvmmsg") || receiver.equals("c-uring-multishot");
    }

    /**
     * Rows compared for receive cost lose at most this (median, percent): a receiver that falls
     * behind reads bigger batches, which makes each datagram cheaper and the ratio meaningless.
     */
    static final double COST_LOSS_LIMIT_PERCENT = 0.1;

    /**
     * Every measured non-C row without GRO against the cheaper C reference of its size and load
     * (GRO rows and shards answer other questions); only rows where both kept up (loss at most
     * {@link #COST_LOSS_LIMIT_PERCENT}).
     */
    public List<CostRatio> costVsC() {
        Metric<RawBench.Run> cpu = RawBench.metric("cpu_ns_per_datagram");
        Metric<RawBench.Run> loss = RawBench.metric("loss_percent");
        List<CostRatio> out = new ArrayList<>();
        for (RawBench.Row r : raw) {
            if (r.runs() == 0 || cReference(r.receiver()) || r.receiver().startsWith("c-")
                    || r.receiver().contains("-gro") || r.receiver().contains("/x")) {
                continue;
            }
            if (!(r.get(loss).median() <= COST_LOSS_LIMIT_PERCENT)) {
                continue;
            }
            RawBench.Row best = null;
            for (RawBench.Row c : raw) {
                if (c.runs() > 0 && cReference(c.receiver()) && c.size() == r.size() && c.offeredPps() == r.offeredPps()
                        && !Double.isNaN(c.get(cpu).median()) && c.get(loss).median() <= COST_LOSS_LIMIT_PERCENT
                        && (best == null || c.get(cpu).median() < best.get(cpu).median())) {
                    best = c;
                }
            }
            if (best != null && !Double.isNaN(r.get(cpu).median())) {
                out.add(new CostRatio(r.receiver(), r.size(), r.offeredPps(),
                        r.get(cpu).median() / best.get(cpu).median(), best.receiver()));
            }
        }
        return out;
    }

    private static void notes(StringBuilder b, List<String[]> rowNotes) {
        for (String[] n : rowNotes) {
            if (n[1] != null && !n[1].isEmpty()) {
                b.append("\n- ").append(n[0]).append(": ").append(n[1]);
            }
        }
        b.append('\n');
    }

    Map<Metric<RawBench.Run>, Double> rawRatios(RawBench.Row r) {
        return baseline == null ? Map.of() : baseline.ratios(Baseline.rawKey(r.receiver(), r.size(),
                Baseline.offered(r.offeredPps())), RawBench.METRICS, medians(r.values()));
    }

    Map<Metric<E2eBench.Run>, Double> e2eRatios(E2eBench.Row r) {
        return baseline == null ? Map.of() : baseline.ratios(Baseline.e2eKey(r.backend(), r.size(), r.workers(),
                Baseline.offered(r.offeredPps())), E2eBench.METRICS, medians(r.values()));
    }

    Map<Metric<StreamBench.Run>, Double> streamRatios(StreamBench.Row r) {
        return baseline == null ? Map.of() : baseline.ratios(Baseline.streamKey(r.transport(), r.path(), r.streams(),
                r.lossPercent()), StreamBench.METRICS, medians(r.values()));
    }

    Map<Metric<ZeroLoss.Trial>, Double> zeroLossRatios(ZeroLoss.Row r) {
        if (baseline == null || r.found() == null) {
            return Map.of();
        }
        Map<String, Double> now = new LinkedHashMap<>();
        ZeroLoss.METRICS.forEach(m -> now.put(m.key(), m.take().applyAsDouble(r.found())));
        return baseline.ratios(Baseline.zeroLossKey(r.kind(), r.name(), r.size(), r.workers()), ZeroLoss.METRICS,
                now);
    }

    private static Map<String, Double> medians(Map<String, Spread> values) {
        Map<String, Double> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, v.median()));
        return m;
    }

    /** The JSON tree: machine, command, settings, zero_loss[], raw[], e2e[], streams[], notes[] (see docs/benchmarks/bench.md). */
    public Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("line", machine.line());
        m.put("cpu", machine.cpu());
        m.put("cores", machine.cores());
        m.put("kernel", machine.kernel());
        m.put("jdk", machine.jdk());
        m.put("io_uring", machine.ioUring());
        m.put("aead", machine.aead());
        root.put("machine", m);
        root.put("command", command);
        root.put("settings", settings);
        root.put("baseline", baseline == null ? null : baseline.source());
        root.put("units", units());
        List<Object> z = new ArrayList<>();
        for (ZeroLoss.Row r : zeroLoss) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("kind", r.kind());
            o.put("name", r.name());
            o.put("size", r.size());
            o.put("decrypt_workers", r.workers());
            o.put("trial_s", r.trialSeconds());
            o.put("max_steps", r.steps());
            o.put("loss_limit_percent", ZeroLoss.LOSS_LIMIT_PERCENT);
            o.put("upper_bound_pps", r.upperBoundPps());
            o.put("fail_pps", r.failPps());
            for (Metric<ZeroLoss.Trial> x : ZeroLoss.METRICS) {
                o.put(x.key(), r.found() == null ? null : x.take().applyAsDouble(r.found()));
            }
            List<Object> trials = new ArrayList<>();
            for (ZeroLoss.Trial t : r.trials()) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("offered_pps", t.offeredPps());
                tm.put("delivered_pps", t.deliveredPps());
                tm.put("loss_percent", t.lossPercent());
                tm.put("cpu_ns_per_datagram", t.cpuNs());
                trials.add(tm);
            }
            o.put("trials", trials);
            o.put("note", r.note());
            putRatios(o, zeroLossRatios(r));
            z.add(o);
        }
        root.put("zero_loss", z);
        List<Object> rawRows = new ArrayList<>();
        for (RawBench.Row r : raw) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("receiver", r.receiver());
            o.put("size", r.size());
            o.put("offered_pps", r.offeredPps() == 0 ? "max" : r.offeredPps());
            o.put("duration_s", r.durationSeconds());
            o.put("runs", r.runs());
            o.put("gso", r.gso());
            putMetrics(o, RawBench.METRICS, r::get, r.note(), rawRatios(r));
            rawRows.add(o);
        }
        root.put("raw", rawRows);
        List<Object> e2eRows = new ArrayList<>();
        for (E2eBench.Row r : e2e) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("backend", r.backend());
            o.put("size", r.size());
            o.put("decrypt_workers", r.workers());
            o.put("offered_pps", r.offeredPps() == 0 ? "max" : r.offeredPps());
            o.put("duration_s", r.durationSeconds());
            o.put("runs", r.runs());
            putMetrics(o, E2eBench.METRICS, r::get, r.note(), e2eRatios(r));
            e2eRows.add(o);
        }
        root.put("e2e", e2eRows);
        List<Object> streamRows = new ArrayList<>();
        for (StreamBench.Row r : streams) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("transport", r.transport());
            o.put("path", r.path());
            o.put("streams", r.streams());
            o.put("loss_percent", r.lossPercent());
            o.put("bytes_per_run", r.bytes());
            o.put("runs", r.runs());
            putMetrics(o, StreamBench.METRICS, r::get, r.note(), streamRatios(r));
            streamRows.add(o);
        }
        root.put("streams", streamRows);
        List<Object> costs = new ArrayList<>();
        for (CostRatio c : costVsC()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("receiver", c.receiver());
            o.put("size", c.size());
            o.put("offered_pps", c.offeredPps() == 0 ? "max" : c.offeredPps());
            o.put("cpu_ratio_to_cheaper_c", c.ratio());
            o.put("c_reference", c.cReference());
            costs.add(o);
        }
        root.put("cost_vs_c", costs);
        root.put("notes", notes);
        return root;
    }

    /** Every metric's unit by section and key, for readers of the JSON. */
    private static Map<String, Object> units() {
        Map<String, Object> u = new LinkedHashMap<>();
        Map<String, String> z = new LinkedHashMap<>();
        ZeroLoss.METRICS.forEach(m -> z.put(m.key(), m.unit()));
        Map<String, String> r = new LinkedHashMap<>();
        RawBench.METRICS.forEach(m -> r.put(m.key(), m.unit()));
        Map<String, String> e = new LinkedHashMap<>();
        E2eBench.METRICS.forEach(m -> e.put(m.key(), m.unit()));
        u.put("zero_loss", z);
        u.put("raw", r);
        u.put("e2e", e);
        Map<String, String> st = new LinkedHashMap<>();
        StreamBench.METRICS.forEach(m -> st.put(m.key(), m.unit()));
        u.put("streams", st);
        return u;
    }

    /** A row's metrics (median, min, max each), its note and its ratios, after its identity in {@code o}. */
    private static <R> void putMetrics(Map<String, Object> o, List<Metric<R>> metrics,
                                       java.util.function.Function<Metric<R>, Spread> value, String note,
                                       Map<Metric<R>, Double> ratios) {
        for (Metric<R> x : metrics) {
            o.put(x.key(), spread(value.apply(x)));
        }
        o.put("note", note);
        putRatios(o, ratios);
    }

    private static <R> void putRatios(Map<String, Object> o, Map<Metric<R>, Double> ratios) {
        if (!ratios.isEmpty()) {
            Map<String, Object> v = new LinkedHashMap<>();
            ratios.forEach((k, x) -> v.put(k.key(), x));
            o.put("vs_baseline", v);
        }
    }

    private static Map<String, Object> spread(Spread s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median", s.median());
        m.put("min", s.min());
        m.put("max", s.max());
        return m;
    }
}
