package io.zgrnet.sys;

/**
 * {@code struct sockaddr_in6} (IPv6 socket address), from {@code <netinet/in.h>} /
 * {@code <linux/in6.h>}: 28 bytes. Family and scope id in host byte order, port and flow info in
 * network byte order. Checked by {@code SocketStructLayoutTest}.
 */
public final class SockaddrIn6 {
    /** {@code sizeof(struct sockaddr_in6)}. */
    public static final int SIZE = 28;
    /** {@code sa_family_t sin6_family} (u16, host order). */
    public static final int SIN6_FAMILY = 0;
    /** {@code in_port_t sin6_port} (u16, network order). */
    public static final int SIN6_PORT = 2;
    /** {@code uint32_t sin6_flowinfo} (network order). */
    public static final int SIN6_FLOWINFO = 4;
    /** {@code struct in6_addr sin6_addr} (16 bytes). */
    public static final int SIN6_ADDR = 8;
    /** {@code uint32_t sin6_scope_id} (host order). */
    public static final int SIN6_SCOPE_ID = 24;

    private SockaddrIn6() {
    }
}
