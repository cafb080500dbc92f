package io.zgrnet.io;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * The largest UDP payload the IP layer carries, which caps every backend's
 * {@link DatagramBackend#maxDatagram()} below the pool's largest slot. zgrnet allows datagrams of
 * 65,535 bytes, but no UDP datagram is that large: IPv4's 16-bit total length leaves 65,535 - 20
 * (IPv4 header) - 8 (UDP header) = 65,507 bytes, and IPv6's 16-bit payload length 65,535 - 8 =
 * 65,527 (jumbograms aside). The kernel refuses anything longer with EMSGSIZE.
 *
 * <p>Stateless.
 */
public final class UdpLimits {
    /** Largest UDP payload over IPv4. */
    public static final int MAX_IPV4_PAYLOAD = 65_507;
    /** Largest UDP payload over IPv6 (without jumbograms). */
    public static final int MAX_IPV6_PAYLOAD = 65_527;

    private UdpLimits() {
    }

    /**
     * The largest UDP payload a socket bound to {@code local} can send to every destination it
     * can reach: IPv6 limits for a socket bound to a specific IPv6 address; IPv4 limits for an IPv4
     * socket, and for an IPv6 socket bound to the wildcard or an IPv4-mapped address (it may send
     * to IPv4 peers as {@code ::ffff:a.b.c.d}).
     */
    public static int maxPayload(InetSocketAddress local) {
        // (Java turns an IPv4-mapped IPv6 address into an Inet4Address.)
        return local.getAddress() instanceof Inet6Address v6 && !v6.isAnyLocalAddress()
                ? MAX_IPV6_PAYLOAD : MAX_IPV4_PAYLOAD;
    }

    /** The largest datagram a backend over {@code pool} bound to {@code local} sends and receives. */
    public static int maxDatagram(PacketPool pool, InetSocketAddress local) {
        return Math.min(pool.maxDatagram(), maxPayload(local));
    }
}
