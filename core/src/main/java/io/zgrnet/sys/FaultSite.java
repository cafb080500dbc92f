package io.zgrnet.sys;

/**
 * The native calls (and the two JDK channel calls of the portable backend) at which tests can
 * inject a failure or a stall through {@link Faults}. One constant per call site family, named
 * after the call.
 */
public enum FaultSite {
    /** {@code io_uring_setup(2)}. */
    IO_URING_SETUP,
    /** {@code io_uring_enter(2)}. */
    IO_URING_ENTER,
    /** {@code io_uring_register(2)}, every opcode. */
    IO_URING_REGISTER,
    /** {@code mmap(2)} (the io_uring rings and SQE array; the receive buffers of large datagrams). */
    MMAP,
    /** {@code socket(2)}. */
    SOCKET,
    /** {@code bind(2)}. */
    BIND,
    /** {@code setsockopt(2)}. */
    SETSOCKOPT,
    /** {@code recvmmsg(2)}. */
    RECVMMSG,
    /** {@code sendmmsg(2)}. */
    SENDMMSG,
    /** {@code eventfd(2)}. */
    EVENTFD,
    /** {@code poll(2)} and {@code ppoll(2)}. */
    POLL,
    /** {@code DatagramChannel.receive} in the portable backend (fails with an IOException naming the errno). */
    NIO_RECEIVE,
    /** {@code DatagramChannel.send} in the portable backend. */
    NIO_SEND
}
