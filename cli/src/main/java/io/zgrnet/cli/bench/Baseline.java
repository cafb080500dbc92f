package io.zgrnet.cli.bench;

import io.zgrnet.cli.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A saved {@code zgrnet bench --json} run to compare with ({@code --baseline OLD.json}): each row
 * of the new run is matched to the old row of the same identity (raw: receiver, size, offered
 * load; e2e: backend, size, decrypt workers, offered rate; zero-loss: kind, name, size, workers;
 * streams: transport, path, streams, loss)
 * and every {@linkplain Metric#compared() compared} metric shows new / old. Older files without a
 * section or a metric simply have no ratio there.
 */
public final class Baseline {
    private final String source;
    /** Row identity to metric key to the old median (or value). */
    private final Map<String, Map<String, Double>> rows;

    private Baseline(String source, Map<String, Map<String, Double>> rows) {
        this.source = source;
        this.rows = rows;
    }

    /**
     * Reads a bench JSON file.
     *
     * @throws IOException when it cannot be read or is not a bench report
     */
    public static Baseline load(Path file) throws IOException {
        Object root;
        try {
            root = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> top) || !(top.get("raw") instanceof List<?>)) {
            throw new IOException(file + ": not a zgrnet bench JSON report (no \"raw\" list)");
        }
        Map<String, Map<String, Double>> rows = new HashMap<>();
        for (Object o : list(top.get("raw"))) {
            if (o instanceof Map<?, ?> r) {
                rows.put(rawKey(str(r.get("receiver")), num(r.get("size")), offered(r.get("offered_pps"))), values(r));
            }
        }
        for (Object o : list(top.get("e2e"))) {
            if (o instanceof Map<?, ?> r) {
                rows.put(e2eKey(str(r.get("backend")), num(r.get("size")), num(r.get("decrypt_workers")),
                        offered(r.get("offered_pps"))), values(r));
            }
        }
        for (Object o : list(top.get("streams"))) {
            if (o instanceof Map<?, ?> r) {
                rows.put(streamKey(str(r.get("transport")), str(r.get("path")), num(r.get("streams")),
                        r.get("loss_percent") instanceof Double d ? d : 0), values(r));
            }
        }
        for (Object o : list(top.get("zero_loss"))) {
            if (o instanceof Map<?, ?> r) {
                rows.put(zeroLossKey(str(r.get("kind")), str(r.get("name")), num(r.get("size")),
                        num(r.get("decrypt_workers"))), values(r));
            }
        }
        String command = top.get("command") instanceof String c ? c : "";
        String cpu = top.get("machine") instanceof Map<?, ?> m && m.get("cpu") instanceof String c ? c : "";
        return new Baseline(file + (command.isEmpty() ? "" : " (" + command + (cpu.isEmpty() ? "" : ", on " + cpu)
                + ")"), rows);
    }

    /** The file and the command that made it. */
    public String source() {
        return source;
    }

    static String rawKey(String receiver, long size, String offered) {
        return "raw|" + receiver + "|" + size + "|" + offered;
    }

    static String e2eKey(String backend, long size, long workers, String offered) {
        return "e2e|" + backend + "|" + size + "|" + workers + "|" + offered;
    }

    static String streamKey(String transport, String path, long streams, double lossPercent) {
        return "streams|" + transport + "|" + path + "|" + streams + "|" + lossPercent;
    }

    static String zeroLossKey(String kind, String name, long size, long workers) {
        return "zero|" + kind + "|" + name + "|" + size + "|" + workers;
    }

    /** The offered load as the JSON writes it: "max" or the number. */
    static String offered(long pps) {
        return pps == 0 ? "max" : Long.toString(pps);
    }

    private static String offered(Object o) {
        return o instanceof Double d ? Long.toString(d.longValue()) : String.valueOf(o);
    }

    /**
     * new / old for each compared metric of {@code metrics} whose values both runs have, by metric;
     * empty when the baseline has no such row.
     *
     * @param now the new row's value of a metric (median), by key
     */
    public <R> Map<Metric<R>, Double> ratios(String rowKey, List<Metric<R>> metrics, Map<String, Double> now) {
        Map<String, Double> old = rows.get(rowKey);
        Map<Metric<R>, Double> out = new java.util.LinkedHashMap<>();
        if (old == null) {
            return out;
        }
        for (Metric<R> m : metrics) {
            Double o = old.get(m.key());
            Double n = now.get(m.key());
            if (m.compared() && o != null && n != null && o != 0 && !o.isNaN() && !n.isNaN()) {
                out.put(m, n / o);
            }
        }
        return out;
    }

    /** "rx pps x1.02, CPU ns/dgram x0.95", or "-" when nothing compares. */
    public static <R> String cell(Map<Metric<R>, Double> ratios) {
        if (ratios.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        for (Map.Entry<Metric<R>, Double> e : ratios.entrySet()) {
            b.append(b.isEmpty() ? "" : ", ").append(shortName(e.getKey()))
                    .append(String.format(Locale.ROOT, " x%.2f", e.getValue()));
        }
        return b.toString();
    }

    /** A metric's header without its "[min-max]". */
    static String shortName(Metric<?> m) {
        return m.header().replace(" [min-max]", "");
    }

    private static Map<String, Double> values(Map<?, ?> row) {
        Map<String, Double> v = new HashMap<>();
        for (Map.Entry<?, ?> e : row.entrySet()) {
            Object x = e.getValue();
            if (x instanceof Map<?, ?> spread && spread.get("median") instanceof Double d) {
                v.put(String.valueOf(e.getKey()), d);
            } else if (x instanceof Double d) {
                v.put(String.valueOf(e.getKey()), d);
            }
        }
        return v;
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static String str(Object o) {
        return o == null ? "" : o.toString();
    }

    private static long num(Object o) {
        return o instanceof Double d ? d.longValue() : 0;
    }
}
