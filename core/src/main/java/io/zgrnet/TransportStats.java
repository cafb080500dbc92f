package io.zgrnet;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The transport's counters, live. Incremented from any thread without a lock (striped adders, so a
 * flood of forged packets across workers does not contend on one cache line); read one at a time
 * with {@link #get}, or all at once as an immutable {@link #snapshot()}.
 */
public final class TransportStats {
    private final LongAdder[] counters = new LongAdder[TransportCounter.idLimit()];

    TransportStats() {
        for (TransportCounter c : TransportCounter.values()) {
            counters[c.id()] = new LongAdder();
        }
    }

    void increment(TransportCounter c) {
        counters[c.id()].increment();
    }

    void add(TransportCounter c, long n) {
        counters[c.id()].add(n);
    }

    /** The current value of one counter. */
    public long get(TransportCounter c) {
        return counters[c.id()].sum();
    }

    /** All counters now, immutable. */
    public Map<TransportCounter, Long> snapshot() {
        Map<TransportCounter, Long> out = new EnumMap<>(TransportCounter.class);
        for (TransportCounter c : TransportCounter.values()) {
            out.put(c, get(c));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** All counters now by their stable {@link TransportCounter#key()}, in id order: for exports. */
    public Map<String, Long> snapshotByKey() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int id = 0; id < counters.length; id++) {
            TransportCounter c = TransportCounter.byId(id);
            if (c != null) {
                out.put(c.key(), get(c));
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** Only the non-zero counters, by key. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Long> e : snapshotByKey().entrySet()) {
            if (e.getValue() != 0) {
                sb.append(sb.length() > 1 ? ", " : "").append(e.getKey()).append('=').append(e.getValue());
            }
        }
        return sb.append('}').toString();
    }
}
