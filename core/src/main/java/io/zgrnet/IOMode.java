package io.zgrnet;

/**
 * Which datagram I/O backend a transport uses.
 *
 * <p>{@link #AUTO} picks the best one this process may use and records why it fell back
 * (see {@code io.zgrnet.io.select.BackendSelector}); the others insist on one backend and fail with the
 * reason when it cannot run.
 */
public enum IOMode {
    /** io_uring when the kernel allows it, else recvmmsg/sendmmsg, else NIO; the reason is recorded. */
    AUTO,
    /** io_uring (Linux 5.11+; multishot receive 6.0+), or fail naming why not. */
    URING,
    /** recvmmsg/sendmmsg (Linux), or fail naming why not. */
    MMSG,
    /** java.nio DatagramChannel: portable, one datagram per system call. */
    NIO
}
