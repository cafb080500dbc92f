package io.zgrnet.sys;

/**
 * {@code struct msghdr} from {@code <sys/socket.h>} (glibc {@code bits/socket.h}): 56 bytes on
 * LP64. glibc declares {@code msg_iovlen} and {@code msg_controllen} as {@code size_t}, like the
 * kernel's {@code struct user_msghdr}. Checked by {@code SocketStructLayoutTest}.
 */
public final class Msghdr {
    /** {@code sizeof(struct msghdr)}. */
    public static final int SIZE = 56;
    /** {@code void *msg_name}: the peer's sockaddr (source on receive, destination on send). */
    public static final int MSG_NAME = 0;
    /** {@code socklen_t msg_namelen} (u32): buffer size in, address size out. */
    public static final int MSG_NAMELEN = 8;
    /** {@code struct iovec *msg_iov}. */
    public static final int MSG_IOV = 16;
    /** {@code size_t msg_iovlen}. */
    public static final int MSG_IOVLEN = 24;
    /** {@code void *msg_control}: ancillary data (cmsghdr sequence). */
    public static final int MSG_CONTROL = 32;
    /** {@code size_t msg_controllen}. */
    public static final int MSG_CONTROLLEN = 40;
    /** {@code int msg_flags}: set by the kernel on receive (e.g. {@code MSG_TRUNC}). */
    public static final int MSG_FLAGS = 48;

    private Msghdr() {
    }
}
