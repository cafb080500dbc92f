package io.zgrnet.relay;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The {@link RelayCounter}s. Incremented by the engine's owner thread (atomic adds, so a second
 * caller such as {@link RelayEngine#verifyRelayedSource} on another thread loses nothing), read
 * from any thread.
 */
public final class RelayStats {
    private static final RelayCounter[] COUNTERS = RelayCounter.values();
    private final AtomicLongArray values = new AtomicLongArray(COUNTERS.length);

    RelayStats() {
    }

    void increment(RelayCounter c) {
        values.getAndIncrement(c.ordinal());
    }

    /** The current value of one counter. */
    public long get(RelayCounter c) {
        return values.get(c.ordinal());
    }

    /** All counters. */
    public Map<RelayCounter, Long> snapshot() {
        Map<RelayCounter, Long> out = new EnumMap<>(RelayCounter.class);
        for (RelayCounter c : COUNTERS) {
            out.put(c, get(c));
        }
        return out;
    }

    /** Only the non-zero counters. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (RelayCounter c : COUNTERS) {
            long v = get(c);
            if (v != 0) {
                sb.append(sb.length() > 1 ? ", " : "").append(c.name().toLowerCase()).append('=').append(v);
            }
        }
        return sb.append('}').toString();
    }
}
