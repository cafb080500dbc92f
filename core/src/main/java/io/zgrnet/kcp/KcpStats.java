package io.zgrnet.kcp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link KcpCounter}s, usually shared by all control blocks of one mux. Written by the owner thread
 * only (single writer, opaque stores, no locks); readable from any thread.
 */
public final class KcpStats {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] counters = new long[KcpCounter.values().length];

    /** Adds {@code delta} to a counter (owner thread only). */
    public void add(KcpCounter counter, long delta) {
        int i = counter.ordinal();
        LONGS.setOpaque(counters, i, (long) LONGS.getOpaque(counters, i) + delta);
    }

    /** Adds one to a counter (owner thread only). */
    public void increment(KcpCounter counter) {
        add(counter, 1);
    }

    /** Current value of a counter. */
    public long get(KcpCounter counter) {
        return (long) LONGS.getOpaque(counters, counter.ordinal());
    }

    /** All counters by name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (KcpCounter c : KcpCounter.values()) {
            out.put(c.name(), get(c));
        }
        return out;
    }

    /** The non-zero counters. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (KcpCounter c : KcpCounter.values()) {
            long v = get(c);
            if (v != 0) {
                sb.append(sb.length() > 1 ? ", " : "").append(c.name().toLowerCase()).append('=').append(v);
            }
        }
        return sb.append('}').toString();
    }
}
