package io.zgrnet.relay;

import io.zgrnet.PeerKey;
import io.zgrnet.ping.NodeMetrics;
import io.zgrnet.wire.TransportHeader;

/**
 * The relay engine's settings, validated in one place ({@link Builder#build()}); each error names
 * the option. Defaults behave like a zgrnet Go node that has a route table, plus the limits Go
 * lacks.
 *
 * @param localKey this node's public key (a next hop equal to it is a loop)
 * @param relaying act on RELAY_0/RELAY_1 (Go: only with a route table); RELAY_2 is always handled
 * @param answerPings answer PINGs (Go: only with a route table)
 * @param bindMode handle RELAY_0_ALIAS and announce bindings with RELAY_0_BIND; off by default
 *        because zgrnet's Go and Rust transports implement neither (services.md §4.7)
 * @param maxBodyLength the largest relay body the engine writes; at most the largest sealable
 *        payload, 65505
 * @param ratePerSecond sustained packets per second a neighbour may make us send (0: unlimited)
 * @param rateBurst packets a neighbour may send at once
 * @param maxRateSources neighbours the rate limiter tracks before it starts over
 * @param bindCapacity bindings in bind mode
 * @param metrics what the first PONGs report (replaceable at run time)
 */
public record RelayConfig(PeerKey localKey, boolean relaying, boolean answerPings, boolean bindMode,
                          int maxBodyLength, long ratePerSecond, int rateBurst, int maxRateSources, int bindCapacity,
                          NodeMetrics metrics) {
    /** Default sustained rate per neighbour: 20 000 packets/s (about 28 MB/s of full-size datagrams). */
    public static final long DEFAULT_RATE_PER_SECOND = 20_000;
    /** Default burst per neighbour. */
    public static final int DEFAULT_RATE_BURST = 1_000;
    /** Default number of neighbours tracked by the rate limiter. */
    public static final int DEFAULT_MAX_RATE_SOURCES = 16_384;
    /** Default bind table size. */
    public static final int DEFAULT_BIND_CAPACITY = 4_096;

    /** Validates; use {@link #builder(PeerKey)}. */
    public RelayConfig {
        if (localKey == null) {
            throw new IllegalArgumentException("localKey: must not be null");
        }
        if (maxBodyLength < Relay1.HEADER_LENGTH + 1 || maxBodyLength > TransportHeader.MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("maxBodyLength: must be " + (Relay1.HEADER_LENGTH + 1) + ".."
                    + TransportHeader.MAX_PAYLOAD_LENGTH + ", got " + maxBodyLength);
        }
        if (ratePerSecond < 0 || ratePerSecond > 1_000_000_000L) {
            throw new IllegalArgumentException("ratePerSecond: must be 0..1e9, got " + ratePerSecond);
        }
        if (rateBurst < 1) {
            throw new IllegalArgumentException("rateBurst: must be >= 1, got " + rateBurst);
        }
        if (maxRateSources < 1) {
            throw new IllegalArgumentException("maxRateSources: must be >= 1, got " + maxRateSources);
        }
        if (bindCapacity < 1 || bindCapacity > 1 << 20) {
            throw new IllegalArgumentException("bindCapacity: must be 1..2^20, got " + bindCapacity);
        }
        if (metrics == null) {
            throw new IllegalArgumentException("metrics: must not be null (use NodeMetrics.ZERO)");
        }
    }

    /** A builder with the defaults, for the node whose public key is {@code localKey}. */
    public static Builder builder(PeerKey localKey) {
        return new Builder(localKey);
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private final PeerKey localKey;
        private boolean relaying = true;
        private boolean answerPings = true;
        private boolean bindMode;
        private int maxBodyLength = TransportHeader.MAX_PAYLOAD_LENGTH;
        private long ratePerSecond = DEFAULT_RATE_PER_SECOND;
        private int rateBurst = DEFAULT_RATE_BURST;
        private int maxRateSources = DEFAULT_MAX_RATE_SOURCES;
        private int bindCapacity = DEFAULT_BIND_CAPACITY;
        private NodeMetrics metrics = NodeMetrics.ZERO;

        private Builder(PeerKey localKey) {
            this.localKey = localKey;
        }

        /** Act on RELAY_0/RELAY_1 (default true). */
        public Builder relaying(boolean v) {
            relaying = v;
            return this;
        }

        /** Answer PINGs (default true). */
        public Builder answerPings(boolean v) {
            answerPings = v;
            return this;
        }

        /** Handle ALIAS and send BIND (default false; never towards zgrnet's Go/Rust nodes). */
        public Builder bindMode(boolean v) {
            bindMode = v;
            return this;
        }

        /** Largest relay body written (default 65505). */
        public Builder maxBodyLength(int v) {
            maxBodyLength = v;
            return this;
        }

        /** Per-neighbour rate: sustained packets/s (0 = unlimited) and burst. */
        public Builder rateLimit(long perSecond, int burst) {
            ratePerSecond = perSecond;
            rateBurst = burst;
            return this;
        }

        /** Neighbours tracked by the rate limiter (default 16384). */
        public Builder maxRateSources(int v) {
            maxRateSources = v;
            return this;
        }

        /** Bind table size (default 4096). */
        public Builder bindCapacity(int v) {
            bindCapacity = v;
            return this;
        }

        /** Metrics for PONGs (default all zero). */
        public Builder metrics(NodeMetrics v) {
            metrics = v;
            return this;
        }

        /** The validated configuration. */
        public RelayConfig build() {
            return new RelayConfig(localKey, relaying, answerPings, bindMode, maxBodyLength, ratePerSecond,
                    rateBurst, maxRateSources, bindCapacity, metrics);
        }
    }
}
