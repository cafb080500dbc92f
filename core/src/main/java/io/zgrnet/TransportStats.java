package io.zgrnet;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The transport's counters. Incremented from any thread without a lock (striped adders, so a
 * flood of forged packets across workers does not contend on one cache line); read as snapshots.
 */
public final class TransportStats {
    private final LongAdder[] counters = new LongAdder[TransportCounter.values().length];

    TransportStats() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new LongAdder();
        }
    }

    void increment(TransportCounter c) {
        counters[c.ordinal()].increment();
    }

    void add(TransportCounter c, long n) {
        counters[c.ordinal()].add(n);
    }

    /** The current value of one counter. */
    public long get(TransportCounter c) {
        return counters[c.ordinal()].sum();
    }

    /** All counters. */
    public Map<TransportCounter, Long> snapshot() {
        Map<TransportCounter, Long> out = new EnumMap<>(TransportCounter.class);
        for (TransportCounter c : TransportCounter.values()) {
            out.put(c, get(c));
        }
        return out;
    }

    /** Only the non-zero counters, by label. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (TransportCounter c : TransportCounter.values()) {
            long v = get(c);
            if (v != 0) {
                sb.append(sb.length() > 1 ? ", " : "").append(c.name().toLowerCase()).append('=').append(v);
            }
        }
        return sb.append('}').toString();
    }
}
