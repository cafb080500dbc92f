package io.zgrnet.config;

/**
 * Socket options every backend applies the same way. Immutable; build with {@link #builder()}.
 *
 * @param receiveBufferBytes SO_RCVBUF request (the kernel may give less, or double it)
 * @param sendBufferBytes SO_SNDBUF request
 * @param reusePort SO_REUSEPORT, for sharding one port across sockets
 * @param udpGro UDP_GRO on receive (Linux 5.0): the kernel hands over up to 64 datagrams of a flow
 *     as one buffer, one trip up the stack instead of 64. The recvmmsg backend and io_uring's
 *     multishot receive apply it (splitting each buffer into pool slots by copying, 1 MiB of
 *     buffers); io_uring's armed receive and NIO report it unsupported, and {@code IOMode.AUTO}
 *     avoids armed receive when it is on. On by default: it pays 5x in receive CPU per datagram
 *     when peers send bursts (UDP GSO senders such as this transport, NICs that coalesce); when
 *     nothing coalesces it costs nothing measurable on io_uring and 4-11 % at 64 B on recvmmsg
 * @param busyPollMicros SO_BUSY_POLL in microseconds, 0 = off (EPERM without CAP_NET_ADMIN is tolerated)
 * @param udpGso UDP GSO on send (Linux 4.18): consecutive datagrams of one batch to the same
 *     destination with the same length leave as one send with a {@code UDP_SEGMENT} control
 *     message, one trip through the stack for up to {@link GsoRuns#MAX_SEGMENTS}; on by default,
 *     used by the recvmmsg and io_uring backends; a refusal for a destination's path MTU lowers the
 *     largest datagram grouped for it, any other refusal turns GSO off for that backend
 *     ({@link GsoLimit})
 */
public record SocketOptions(int receiveBufferBytes, int sendBufferBytes, boolean reusePort, boolean udpGro,
                            int busyPollMicros, boolean udpGso) {
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

    /** Options without GSO, as before it existed (kept for callers of the five-field form). */
    public SocketOptions(int receiveBufferBytes, int sendBufferBytes, boolean reusePort, boolean udpGro,
                         int busyPollMicros) {
        this(receiveBufferBytes, sendBufferBytes, reusePort, udpGro, busyPollMicros, true);
    }

    /** These options with UDP GRO {@code on} or off. */
    public SocketOptions withUdpGro(boolean on) {
        return new SocketOptions(receiveBufferBytes, sendBufferBytes, reusePort, on, busyPollMicros, udpGso);
    }

    /** The defaults: 4 MiB buffers, no reuseport, GRO on receive, no busy poll, GSO on send. */
    public static SocketOptions defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link SocketOptions}. */
    public static final class Builder {
        /** A builder with the defaults. */
        public Builder() {
        }

        private int receiveBufferBytes = DEFAULT_BUFFER_BYTES;
        private int sendBufferBytes = DEFAULT_BUFFER_BYTES;
        private boolean reusePort;
        private boolean udpGro = true;
        private int busyPollMicros;
        private boolean udpGso = true;

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

        public Builder udpGso(boolean v) {
            udpGso = v;
            return this;
        }

        public SocketOptions build() {
            return new SocketOptions(receiveBufferBytes, sendBufferBytes, reusePort, udpGro, busyPollMicros, udpGso);
        }
    }
}
