package io.zgrnet.io.select;

/** The datagram backends, and AUTO: the best one this process may use (see {@link BackendSelector}). */
public enum BackendKind {
    /** io_uring, else recvmmsg, else NIO, each fallback with its cause. */
    AUTO,
    /** io_uring (multishot receive where the kernel has it, else armed). */
    URING,
    /** Linux recvmmsg/sendmmsg batches. */
    MMSG,
    /** java.nio DatagramChannel: portable, one datagram per system call. */
    NIO
}
