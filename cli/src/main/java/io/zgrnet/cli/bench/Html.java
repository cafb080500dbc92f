package io.zgrnet.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** An offline HTML page for a {@link Report}: the table plus inline SVG charts, no scripts. */
public final class Html {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
        "#e377c2", "#17becf"};
    private static final int W = 600;
    private static final int H = 300;
    private static final int LEFT = 70;
    private static final int BOTTOM = 40;
    private static final int TOP = 30;
    private static final int RIGHT = 180;

    private Html() {
    }

    /** The whole page. */
    public static String write(Report r) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>zgrnet bench</title>\n<style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1200px}")
                .append("svg{margin:0.5em 1em 0.5em 0;border:1px solid #ddd}")
                .append("pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:12px}")
                .append("</style></head><body>\n<h1>zgrnet bench</h1>\n<p><b>")
                .append(esc(r.machine().line())).append("</b></p>\n<p><code>").append(esc(r.command()))
                .append("</code><br>").append(esc(r.settings())).append("</p>\n");
        List<ZeroLoss.Row> found = r.zeroLoss().stream().filter(x -> x.found() != null).toList();
        if (!found.isEmpty()) {
            b.append("<h2>zero-loss rate (loss &lt;= ").append(ZeroLoss.LOSS_LIMIT_PERCENT).append(" %)</h2>\n<div>");
            Set<String> groups = new LinkedHashSet<>();
            found.forEach(x -> groups.add(x.kind() + " " + x.size()));
            for (String g : groups) {
                List<String> labels = new ArrayList<>();
                List<Double> rates = new ArrayList<>();
                List<Double> cpu = new ArrayList<>();
                for (ZeroLoss.Row x : found) {
                    if (g.equals(x.kind() + " " + x.size())) {
                        labels.add(x.name() + (x.workers() > 0 ? " w" + x.workers() : ""));
                        rates.add(x.found().offeredPps());
                        cpu.add(x.found().cpuNs());
                    }
                }
                b.append(bars(g + " B: zero-loss rate (" + (g.startsWith("e2e") ? "msgs/s" : "pps") + ")", labels,
                        rates));
                b.append(bars(g + " B: CPU ns per " + (g.startsWith("e2e") ? "message" : "datagram")
                        + " at that rate", labels, cpu));
            }
            b.append("</div>\n");
        }
        Set<Integer> sizes = new LinkedHashSet<>();
        r.raw().forEach(x -> sizes.add(x.size()));
        for (int size : sizes) {
            List<RawBench.Row> rows = r.raw().stream().filter(x -> x.size() == size && x.runs() > 0).toList();
            if (rows.isEmpty()) {
                continue;
            }
            b.append("<h2>raw receive, ").append(size).append(" B datagrams</h2>\n<div>");
            // pps and CPU span 10x and more once GRO rows are in: those charts go logarithmic then.
            b.append(chart("received pps vs offered load (" + size + " B)", rows, x -> x.get(RawBench.metric("rx_pps")).median(), "pps", true));
            b.append(chart("receiver CPU ns/datagram vs offered load (" + size + " B)", rows,
                    x -> x.get(RawBench.metric("cpu_ns_per_datagram")).median(), "ns", true));
            b.append(chart("loss % vs offered load (" + size + " B)", rows, x -> x.get(RawBench.metric("loss_percent")).median(), "%",
                    false));
            b.append(chart("latency p99 us vs offered load (" + size + " B)", rows, x -> x.get(RawBench.metric("latency_p99_us")).median(), "us",
                    false));
            b.append("</div>\n");
        }
        List<E2eBench.Row> e2e = r.e2e().stream().filter(x -> x.runs() > 0).toList();
        if (!e2e.isEmpty()) {
            b.append("<h2>e2e: encrypted transports</h2>\n<div>");
            Set<Integer> esizes = new LinkedHashSet<>();
            e2e.forEach(x -> esizes.add(x.size()));
            for (int size : esizes) {
                List<String> labels = new ArrayList<>();
                List<Double> values = new ArrayList<>();
                for (E2eBench.Row x : e2e) {
                    if (x.size() == size) {
                        labels.add(x.backend() + " w" + x.workers());
                        values.add(x.get(E2eBench.METRICS.stream().filter(m -> m.key().equals(size >= 512
                                ? "mb_per_s" : "pps")).findFirst().orElseThrow()).median());
                    }
                }
                b.append(bars("e2e " + size + " B: " + (size >= 512 ? "MB/s" : "messages/s"), labels, values));
            }
            b.append("</div>\n");
        }
        List<StreamBench.Row> streams = r.streams().stream().filter(x -> x.runs() > 0).toList();
        if (!streams.isEmpty()) {
            b.append("<h2>streams: zgrnet reliable streams and TCP, loopback</h2>\n<div>");
            List<String> labels = streams.stream().map(x -> x.transport().replaceAll(" \\(.*\\)", "") + " x"
                    + x.streams() + " " + x.lossLabel() + "%" + (x.path().equals("direct") ? "" : " fwd")).toList();
            b.append(bars("goodput (MB/s)", labels, streams.stream().map(x -> x.get(StreamBench.METRICS.get(0))
                    .median()).toList()));
            b.append(bars("process CPU per MB (ms)", labels, streams.stream().map(x -> x.get(StreamBench.METRICS
                    .get(1)).median()).toList()));
            b.append("</div>\n");
        }
        b.append("<h2>table</h2>\n<pre>").append(esc(r.table())).append("</pre>\n</body></html>\n");
        return b.toString();
    }

    /**
     * A line chart: x = offered load (categorical, in order), one line per receiver.
     *
     * @param logWhenWide use a log scale when the values span more than {@link Scale#LOG_RATIO}
     */
    static String chart(String title, List<RawBench.Row> rows, ToDoubleFunction<RawBench.Row> y, String unit,
                        boolean logWhenWide) {
        List<Long> loads = new ArrayList<>();
        Map<String, Map<Long, Double>> series = new LinkedHashMap<>();
        double max = 0;
        double minPositive = Double.MAX_VALUE;
        for (RawBench.Row x : rows) {
            if (!loads.contains(x.offeredPps())) {
                loads.add(x.offeredPps());
            }
            double v = y.applyAsDouble(x);
            if (!Double.isNaN(v)) {
                series.computeIfAbsent(x.receiver(), k -> new LinkedHashMap<>()).put(x.offeredPps(), v);
                max = Math.max(max, v);
                if (v > 0) {
                    minPositive = Math.min(minPositive, v);
                }
            }
        }
        loads.sort((a, c) -> a == 0 ? 1 : c == 0 ? -1 : Long.compare(a, c));
        Scale scale = Scale.of(minPositive, max, logWhenWide);
        StringBuilder b = frame(scale.log() ? title + ", log scale" : title, scale, unit);
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        for (int i = 0; i < loads.size(); i++) {
            int x = LEFT + (loads.size() == 1 ? pw / 2 : i * pw / (loads.size() - 1));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>", x,
                    H - BOTTOM + 16, RawBench.loadLabel(loads.get(i))));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">offered load (pps)</text>",
                LEFT + pw / 2, H - 6));
        int s = 0;
        for (Map.Entry<String, Map<Long, Double>> e : series.entrySet()) {
            String color = COLORS[s % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < loads.size(); i++) {
                Double v = e.getValue().get(loads.get(i));
                if (v == null) {
                    continue;
                }
                int x = LEFT + (loads.size() == 1 ? pw / 2 : i * pw / (loads.size() - 1));
                int yy = TOP + ph - (int) Math.round(scale.fraction(v) * ph);
                pts.append(x).append(',').append(yy).append(' ');
                b.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"><title>%s %s: %s</title></circle>",
                        x, yy, color, esc(e.getKey()), RawBench.loadLabel(loads.get(i)), fmt(v)));
            }
            b.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(color).append("\" points=\"")
                    .append(pts.toString().trim()).append("\"/>");
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>", W - RIGHT + 10, TOP + s * 16, color, W - RIGHT + 24,
                    TOP + s * 16 + 9, esc(e.getKey())));
            s++;
        }
        return b.append("</svg>\n").toString();
    }

    /** A bar chart of labelled values. */
    static String bars(String title, List<String> labels, List<Double> values) {
        double max = values.stream().filter(v -> !Double.isNaN(v)).mapToDouble(Double::doubleValue).max().orElse(0);
        Scale scale = Scale.of(0, max, false);
        double top = scale.hi();
        StringBuilder b = frame(title, scale, "");
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        int n = Math.max(1, labels.size());
        int slot = pw / n;
        for (int i = 0; i < labels.size(); i++) {
            double v = values.get(i);
            int h = Double.isNaN(v) || top == 0 ? 0 : (int) Math.round(v / top * ph);
            int x = LEFT + i * slot + slot / 6;
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                    + "<title>%s: %s</title></rect>", x, TOP + ph - h, slot * 2 / 3, h, COLORS[i % COLORS.length],
                    esc(labels.get(i)), fmt(v)));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">%s</text>",
                    x + slot / 3, H - BOTTOM + 14, esc(labels.get(i))));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">%s</text>",
                    x + slot / 3, TOP + ph - h - 3, fmt(v)));
        }
        return b.append("</svg>\n").toString();
    }

    /**
     * A y axis: linear from 0 to a round top, or, for values spanning more than {@link #LOG_RATIO},
     * logarithmic between the decades around them.
     */
    record Scale(boolean log, double lo, double hi) {
        /** max / min beyond which a chart that allows it goes logarithmic. */
        static final double LOG_RATIO = 20;

        static Scale of(double minPositive, double max, boolean allowLog) {
            if (allowLog && minPositive > 0 && max / minPositive > LOG_RATIO) {
                return new Scale(true, Math.pow(10, Math.floor(Math.log10(minPositive))),
                        Math.pow(10, Math.ceil(Math.log10(max))));
            }
            return new Scale(false, 0, niceCeil(max));
        }

        /** Where {@code v} sits, 0 (bottom) to 1 (top); values at or below a log axis' floor sit on it. */
        double fraction(double v) {
            if (log) {
                return v <= lo ? 0 : (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
            }
            return hi == 0 ? 0 : v / hi;
        }

        /** Grid values: every decade on a log axis, quarters on a linear one. */
        List<Double> ticks() {
            List<Double> t = new ArrayList<>();
            if (log) {
                for (double d = lo; d <= hi * 1.0001; d *= 10) {
                    t.add(d);
                }
            } else {
                for (int i = 0; i <= 4; i++) {
                    t.add(hi * i / 4);
                }
            }
            return t;
        }
    }

    private static StringBuilder frame(String title, Scale scale, String unit) {
        StringBuilder b = new StringBuilder();
        int ph = H - TOP - BOTTOM;
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">", W, H));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">%s</text>",
                LEFT, esc(title)));
        List<Double> ticks = scale.ticks();
        for (int i = 0; i < ticks.size(); i++) {
            int y = TOP + ph - (int) Math.round(scale.fraction(ticks.get(i)) * ph);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>", LEFT, y,
                    W - RIGHT, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s%s</text>", LEFT - 4,
                    y + 4, fmt(ticks.get(i)), i == ticks.size() - 1 ? " " + unit : ""));
        }
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", LEFT,
                TOP + ph, W - RIGHT, TOP + ph));
        return b;
    }

    private static double niceCeil(double v) {
        if (v <= 0 || Double.isNaN(v)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (v >= 1e6) {
            double m = v / 1e6;
            return m == Math.rint(m) ? String.format(Locale.ROOT, "%.0fM", m) : String.format(Locale.ROOT, "%.2fM", m);
        }
        if (v >= 1e4) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
