package io.zgrnet.relay;

import io.zgrnet.PeerKey;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-source packet rate limit for everything that makes this node send on someone's behalf
 * (forwards, pongs), as a GCRA (a token bucket kept as one "theoretical arrival time" per source):
 * {@code ratePerSecond} packets a second on average, bursts of up to {@code burst} packets.
 * The source is the authenticated neighbour the datagram came from, never a key inside it.
 *
 * <p>Owner thread only (the relay engine's). Time comes from the caller (an injectable clock), in
 * nanoseconds, compared wrap-safely. Bounded: past {@code maxSources} tracked neighbours the table
 * starts over, which at worst grants each a fresh burst. A new neighbour costs one small object;
 * a known one costs a hash lookup and no allocation.
 */
final class RateLimiter {
    private static final long NS_PER_SECOND = 1_000_000_000L;

    private static final class Cell {
        long tatNs;
    }

    private final long intervalNs;
    private final long toleranceNs;
    private final int maxSources;
    private final Map<PeerKey, Cell> cells = new HashMap<>();

    /** A limiter of {@code ratePerSecond} (0: unlimited) with bursts of {@code burst} packets. */
    RateLimiter(long ratePerSecond, int burst, int maxSources) {
        this.intervalNs = ratePerSecond == 0 ? 0 : Math.max(1, NS_PER_SECOND / ratePerSecond);
        this.toleranceNs = (long) (burst - 1) * intervalNs;
        this.maxSources = maxSources;
    }

    /** True if one more packet from {@code source} may go out at {@code nowNs}. */
    boolean allow(PeerKey source, long nowNs) {
        if (intervalNs == 0) {
            return true;
        }
        Cell c = cells.get(source);
        if (c == null) {
            if (cells.size() >= maxSources) {
                cells.clear();
            }
            c = new Cell();
            c.tatNs = nowNs;
            cells.put(source, c);
        }
        long tat = c.tatNs - nowNs < 0 ? nowNs : c.tatNs; // idle source: its credit is full again
        if (tat - nowNs > toleranceNs) {
            return false;
        }
        c.tatNs = tat + intervalNs;
        return true;
    }

    /** Sources currently tracked. */
    int trackedSources() {
        return cells.size();
    }
}
