package io.zgrnet.cli.bench;

import java.util.Arrays;

/**
 * Median and range of one metric over the runs of a row; NaN when no run measured it.
 *
 * @param median the median (mean of the middle two for an even count)
 * @param min the smallest run
 * @param max the largest run
 */
public record Spread(double median, double min, double max) {
    /** Summarises {@code values}, ignoring NaN. */
    public static Spread of(double... values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return new Spread(Double.NaN, Double.NaN, Double.NaN);
        }
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Spread(median, v[0], v[n - 1]);
    }
}
