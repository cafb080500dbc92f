package io.zgrnet;

/** Which datagram backend a transport uses. */
public enum IOMode {
    /** io_uring when the kernel allows it, else recvmmsg/sendmmsg, else JDK NIO; the reason is recorded. */
    AUTO,
    /** io_uring, or fail with the reason it is unavailable. */
    URING,
    /** Linux recvmmsg/sendmmsg. */
    MMSG,
    /** Portable JDK NIO. */
    NIO
}
