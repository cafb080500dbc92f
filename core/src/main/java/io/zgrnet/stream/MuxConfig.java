package io.zgrnet.stream;

import io.zgrnet.kcp.KcpConstants;

/**
 * Everything a {@link Mux} is configured with, validated in one place ({@link Builder#build()});
 * each error names the option. The KCP parameters are not here: they are zgrnet's and fixed
 * ({@link KcpConstants}).
 *
 * <p>Two presets: {@link #defaults()} does the sane thing toward Go peers (SYN re-sent until the
 * peer answers, FIN sent once written data is acknowledged and repeated, writes split into
 * messages a Go receiver can deliver, idle streams ended); {@link #goReplica()} sends exactly what
 * zgrnet's Go mux sends (used to replay Go's vectors).
 *
 * @param maxStreams streams registered at once (opens beyond it fail; SYNs are refused with FIN)
 * @param acceptQueueSize streams opened by the peer waiting for {@link Mux#accept()} (Go: 16);
 *        beyond it a SYN is refused with FIN
 * @param receiveBufferBytes per-stream receive buffer; when full, data stays in KCP and the window
 *        we advertise shrinks (back-pressure)
 * @param receiveWindowSegments per-stream KCP receive window ({@code rcv_wnd}, a power of two,
 *        128..4096; Go uses 4096): what the peer may have in flight toward one stream, and so the
 *        segments one stalled reader can pin in the shared pool (at most twice this)
 * @param sendBufferSegments per-stream KCP send ring (a power of two, ≥ 128): bounds the
 *        segments written and not yet acknowledged
 * @param segmentPoolSegments segments (1376 B each) shared by all streams of the mux, created on
 *        demand: bounds the memory of one peer's unacknowledged and undelivered data
 * @param maxMessageBytes {@link Stream#write} splits into KCP messages of at most this size
 *        (65 536 = what a Go receiver can deliver; 174 752 = KCP's maximum)
 * @param maxMetadataBytes longest SYN metadata {@link Mux#open} sends
 * @param headroom free bytes before every frame handed to {@link FrameOutput}
 * @param synResends extra SYNs sent while nothing has come back for a stream we opened (Go sends
 *        one SYN and loses the stream if it is lost: services.md §3.3, §6.5)
 * @param synResendIntervalMs time between them
 * @param finRepeats FIN frames sent per close (Go: 1; a lost FIN means no EOF at the peer)
 * @param finRepeatIntervalMs time between them
 * @param closeLingerMs how long a close waits for written data to be acknowledged before it
 *        sends FIN and discards the rest (0: at once, as Go, which loses unsent data)
 * @param idleTimeoutMs end a stream when nothing arrived for it this long (0: never, as Go);
 *        Go sends no keepalives, so this also ends idle but healthy streams
 * @param earlyFinTtlMs remember a FIN for a not yet opened peer id this long, so a SYN arriving
 *        after it creates an already half-closed stream (0: ignore it, as Go)
 * @param earlyFinSlots how many such FINs are remembered at once (oldest replaced)
 */
