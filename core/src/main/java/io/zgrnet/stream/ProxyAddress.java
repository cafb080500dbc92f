package io.zgrnet.stream;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The SYN metadata of zgrnet's TCP proxy (proto 69; Go's {@code noise.Address}):
 * {@code atyp u8 · address · port u16 BE}, with atyp 1 = IPv4 (4 bytes), 3 = domain (length u8 ·
 * name), 4 = IPv6 (16 bytes). The port is big endian, unlike every other integer of zgrnet.
 * Immutable.
 */
public final class ProxyAddress {
    /** atyp of an IPv4 address. */
    public static final int IPV4 = 1;
    /** atyp of a domain name. */
    public static final int DOMAIN = 3;
    /** atyp of an IPv6 address. */
    public static final int IPV6 = 4;

    private final int type;
    private final byte[] address;
    private final int port;

    private ProxyAddress(int type, byte[] address, int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port: must be in 0..65535, got " + port);
        }
        this.type = type;
        this.address = address;
        this.port = port;
    }

    /** An IP address (IPv4 or IPv6) and port. */
    public static ProxyAddress of(InetAddress ip, int port) {
        Objects.requireNonNull(ip, "ip");
        return new ProxyAddress(ip instanceof Inet4Address ? IPV4 : IPV6, ip.getAddress(), port);
    }

    /** A domain name (1-255 bytes of UTF-8) and port. */
    public static ProxyAddress domain(String name, int port) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0 || b.length > 255) {
            throw new IllegalArgumentException("name: must be 1..255 bytes, got " + b.length);
        }
        return new ProxyAddress(DOMAIN, b, port);
    }

    /**
     * Parses the metadata; bytes after the port are ignored.
     *
     * @return the address, or null when it is truncated or its atyp is unknown
     */
    public static ProxyAddress decode(byte[] src, int off, int len) {
        if (len < 1) {
            return null;
        }
        int type = src[off] & 0xFF;
        int addrOff = off + 1;
        int addrLen;
        switch (type) {
            case IPV4 -> addrLen = 4;
            case IPV6 -> addrLen = 16;
            case DOMAIN -> {
                if (len < 2) {
                    return null;
                }
                addrLen = src[off + 1] & 0xFF;
                addrOff++;
            }
            default -> {
                return null;
            }
        }
        int needed = addrOff - off + addrLen + 2;
        if (len < needed || (type == DOMAIN && addrLen == 0)) {
            return null;
        }
        int port = ((src[addrOff + addrLen] & 0xFF) << 8) | (src[addrOff + addrLen + 1] & 0xFF);
        return new ProxyAddress(type, Arrays.copyOfRange(src, addrOff, addrOff + addrLen), port);
    }

    /** Encoded length in bytes. */
    public int encodedLength() {
        return 1 + (type == DOMAIN ? 1 : 0) + address.length + 2;
    }

    /** Writes the encoding at {@code dst[off]}; returns its length. */
    public int encode(byte[] dst, int off) {
        int p = off;
        dst[p++] = (byte) type;
        if (type == DOMAIN) {
            dst[p++] = (byte) address.length;
        }
        System.arraycopy(address, 0, dst, p, address.length);
        p += address.length;
        dst[p++] = (byte) (port >>> 8);
        dst[p++] = (byte) port;
        return p - off;
    }

    /** The encoding in a new array. */
    public byte[] encode() {
        byte[] b = new byte[encodedLength()];
        encode(b, 0);
        return b;
    }

    /** atyp: {@link #IPV4}, {@link #DOMAIN} or {@link #IPV6}. */
    public int type() {
        return type;
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** The host: the domain name, or the IP address in its usual text form. */
    public String host() {
        if (type == DOMAIN) {
            return new String(address, StandardCharsets.UTF_8);
        }
        try {
            return InetAddress.getByAddress(address).getHostAddress(); // no lookup for a raw address
        } catch (UnknownHostException e) {
            throw new IllegalStateException("unreachable: address of length " + address.length, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyAddress p && p.type == type && p.port == port && Arrays.equals(p.address, address);
    }

    @Override
    public int hashCode() {
        return (type * 31 + port) * 31 + Arrays.hashCode(address);
    }

    @Override
    public String toString() {
        return (type == IPV6 ? "[" + host() + "]" : host()) + ":" + port;
    }
}
