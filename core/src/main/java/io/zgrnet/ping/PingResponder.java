package io.zgrnet.ping;

import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;

/**
 * Answers a PING as zgrnet's Go node does (services.md §5): reads the first 12 bytes (shorter is
 * refused, longer is fine), and builds a PONG with the same id, the same timestamp and this node's
 * {@link NodeMetrics}. Who gets the PONG (the peer the PING came from, over the same session) and
 * whether to answer at all is the caller's decision.
 *
 * <p>Thread-safe: the metrics are one volatile reference, replaced (never mutated) by
 * {@link #metrics(NodeMetrics)}; {@link #answer} allocates nothing.
 */
public final class PingResponder {
    private volatile NodeMetrics metrics;

    /** A responder reporting {@code metrics}. */
    public PingResponder(NodeMetrics metrics) {
        this.metrics = requireMetrics(metrics);
    }

    /** The metrics the next PONG carries. */
    public NodeMetrics metrics() {
        return metrics;
    }

    /** Replaces the metrics reported from now on (any thread). */
    public void metrics(NodeMetrics metrics) {
        this.metrics = requireMetrics(metrics);
    }

    /**
     * Writes the PONG for the PING body {@code ping[off, off+len)} at {@code out[outOff]}. The
     * caller guarantees {@link Pong#LENGTH} bytes of room.
     *
     * @return {@link Pong#LENGTH}, or {@link WireResult#TOO_SHORT} (nothing written)
     */
    public int answer(MemorySegment ping, long off, int len, MemorySegment out, long outOff) {
        if (Ping.validate(ping, off, len) != WireResult.OK) {
            return WireResult.TOO_SHORT;
        }
        // Read both fields before writing: out may be the very bytes of the PING (in place).
        int id = Ping.id(ping, off);
        long timestamp = Ping.timestamp(ping, off);
        return Pong.write(out, outOff, id, timestamp, metrics);
    }

    private static NodeMetrics requireMetrics(NodeMetrics m) {
        if (m == null) {
            throw new IllegalArgumentException("metrics: must not be null (use NodeMetrics.ZERO)");
        }
        return m;
    }
}
