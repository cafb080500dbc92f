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
 *
 * <p>Or a <b>relayed</b> endpoint, "through peer R" (docs/RELAY.md): no address of its own; a
 * datagram for it is wrapped in RELAY_0 for {@link #relayedTo()} and sealed again on the session
 * with {@link #relay()}, which must have a direct endpoint ({@link SendPath}).
 */
final class Endpoint {
    private final MemorySegment sockaddr;
    private final InetSocketAddress address;
    /** The relay a relayed endpoint goes through (null: a direct address). */
    private final Peer relay;
    /** A relayed endpoint's destination key, the RELAY_0 dst (32 bytes, heap). */
    private final MemorySegment relayedTo;

    private Endpoint(MemorySegment sockaddr, InetSocketAddress address) {
        this.sockaddr = sockaddr;
        this.address = address;
        this.relay = null;
        this.relayedTo = null;
    }

    private Endpoint(Peer relay, byte[] destination) {
        this.sockaddr = null;
        this.address = null;
        this.relay = relay;
        this.relayedTo = MemorySegment.ofArray(destination.clone());
    }

    /** "Through {@code relay}" to the peer with public key {@code destination}. */
    static Endpoint relayed(Peer relay, byte[] destination) {
        return new Endpoint(relay, destination);
    }

    /** The relay of a relayed endpoint, null for a direct one. */
    Peer relay() {
        return relay;
    }

    /** A relayed endpoint's destination public key (32 bytes). */
    MemorySegment relayedTo() {
        return relayedTo;
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
        return relay == null && SockAddr.equals(sockaddr, 0, segment, offset);
    }

    /** True if {@code other} is the same address (or goes through the same relay). */
    boolean sameAs(Endpoint other) {
        if (other == null || (relay == null) != (other.relay == null)) {
            return false;
        }
        return relay != null ? relay == other.relay && relayedTo.mismatch(other.relayedTo) < 0
                : SockAddr.equals(sockaddr, 0, other.sockaddr, 0);
    }

    /** Writes this endpoint into a pool slot's address area; no allocation. */
    void writeTo(MemorySegment segment, long offset) {
        SockAddr.copy(sockaddr, 0, segment, offset);
    }

    /** The address of a direct endpoint; a relayed one's is its relay's (null if it has none). */
    InetSocketAddress address() {
        if (relay != null) {
            Endpoint hop = relay.endpoint;
            return hop == null || hop.relay != null ? null : hop.address;
        }
        return address;
    }

    @Override
    public String toString() {
        return relay != null ? "via " + relay.key : SockAddr.format(address);
    }
}