public record MuxConfig(int maxStreams, int acceptQueueSize, int receiveBufferBytes, int receiveWindowSegments,
                        int sendBufferSegments,
                        int segmentPoolSegments, int maxMessageBytes, int maxMetadataBytes, int headroom,
                        int synResends, int synResendIntervalMs, int finRepeats, int finRepeatIntervalMs,
                        int closeLingerMs, int idleTimeoutMs, int earlyFinTtlMs, int earlyFinSlots) {

    /** Validates every option (also when the record is built directly); each error names it. */
    public MuxConfig {
        range("maxStreams", maxStreams, 1, 1 << 20);
        range("acceptQueueSize", acceptQueueSize, 1, 1 << 16);
        range("receiveBufferBytes", receiveBufferBytes, KcpConstants.MSS, 1 << 30);
        range("receiveWindowSegments", receiveWindowSegments, KcpConstants.WND_RCV, KcpConstants.RCV_WND);
        if (Integer.bitCount(receiveWindowSegments) != 1) {
            throw new IllegalArgumentException("receiveWindowSegments: must be a power of two, got "
                    + receiveWindowSegments);
        }
        range("sendBufferSegments", sendBufferSegments, KcpConstants.WND_RCV, 1 << 16);
        if (Integer.bitCount(sendBufferSegments) != 1) {
            throw new IllegalArgumentException("sendBufferSegments: must be a power of two, got "
                    + sendBufferSegments);
        }
        range("segmentPoolSegments", segmentPoolSegments, KcpConstants.WND_RCV, 1 << 24);
        range("maxMessageBytes", maxMessageBytes, 1, KcpConstants.MAX_MESSAGE_BYTES);
        range("maxMetadataBytes", maxMetadataBytes, 0, MuxFrame.MAX_PAYLOAD_LENGTH - 1);
        range("headroom", headroom, 0, 1024);
        range("synResends", synResends, 0, 1000);
        range("synResendIntervalMs", synResendIntervalMs, 1, 600_000);
        range("finRepeats", finRepeats, 1, 100);
        range("finRepeatIntervalMs", finRepeatIntervalMs, 1, 600_000);
        range("closeLingerMs", closeLingerMs, 0, 3_600_000);
        range("idleTimeoutMs", idleTimeoutMs, 0, Integer.MAX_VALUE);
        range("earlyFinTtlMs", earlyFinTtlMs, 0, 600_000);
        range("earlyFinSlots", earlyFinSlots, 1, 4096);
    }

    private static void range(String name, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + ": must be in " + min + ".." + max + ", got " + v);
        }
    }

    /** The recommended configuration. */
    public static MuxConfig defaults() {
        return builder().build();
    }

    /**
     * Sends exactly what zgrnet's Go mux sends for the same calls: one SYN, one FIN at close with
     * unacknowledged data discarded, one write = one KCP message up to 174 752 bytes, receive
     * window 4096, no idle timeout, FIN before SYN ignored. Receive-side tolerance that is invisible on the wire stays
     * on (no 64 KiB delivery limit; EOF waits for data KCP is still missing).
     */
    public static MuxConfig goReplica() {
        return goReplicaBuilder().build();
    }

    /** A builder preset as {@link #goReplica()}. */
    public static Builder goReplicaBuilder() {
        return builder().synResends(0).finRepeats(1).closeLingerMs(0).idleTimeoutMs(0).earlyFinTtlMs(0)
                .maxMessageBytes(KcpConstants.MAX_MESSAGE_BYTES).receiveWindowSegments(KcpConstants.RCV_WND);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link MuxConfig}; {@link #build()} validates every option. */
    public static final class Builder {
        private int maxStreams = 256;
        private int acceptQueueSize = 16;
        private int receiveBufferBytes = 64 * 1024;
        private int receiveWindowSegments = 1024;
        private int sendBufferSegments = 1024;
        private int segmentPoolSegments = 8192;
        private int maxMessageBytes = KcpConstants.GO_RECEIVER_MAX_MESSAGE_BYTES;
        private int maxMetadataBytes = 1024;
        private int headroom;
        private int synResends = 5;
        private int synResendIntervalMs = 200;
        private int finRepeats = 3;
        private int finRepeatIntervalMs = 100;
        private int closeLingerMs = 10_000;
        private int idleTimeoutMs = 300_000;
        private int earlyFinTtlMs = 2_000;
        private int earlyFinSlots = 16;

        private Builder() {
        }

        /** See {@link MuxConfig#maxStreams()} (default 256). */
        public Builder maxStreams(int v) {
            maxStreams = v;
            return this;
        }

        /** See {@link MuxConfig#acceptQueueSize()} (default 16). */
        public Builder acceptQueueSize(int v) {
            acceptQueueSize = v;
            return this;
        }

        /** See {@link MuxConfig#receiveBufferBytes()} (default 64 KiB). */
        public Builder receiveBufferBytes(int v) {
            receiveBufferBytes = v;
            return this;
        }

        /** See {@link MuxConfig#receiveWindowSegments()} (default 1024). */
        public Builder receiveWindowSegments(int v) {
            receiveWindowSegments = v;
            return this;
        }

        /** See {@link MuxConfig#sendBufferSegments()} (default 1024). */
        public Builder sendBufferSegments(int v) {
            sendBufferSegments = v;
            return this;
        }

        /** See {@link MuxConfig#segmentPoolSegments()} (default 8192). */
        public Builder segmentPoolSegments(int v) {
            segmentPoolSegments = v;
            return this;
        }

        /** See {@link MuxConfig#maxMessageBytes()} (default 65 536). */
        public Builder maxMessageBytes(int v) {
            maxMessageBytes = v;
            return this;
        }

        /** See {@link MuxConfig#maxMetadataBytes()} (default 1024). */
        public Builder maxMetadataBytes(int v) {
            maxMetadataBytes = v;
            return this;
        }

        /** See {@link MuxConfig#headroom()} (default 0). */
        public Builder headroom(int v) {
            headroom = v;
            return this;
        }

        /** See {@link MuxConfig#synResends()} (default 5). */
        public Builder synResends(int v) {
            synResends = v;
            return this;
        }

        /** See {@link MuxConfig#synResendIntervalMs()} (default 200). */
        public Builder synResendIntervalMs(int v) {
            synResendIntervalMs = v;
            return this;
        }

        /** See {@link MuxConfig#finRepeats()} (default 3). */
        public Builder finRepeats(int v) {
            finRepeats = v;
            return this;
        }

        /** See {@link MuxConfig#finRepeatIntervalMs()} (default 100). */
        public Builder finRepeatIntervalMs(int v) {
            finRepeatIntervalMs = v;
            return this;
        }

        /** See {@link MuxConfig#closeLingerMs()} (default 10 s). */
        public Builder closeLingerMs(int v) {
            closeLingerMs = v;
            return this;
        }

        /** See {@link MuxConfig#idleTimeoutMs()} (default 5 min). */
        public Builder idleTimeoutMs(int v) {
            idleTimeoutMs = v;
            return this;
        }

        /** See {@link MuxConfig#earlyFinTtlMs()} (default 2 s). */
        public Builder earlyFinTtlMs(int v) {
            earlyFinTtlMs = v;
            return this;
        }

        /** See {@link MuxConfig#earlyFinSlots()} (default 16). */
        public Builder earlyFinSlots(int v) {
            earlyFinSlots = v;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the first invalid option
         */
        public MuxConfig build() {
            return new MuxConfig(maxStreams, acceptQueueSize, receiveBufferBytes, receiveWindowSegments,
                    sendBufferSegments,
                    segmentPoolSegments, maxMessageBytes, maxMetadataBytes, headroom, synResends,
                    synResendIntervalMs, finRepeats, finRepeatIntervalMs, closeLingerMs, idleTimeoutMs,
                    earlyFinTtlMs, earlyFinSlots);
        }
    }
}
