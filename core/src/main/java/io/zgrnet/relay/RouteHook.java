package io.zgrnet.relay;

import io.zgrnet.PeerKey;
import java.lang.foreign.MemorySegment;

/**
 * Dynamic routing: consulted before the static and learned routes for every datagram this node
 * relays, e.g. to pick among several relays by measured RTT or price (the strategy byte says what
 * the source prefers). Set with {@link RouteTable#hook(RouteHook)}.
 *
 * <p>Called on the relay's owner thread once per relayed datagram: it must not block and should not
 * allocate. Implement it as a class with fields, not a capturing lambda.
 */
@FunctionalInterface
public interface RouteHook {
    /**
     * The next hop towards a destination.
     *
     * @param dst the segment holding the destination key
     * @param dstOff where the 32 key bytes start (use {@link PeerDirectory#find} to get its {@code
     *        PeerKey})
     * @param strategy the strategy byte of the message (0 auto, 1 fastest, 2 cheapest, or other)
     * @return the next hop (the destination itself means "deliver directly"), or null for no
     *         opinion: the route table decides
     */
    PeerKey nextHop(MemorySegment dst, long dstOff, int strategy);
}
