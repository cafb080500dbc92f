package io.zgrnet.cli.bench;

/**
 * Log-linear histogram of non-negative nanosecond values: 32 sub-buckets per power of two (about
 * 3% resolution), fixed size, no allocation when recording. One writer thread; read after a
 * happens-before edge (the harness hands it over through a volatile field).
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = (64 - SUB_BITS) * SUB + SUB;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long negative;

    /** Records one value; negative values (clock skew) are counted apart. */
    public void record(long nanos) {
        if (nanos < 0) {
            negative++;
            return;
        }
        counts[index(nanos)]++;
        total++;
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v); // >= SUB_BITS
        int shift = exp - SUB_BITS;
        return (shift + 1) * SUB + (int) ((v >>> shift) & (SUB - 1));
    }

    /** The smallest value of a bucket's range. */
    static long lowest(int index) {
        if (index < SUB) {
            return index;
        }
        int shift = index / SUB - 1;
        long mantissa = SUB | (index % SUB);
        return mantissa << shift;
    }

    /** Adds another histogram's counts to this one. */
    public void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        negative += other.negative;
    }

    /** Clears all counts. */
    public void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        negative = 0;
    }

    /** Values recorded (excluding negative ones). */
    public long count() {
        return total;
    }

    /** Negative values seen. */
    public long negative() {
        return negative;
    }

    /** The value at quantile {@code q} (0..1), bucket midpoint, or -1 when empty. */
    public long quantile(double q) {
        if (total == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                long lo = lowest(i);
                long hi = i + 1 < BUCKETS ? lowest(i + 1) : lo;
                return lo + (hi - lo) / 2;
            }
        }
        return lowest(BUCKETS - 1);
    }
}
