package io.zgrnet.sys;

/**
 * {@code struct sockaddr_in} (IPv4 socket address), from {@code <netinet/in.h>} /
 * {@code <linux/in.h>}: 16 bytes. Family in host byte order, port and address in network byte
 * order. Checked by {@code SocketStructLayoutTest}.
 */
public final class SockaddrIn {
    /** {@code sizeof(struct sockaddr_in)}. */
    public static final int SIZE = 16;
    /** {@code sa_family_t sin_family} (u16, host order). */
    public static final int SIN_FAMILY = 0;
    /** {@code in_port_t sin_port} (u16, network order). */
    public static final int SIN_PORT = 2;
    /** {@code struct in_addr sin_addr} (4 bytes, network order). */
    public static final int SIN_ADDR = 4;
    /** {@code unsigned char sin_zero[8]} (padding, zero). */
    public static final int SIN_ZERO = 8;

    private SockaddrIn() {
    }
}
