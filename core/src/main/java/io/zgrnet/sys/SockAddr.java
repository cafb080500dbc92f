package io.zgrnet.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * Raw socket addresses ({@link SockaddrIn}, {@link SockaddrIn6}) in native memory: conversion
 * to and from {@link InetSocketAddress}, and allocation-free accessors and comparison for the
 * packet path.
 *
 * <p>Dual-stack note: a datagram from an IPv4 peer arriving on an IPv6 socket bound to {@code ::}
 * carries an IPv4-mapped source ({@code ::ffff:a.b.c.d}, family AF_INET6); {@link #read} turns it
 * into an {@link Inet4Address}, while {@link #equals} compares the raw bytes and so tells a mapped
 * address from a plain AF_INET one. Linux accepts an AF_INET destination on a dual-stack IPv6
 * socket, so {@link #write} always writes the address's own family.
 *
 * <p>Stateless and thread-safe.
 */
public final class SockAddr {
    /** The largest address this class writes ({@code sizeof(struct sockaddr_in6)}). */
    public static final int MAX_SIZE = SockaddrIn6.SIZE;

    private static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT_UNALIGNED; // host order
    private static final ValueLayout.OfShort PORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt SCOPE = ValueLayout.JAVA_INT_UNALIGNED; // host order

    private SockAddr() {
    }

    /**
     * Writes {@code address} as a sockaddr_in (IPv4) or sockaddr_in6 (IPv6) at {@code offset},
     * zeroing the padding and flow info; the segment needs {@link #MAX_SIZE} bytes from there for
     * IPv6. Allocates only the address bytes' copy ({@link InetAddress#getAddress()}).
     *
     * @return the address length to pass to the kernel (16 or 28)
     * @throws IllegalArgumentException if {@code address} is unresolved
     */
    public static int write(MemorySegment segment, long offset, InetSocketAddress address) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address is unresolved: " + address);
        }
        InetAddress ip = address.getAddress();
        byte[] bytes = ip.getAddress();
        if (ip instanceof Inet4Address) {
            segment.set(LONG, offset + SockaddrIn.SIN_ZERO, 0L);
            segment.set(FAMILY, offset + SockaddrIn.SIN_FAMILY, (short) Net.AF_INET);
            segment.set(PORT, offset + SockaddrIn.SIN_PORT, (short) address.getPort());
            MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, offset + SockaddrIn.SIN_ADDR, 4);
            return SockaddrIn.SIZE;
        }
        segment.set(FAMILY, offset + SockaddrIn6.SIN6_FAMILY, (short) Net.AF_INET6);
        segment.set(PORT, offset + SockaddrIn6.SIN6_PORT, (short) address.getPort());
        segment.set(INT, offset + SockaddrIn6.SIN6_FLOWINFO, 0);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, offset + SockaddrIn6.SIN6_ADDR, 16);
        segment.set(SCOPE, offset + SockaddrIn6.SIN6_SCOPE_ID, ((Inet6Address) ip).getScopeId());
        return SockaddrIn6.SIZE;
    }

    /**
     * Reads the sockaddr at {@code offset} (allocates the result).
     *
     * @throws IllegalArgumentException if the family is neither AF_INET nor AF_INET6
     */
    public static InetSocketAddress read(MemorySegment segment, long offset) {
        int family = family(segment, offset);
        try {
            if (family == Net.AF_INET) {
                byte[] ip = new byte[4];
                MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset + SockaddrIn.SIN_ADDR, ip, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(ip), port(segment, offset));
            }
            if (family == Net.AF_INET6) {
                byte[] ip = new byte[16];
                MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset + SockaddrIn6.SIN6_ADDR, ip, 0, 16);
                int scope = segment.get(SCOPE, offset + SockaddrIn6.SIN6_SCOPE_ID);
                // getByAddress turns an IPv4-mapped address into an Inet4Address.
                InetAddress address = scope == 0 ? InetAddress.getByAddress(ip)
                        : Inet6Address.getByAddress(null, ip, scope);
                return new InetSocketAddress(address, port(segment, offset));
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("address of fixed length rejected", e);
        }
        throw new IllegalArgumentException("not an AF_INET/AF_INET6 sockaddr: family " + family);
    }

    /** The address family (host-order u16): {@link Net#AF_INET}, {@link Net#AF_INET6} or other. */
    public static int family(MemorySegment segment, long offset) {
        return Short.toUnsignedInt(segment.get(FAMILY, offset));
    }

    /** The port (sin_port and sin6_port share offset 2). */
    public static int port(MemorySegment segment, long offset) {
        return Short.toUnsignedInt(segment.get(PORT, offset + SockaddrIn.SIN_PORT));
    }

    /** The kernel length for the family at {@code offset}: 16, 28, or 0 for an unknown family. */
    public static int length(MemorySegment segment, long offset) {
        return switch (family(segment, offset)) {
            case Net.AF_INET -> SockaddrIn.SIZE;
            case Net.AF_INET6 -> SockaddrIn6.SIZE;
            default -> 0;
        };
    }

    /**
     * Compares two raw addresses without allocating: same family, port and address (and scope id
     * for IPv6; flow info and padding are ignored). Unknown families never compare equal.
     */
    public static boolean equals(MemorySegment a, long aOffset, MemorySegment b, long bOffset) {
        int family = family(a, aOffset);
        if (family != family(b, bOffset) || port(a, aOffset) != port(b, bOffset)) {
            return false;
        }
        if (family == Net.AF_INET) {
            return a.get(INT, aOffset + SockaddrIn.SIN_ADDR) == b.get(INT, bOffset + SockaddrIn.SIN_ADDR);
        }
        if (family == Net.AF_INET6) {
            long a6 = aOffset + SockaddrIn6.SIN6_ADDR;
            long b6 = bOffset + SockaddrIn6.SIN6_ADDR;
            return a.get(LONG, a6) == b.get(LONG, b6)
                    && a.get(LONG, a6 + 8) == b.get(LONG, b6 + 8)
                    && a.get(SCOPE, aOffset + SockaddrIn6.SIN6_SCOPE_ID)
                    == b.get(SCOPE, bOffset + SockaddrIn6.SIN6_SCOPE_ID);
        }
        return false;
    }

    /**
     * The source a rate limit applies to, as one long, without allocating: an IPv4 address (also
     * when IPv4-mapped in IPv6), or an IPv6 /64 prefix (one host's whole allocation, as
     * WireGuard's limiter does); 0 for an unknown family.
     */
    public static long sourceKey(MemorySegment segment, long offset) {
        int family = family(segment, offset);
        if (family == Net.AF_INET) {
            return (long) Net.AF_INET << 56 | Integer.toUnsignedLong(segment.get(INT, offset + SockaddrIn.SIN_ADDR));
        }
        if (family == Net.AF_INET6) {
            long a6 = offset + SockaddrIn6.SIN6_ADDR;
            long high = segment.get(LONG, a6);
            int mid = segment.get(INT, a6 + 8);
            if (high == 0 && mid == 0xFFFF0000) { // ::ffff:a.b.c.d in memory order (little-endian int)
                return (long) Net.AF_INET << 56 | Integer.toUnsignedLong(segment.get(INT, a6 + 12));
            }
            return high == 0 ? 1 : high; // the /64 prefix (never 0: 0 means "no key")
        }
        return 0;
    }

    /** Copies the raw address at {@code from} to {@code to} ({@link #MAX_SIZE} bytes). */
    public static void copy(MemorySegment from, long fromOffset, MemorySegment to, long toOffset) {
        MemorySegment.copy(from, fromOffset, to, toOffset, MAX_SIZE);
    }

    /** "127.0.0.1:5000" or "[::1]:5000": for messages naming an address. */
    public static String format(InetSocketAddress address) {
        String host = address.isUnresolved() ? address.getHostString() : address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
