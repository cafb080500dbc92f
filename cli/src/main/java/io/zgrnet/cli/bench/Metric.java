package io.zgrnet.cli.bench;

import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * One measured quantity of a benchmark row: its JSON key, its table column, its unit, how one run
 * yields it, how it is printed and whether a baseline comparison shows its ratio. Each benchmark
 * keeps one list of these ({@link RawBench#METRICS}, {@link E2eBench#METRICS},
 * {@link ZeroLoss#METRICS}); the table, the JSON, the HTML and {@code --baseline} iterate that list,
 * so a new metric is one line there.
 *
 * @param key JSON key, e.g. "rx_pps"
 * @param header table column, e.g. "rx pps"
 * @param unit unit for charts and the JSON's legend, e.g. "pps", "ns", "%"
 * @param style how a value is printed
 * @param compared whether {@code --baseline} shows this metric's ratio to the saved run
 * @param take how one run (of type R) yields the value; NaN when it did not measure it
 * @param <R> what one run of the benchmark records
 */
public record Metric<R>(String key, String header, String unit, Style style, boolean compared,
                        ToDoubleFunction<R> take) {
    /** How values print: rates in k/M, percentages with two decimals, plain numbers with some decimals. */
    public enum Style {
        /** 1.55M, 250k; with [min-max]. */
        RATE,
        /** 1.55M, 250k; the median only. */
        RATE_MEDIAN,
        /** 0.00 [0.00-6.98]. */
        PERCENT,
        /** 551 [539-568], or 98.8 [81.6-103.3] below 100. */
        NUMBER_RANGE,
        /** The median only, no decimals. */
        INT,
        /** The median only, one decimal. */
        ONE_DECIMAL,
        /** The median only, three decimals. */
        THREE_DECIMALS;

        /** One value. */
        public String format(double v) {
            if (Double.isNaN(v)) {
                return "-";
            }
            return switch (this) {
                case RATE, RATE_MEDIAN -> rate(v);
                case PERCENT -> String.format(Locale.ROOT, "%.2f", v);
                case NUMBER_RANGE -> String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
                case INT -> String.format(Locale.ROOT, "%.0f", v);
                case ONE_DECIMAL -> String.format(Locale.ROOT, "%.1f", v);
                case THREE_DECIMALS -> String.format(Locale.ROOT, "%.3f", v);
            };
        }

        /** A table cell: the median, and [min-max] for the ranged styles. */
        public String cell(Spread s) {
            if (Double.isNaN(s.median())) {
                return "-";
            }
            return switch (this) {
                case RATE, PERCENT -> format(s.median()) + " [" + format(s.min()) + "-" + format(s.max()) + "]";
                case NUMBER_RANGE -> {
                    String f = s.median() >= 100 ? "%.0f" : "%.1f";
                    yield String.format(Locale.ROOT, f + " [" + f + "-" + f + "]", s.median(), s.min(), s.max());
                }
                default -> format(s.median());
            };
        }
    }

    /** The median and range of every metric over {@code runs}, by key, in the metrics' order. */
    public static <R> java.util.Map<String, Spread> summarise(java.util.List<Metric<R>> metrics,
                                                              java.util.List<R> runs) {
        java.util.Map<String, Spread> out = new java.util.LinkedHashMap<>();
        for (Metric<R> m : metrics) {
            out.put(m.key(), Spread.of(runs.stream().mapToDouble(m.take()).toArray()));
        }
        return out;
    }

    /** "250k", "1.55M", "812". */
    public static String rate(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
