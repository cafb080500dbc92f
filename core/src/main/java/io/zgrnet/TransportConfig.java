package io.zgrnet;

import io.zgrnet.io.PacketPool;
import io.zgrnet.config.SocketOptions;
import io.zgrnet.config.Clock;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Everything a {@link UDP} transport is configured with, validated in one place
 * ({@link Builder#build()}); each error names the option.
 *
 * @param privateKey the local static private key (32 bytes; clamped on use)
 * @param bindAddress where to bind (port 0 picks a free port)
 * @param allowUnknownPeers accept handshakes from peers not added with setPeerEndpoint
 * @param maxPeers bound on the peer table (unknown peers beyond it are refused and counted)
 * @param decryptWorkers decrypt worker threads
 * @param receiveQueueSize in-order receive ring entries (a power of two)
 * @param sendQueueSize send queue entries (a power of two)
 * @param ioMode which datagram backend
 * @param socketOptions socket buffer sizes and flags
 * @param poolSlots packet pool slots
 * @param slotSize packet pool slot size in bytes
 * @param largeSlots packet pool slots for datagrams larger than a slot (0: none, and datagrams are
 *        limited to {@code slotSize})
 * @param largeSlotSize bytes per large slot: the largest datagram sent and received (further
 *        capped by UDP: 65,507 bytes over IPv4, 65,527 over IPv6)
 * @param ioBatchSize datagrams per receive/send call
 * @param clock time source for the timers (tests inject a manual clock)
 * @param answerPings answer every authenticated PING (protocol 70) with a PONG (71); off: drop
 *        and count them, as a zgrnet node without a route table does
 * @param acceptRelayed take RELAY_2 (protocol 68) as zgrnet does with or without a route table:
 *        its inner datagram enters the receive path as from the peer that delivered it (a relayed
 *        handshake or end-to-end session, docs/RELAY.md); off: 68 goes to the application as data
 */
public record TransportConfig(byte[] privateKey, InetSocketAddress bindAddress, boolean allowUnknownPeers,
                              int maxPeers, int decryptWorkers, int receiveQueueSize, int sendQueueSize,
                              IOMode ioMode, SocketOptions socketOptions, int poolSlots, int slotSize,
                              int largeSlots, int largeSlotSize, int ioBatchSize, Clock clock, boolean answerPings,
                              boolean acceptRelayed) {
    /** Default number of large slots: 64 x 64 KiB = 4 MiB beside the 32 MiB of small slots. */
    public static final int DEFAULT_LARGE_SLOTS = 64;

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link TransportConfig}; {@link #build()} validates every option. */
    public static final class Builder {
        /** A builder with the defaults; see {@link TransportConfig#builder()}. */
        public Builder() {
        }

        private byte[] privateKey;
        private InetSocketAddress bindAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private boolean allowUnknownPeers;
        private int maxPeers = 4096;
        private int decryptWorkers = Runtime.getRuntime().availableProcessors();
        private int receiveQueueSize = 4096;
        private int sendQueueSize = 4096;
        private IOMode ioMode = IOMode.AUTO;
        private SocketOptions socketOptions = SocketOptions.defaults();
        private int poolSlots = 16384;
        private int slotSize = PacketPool.DEFAULT_SLOT_SIZE;
        private int largeSlots = DEFAULT_LARGE_SLOTS;
        private int largeSlotSize = PacketPool.DEFAULT_LARGE_SLOT_SIZE;
        private int ioBatchSize = 64;
        private Clock clock = Clock.SYSTEM;
        private boolean answerPings = true;
        private boolean acceptRelayed = true;

        /** The local static private key (required, 32 bytes). */
        public Builder privateKey(byte[] v) {
            privateKey = v == null ? null : v.clone();
            return this;
        }

        /** Bind address (default 127.0.0.1:0). */
        public Builder bindAddress(InetSocketAddress v) {
            bindAddress = v;
            return this;
        }

        /** Accept handshakes from peers not configured (default false). */
        public Builder allowUnknownPeers(boolean v) {
            allowUnknownPeers = v;
            return this;
        }

        /** Bound on the peer table (default 4096). */
        public Builder maxPeers(int v) {
            maxPeers = v;
            return this;
        }

        /** Decrypt worker threads (default: available processors). */
        public Builder decryptWorkers(int v) {
            decryptWorkers = v;
            return this;
        }

        /** In-order receive ring entries, a power of two (default 4096). */
        public Builder receiveQueueSize(int v) {
            receiveQueueSize = v;
            return this;
        }

        /** Send queue entries, a power of two (default 4096). */
        public Builder sendQueueSize(int v) {
            sendQueueSize = v;
            return this;
        }

        /** Datagram backend (default AUTO). */
        public Builder ioMode(IOMode v) {
            ioMode = v;
            return this;
        }

        /** Socket options (default 4 MiB buffers). */
        public Builder socketOptions(SocketOptions v) {
            socketOptions = v;
            return this;
        }

        /** Packet pool slots (default 16384). */
        public Builder poolSlots(int v) {
            poolSlots = v;
            return this;
        }

        /** Packet pool slot size (default 2048; up to 65536 for jumbo datagrams). */
        public Builder slotSize(int v) {
            slotSize = v;
            return this;
        }

        /**
         * Packet pool slots for datagrams larger than a slot (default {@value #DEFAULT_LARGE_SLOTS};
         * 0: none, datagrams up to {@code slotSize} only). Held while a large datagram is being sent,
         * or received and not yet read; when all are in use, further large datagrams are dropped
         * and counted, small ones are unaffected.
         */
        public Builder largeSlots(int v) {
            largeSlots = v;
            return this;
        }

        /**
         * Bytes per large slot, the largest datagram sent and received (default 65536: any UDP
         * datagram); received datagrams above it are dropped and counted.
         */
        public Builder largeSlotSize(int v) {
            largeSlotSize = v;
            return this;
        }

        /** Datagrams per receive/send call (default 64). */
        public Builder ioBatchSize(int v) {
            ioBatchSize = v;
            return this;
        }

        /** Clock for timers (default the system monotonic clock). */
        public Builder clock(Clock v) {
            clock = v;
            return this;
        }

        /** Answer pings (protocol 70) with pongs (default true); see {@link TransportConfig#answerPings()}. */
        public Builder answerPings(boolean v) {
            answerPings = v;
            return this;
        }

        /**
         * Take relayed datagrams (RELAY_2, protocol 68) into the receive path (default true); see
         * {@link TransportConfig#acceptRelayed()}.
         */
        public Builder acceptRelayed(boolean v) {
            acceptRelayed = v;
            return this;
        }

        /**
         * Validates and builds (see {@link TransportConfig#TransportConfig}).
         *
         * @throws IllegalArgumentException naming the first invalid option
         */
        public TransportConfig build() {
            return new TransportConfig(privateKey, bindAddress, allowUnknownPeers, maxPeers, decryptWorkers,
                    receiveQueueSize, sendQueueSize, ioMode, socketOptions, poolSlots, slotSize, largeSlots, largeSlotSize,
                    ioBatchSize, clock, answerPings, acceptRelayed);
        }
    }

    /**
     * Validates every option, whether the config comes from the {@link Builder} or this
     * constructor, and keeps its own copy of the private key.
     *
     * @throws IllegalArgumentException naming the first invalid option
     */
    public TransportConfig {
        if (privateKey == null || privateKey.length != 32) {
            throw new IllegalArgumentException("privateKey: must be 32 bytes, got "
                    + (privateKey == null ? "none" : privateKey.length));
        }
        privateKey = privateKey.clone();
        if (bindAddress == null) {
            throw new IllegalArgumentException("bindAddress: required");
        }
        if (bindAddress.isUnresolved()) {
            throw new IllegalArgumentException("bindAddress: unresolved host " + bindAddress.getHostString());
        }
        if (ioMode == null) {
            throw new IllegalArgumentException("ioMode: required");
        }
        if (socketOptions == null) {
            throw new IllegalArgumentException("socketOptions: required");
        }
        if (clock == null) {
            throw new IllegalArgumentException("clock: required");
        }
        requireRange("maxPeers", maxPeers, 1, 1 << 20);
        requireRange("decryptWorkers", decryptWorkers, 1, 256);
        requirePowerOfTwo("receiveQueueSize", receiveQueueSize, 2, 1 << 20);
        requirePowerOfTwo("sendQueueSize", sendQueueSize, 2, 1 << 20);
        requireRange("ioBatchSize", ioBatchSize, 1, 1024);
        requireRange("slotSize", slotSize, 128, PacketPool.MAX_SLOT_SIZE);
        if (slotSize % 64 != 0) {
            throw new IllegalArgumentException("slotSize: must be a multiple of 64, got " + slotSize);
        }
        requireRange("poolSlots", poolSlots, 64, 1 << 20);
        requireRange("largeSlots", largeSlots, 0, PacketPool.MAX_LARGE_SLOTS);
        if (largeSlots > 0) {
            requireRange("largeSlotSize", largeSlotSize, slotSize + 64, PacketPool.MAX_SLOT_SIZE);
            if (largeSlotSize % 64 != 0) {
                throw new IllegalArgumentException("largeSlotSize: must be a multiple of 64, got " + largeSlotSize);
            }
        }
        // Every stage can hold slots at once: the receive ring, the send queue, and one batch in flight.
        long needed = (long) receiveQueueSize + sendQueueSize + 2L * ioBatchSize + 256;
        if (poolSlots < needed) {
            throw new IllegalArgumentException("poolSlots: must be at least receiveQueueSize + sendQueueSize + "
                    + "2 * ioBatchSize + 256 = " + needed + ", got " + poolSlots);
        }
    }

    private static void requireRange(String name, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + ": must be in " + min + ".." + max + ", got " + v);
        }
    }

    private static void requirePowerOfTwo(String name, int v, int min, int max) {
        requireRange(name, v, min, max);
        if (Integer.bitCount(v) != 1) {
            throw new IllegalArgumentException(name + ": must be a power of two, got " + v);
        }
    }
    @Override
    public byte[] privateKey() {
        return privateKey.clone();
    }

    /** Never prints the private key. */
    @Override
    public String toString() {
        return "TransportConfig[bind=" + bindAddress + ", ioMode=" + ioMode + ", workers=" + decryptWorkers
                + ", allowUnknownPeers=" + allowUnknownPeers + ", maxPeers=" + maxPeers + ", receiveQueue="
                + receiveQueueSize + ", sendQueue=" + sendQueueSize + ", pool=" + poolSlots + "x" + slotSize
                + (largeSlots > 0 ? "+" + largeSlots + "x" + largeSlotSize : "")
                + ", batch=" + ioBatchSize + ", answerPings=" + answerPings + ", acceptRelayed=" + acceptRelayed + ", " + socketOptions + "]";
    }
}
