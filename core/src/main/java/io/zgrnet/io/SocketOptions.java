package io.zgrnet.io;

/**
 * Socket options every backend applies the same way. Immutable; build with {@link #builder()}.
 *
 * @param receiveBufferBytes SO_RCVBUF request (the kernel may give less, or double it)
 * @param sendBufferBytes SO_SNDBUF request
 * @param reusePort SO_REUSEPORT, for sharding one port across sockets
 * @param udpGro UDP_GRO (coalesced receive); off by default
 * @param busyPollMicros SO_BUSY_POLL in microseconds, 0 = off (EPERM without CAP_NET_ADMIN is tolerated)
 */
public record SocketOptions(int receiveBufferBytes, int sendBufferBytes, boolean reusePort, boolean udpGro,
                            int busyPollMicros) {
    /** Default buffer size: 4 MiB each way. */
    public static final int DEFAULT_BUFFER_BYTES = 4 << 20;

    /** Validates every option; each error names the option. */
    public SocketOptions {
        if (receiveBufferBytes < 0) {
            throw new IllegalArgumentException("receiveBufferBytes must be >= 0, got " + receiveBufferBytes);
        }
        if (sendBufferBytes < 0) {
            throw new IllegalArgumentException("sendBufferBytes must be >= 0, got " + sendBufferBytes);
        }
        if (busyPollMicros < 0) {
            throw new IllegalArgumentException("busyPollMicros must be >= 0, got " + busyPollMicros);
        }
    }

    /** The defaults: 4 MiB buffers, no reuseport, no GRO, no busy poll. */
    public static SocketOptions defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link SocketOptions}. */
    public static final class Builder {
        private int receiveBufferBytes = DEFAULT_BUFFER_BYTES;
        private int sendBufferBytes = DEFAULT_BUFFER_BYTES;
        private boolean reusePort;
        private boolean udpGro;
        private int busyPollMicros;

        public Builder receiveBufferBytes(int v) {
            receiveBufferBytes = v;
            return this;
        }

        public Builder sendBufferBytes(int v) {
            sendBufferBytes = v;
            return this;
        }

        public Builder reusePort(boolean v) {
            reusePort = v;
            return this;
        }

        public Builder udpGro(boolean v) {
            udpGro = v;
            return this;
        }

        public Builder busyPollMicros(int v) {
            busyPollMicros = v;
            return this;
        }

        public SocketOptions build() {
            return new SocketOptions(receiveBufferBytes, sendBufferBytes, reusePort, udpGro, busyPollMicros);
        }
    }
}
