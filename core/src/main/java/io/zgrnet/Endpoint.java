package io.zgrnet;

import io.zgrnet.io.PacketPool;
import io.zgrnet.sys.SockAddr;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * A peer's UDP address, held both as the raw sockaddr the kernel uses and as an
 * {@link InetSocketAddress} for people. Immutable: roaming replaces the peer's endpoint with a new
 * one (rare), so the send path copies the raw bytes without allocating or locking. The raw bytes
 * live on the heap (copies into pool slots need no native memory, and nothing waits for a cleaner).
 */
final class Endpoint {
    private final MemorySegment sockaddr;
    private final InetSocketAddress address;

    private Endpoint(MemorySegment sockaddr, InetSocketAddress address) {
        this.sockaddr = sockaddr;
        this.address = address;
    }

    static Endpoint of(InetSocketAddress address) {
        if (address == null || address.isUnresolved()) {
            throw new IllegalArgumentException("endpoint: must be a resolved address, got " + address);
        }
        MemorySegment raw = MemorySegment.ofArray(new byte[PacketPool.ADDRESS_SIZE]);
        SockAddr.write(raw, 0, address);
        return new Endpoint(raw, address);
    }

    /** Copies a received source address (e.g. from a pool slot's address area). */
    static Endpoint copyOf(MemorySegment segment, long offset) {
        MemorySegment raw = MemorySegment.ofArray(new byte[PacketPool.ADDRESS_SIZE]);
        SockAddr.copy(segment, offset, raw, 0);
        return new Endpoint(raw, SockAddr.read(raw, 0));
    }

    /** True if the sockaddr at {@code segment[offset]} is this endpoint; no allocation. */
    boolean matches(MemorySegment segment, long offset) {
        return SockAddr.equals(sockaddr, 0, segment, offset);
    }

    /** True if {@code other} is the same address. */
    boolean sameAs(Endpoint other) {
        return other != null && SockAddr.equals(sockaddr, 0, other.sockaddr, 0);
    }

    /** Writes this endpoint into a pool slot's address area; no allocation. */
    void writeTo(MemorySegment segment, long offset) {
        SockAddr.copy(sockaddr, 0, segment, offset);
    }

    InetSocketAddress address() {
        return address;
    }

    @Override
    public String toString() {
        return SockAddr.format(address);
    }
}
