package io.zgrnet;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Token buckets of handshakes per source IP address (protocol.md hardening 2). Control agent only.
 * Bounded: when it tracks too many addresses it starts over, which at worst lets a burst through.
 */
final class HandshakeRateLimiter {
    /** Handshakes a source may send at once. */
    static final int BURST = 10;
    /** Refill: one handshake per this many nanoseconds (5 per second). */
    static final long REFILL_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int MAX_SOURCES = 16_384;

    private static final class Bucket {
        long tokens;
        long lastNs;
    }

    private final Map<InetAddress, Bucket> buckets = new HashMap<>();

    /** True if a handshake from {@code source} may be processed now. */
    boolean allow(InetAddress source, long nowNs) {
        Bucket b = buckets.get(source);
        if (b == null) {
            if (buckets.size() >= MAX_SOURCES) {
                buckets.clear();
            }
            b = new Bucket();
            b.tokens = BURST;
            b.lastNs = nowNs;
            buckets.put(source, b);
        }
        long refill = (nowNs - b.lastNs) / REFILL_NS;
        if (refill > 0) {
            b.tokens = Math.min(BURST, b.tokens + refill);
            b.lastNs += refill * REFILL_NS;
        }
        if (b.tokens == 0) {
            return false;
        }
        b.tokens--;
        return true;
    }
}
