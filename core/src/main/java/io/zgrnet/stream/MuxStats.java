package io.zgrnet.stream;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link MuxCounter}s of one mux. Written by the owner thread only (single writer, opaque stores);
 * readable from any thread.
 */
public final class MuxStats {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] counters = new long[MuxCounter.values().length];

    void add(MuxCounter counter, long delta) {
        int i = counter.ordinal();
        LONGS.setOpaque(counters, i, (long) LONGS.getOpaque(counters, i) + delta);
    }

    void increment(MuxCounter counter) {
        add(counter, 1);
    }

    /** Current value of a counter. */
    public long get(MuxCounter counter) {
        return (long) LONGS.getOpaque(counters, counter.ordinal());
    }

    /** All counters by name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (MuxCounter c : MuxCounter.values()) {
            out.put(c.name(), get(c));
        }
        return out;
    }

    /** The non-zero counters. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (MuxCounter c : MuxCounter.values()) {
            long v = get(c);
            if (v != 0) {
                sb.append(sb.length() > 1 ? ", " : "").append(c.name().toLowerCase()).append('=').append(v);
            }
        }
        return sb.append('}').toString();
    }
}
