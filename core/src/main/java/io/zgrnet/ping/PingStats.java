package io.zgrnet.ping;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The {@link PingCounter}s. Written under the tracker's monitor, read from any thread (opaque
 * reads: each value is current or slightly stale, never torn).
 */
public final class PingStats {
    private static final PingCounter[] COUNTERS = PingCounter.values();
    private final AtomicLongArray values = new AtomicLongArray(COUNTERS.length);

    PingStats() {
    }

    void increment(PingCounter c) {
        values.getAndIncrement(c.ordinal());
    }

    /** The current value of one counter. */
    public long get(PingCounter c) {
        return values.getOpaque(c.ordinal());
    }

    /** All counters. */
    public Map<PingCounter, Long> snapshot() {
        Map<PingCounter, Long> out = new EnumMap<>(PingCounter.class);
        for (PingCounter c : COUNTERS) {
            out.put(c, get(c));
        }
        return out;
    }

    /** Only the non-zero counters. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (PingCounter c : COUNTERS) {
            long v = get(c);
            if (v != 0) {
                sb.append(sb.length() > 1 ? ", " : "").append(c.name().toLowerCase()).append('=').append(v);
            }
        }
        return sb.append('}').toString();
    }
}
