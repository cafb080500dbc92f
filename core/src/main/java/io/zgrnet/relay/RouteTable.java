package io.zgrnet.relay;

import io.zgrnet.PeerKey;
import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * A node's routes: destination public key to next-hop public key (services.md §4.1), in two
 * layers, plus an optional {@link RouteHook} consulted first.
 *
 * <ul>
 *   <li><b>Static routes</b> ({@link #put}) are set by the application.</li>
 *   <li><b>Learned routes</b> ({@link #learn}) are what the destination of a relayed handshake
 *       records: "answer this initiator through the neighbour that relayed its init". Go writes
 *       these into its single table and so lets any relayed init overwrite a configured route
 *       (services.md §6.4.7); here a static route always wins, and the transport calls
 *       {@link #learn} only after the init has authenticated.</li>
 * </ul>
 *
 * <p>Semantics are Go's: {@link #nextHop(PeerKey)} is the route, or the destination itself when
 * there is none (never "no route"); {@link #relayFor} is the route unless absent or equal to the
 * destination. No expiry, no metric, no exchange protocol.
 *
 * <p>Concurrency: copy-on-write like {@link PeerDirectory}. Writers (application, control agent)
 * serialise on this object; the relay's owner thread reads volatile snapshots without blocking or
 * allocating.
 */
public final class RouteTable {
    private final int maxStatic;
    private final int maxLearned;
    private volatile KeyTable<PeerKey> statics;
    private volatile KeyTable<PeerKey> learned;
    private volatile RouteHook hook;

    /** A table holding at most {@code maxStatic} static and {@code maxLearned} learned routes. */
    public RouteTable(int maxStatic, int maxLearned) {
        if (maxStatic < 0 || maxLearned < 0) {
            throw new IllegalArgumentException("maxStatic/maxLearned: must be >= 0, got " + maxStatic + ", "
                    + maxLearned);
        }
        SecureRandom random = new SecureRandom();
        this.maxStatic = maxStatic;
        this.maxLearned = maxLearned;
        this.statics = KeyTable.empty(random.nextLong());
        this.learned = KeyTable.empty(random.nextLong());
    }

    /**
     * Sets the static route {@code dst → nextHop}. A route to itself ({@code nextHop == dst}) means
     * "direct", as in Go.
     *
     * @return false if the static table is full (nothing changed)
     */
    public synchronized boolean put(PeerKey dst, PeerKey nextHop) {
        PeerDirectory.requireKey(dst);
        PeerDirectory.requireKey(nextHop);
        KeyTable<PeerKey> t = statics;
        if (t.key(dst) == null && t.size() >= maxStatic) {
            return false;
        }
        statics = t.with(dst, nextHop);
        return true;
    }

    /** Removes the static route for {@code dst}; returns whether there was one. */
    public synchronized boolean remove(PeerKey dst) {
        PeerDirectory.requireKey(dst);
        KeyTable<PeerKey> t = statics;
        statics = t.without(dst);
        return statics != t;
    }

    /**
     * Records that {@code dst} is answered through the neighbour {@code via}: call it when an
     * authenticated handshake init from {@code dst} arrived in a RELAY_2 from {@code via}. A
     * {@code via} equal to {@code dst} removes the learned route (direct).
     *
     * @return false if a static route for {@code dst} exists (it wins; nothing changed) or the
     *         learned table is full
     */
    public synchronized boolean learn(PeerKey dst, PeerKey via) {
        PeerDirectory.requireKey(dst);
        PeerDirectory.requireKey(via);
        if (statics.key(dst) != null) {
            return false;
        }
        KeyTable<PeerKey> t = learned;
        if (via.equals(dst)) {
            learned = t.without(dst);
            return true;
        }
        if (t.key(dst) == null && t.size() >= maxLearned) {
            return false;
        }
        learned = t.with(dst, via);
        return true;
    }

    /** Removes the learned route for {@code dst}; returns whether there was one. */
    public synchronized boolean forget(PeerKey dst) {
        PeerDirectory.requireKey(dst);
        KeyTable<PeerKey> t = learned;
        learned = t.without(dst);
        return learned != t;
    }

    /** Sets (or with null clears) the dynamic routing hook. */
    public void hook(RouteHook hook) {
        this.hook = hook;
    }

    /** The dynamic routing hook, or null. */
    public RouteHook hook() {
        return hook;
    }

    /** The route for {@code dst} (static, else learned), or null. The hook is not consulted. */
    public PeerKey route(PeerKey dst) {
        PeerKey nh = statics.get(dst);
        return nh != null ? nh : learned.get(dst);
    }

    /** Go's {@code NextHop}: the route for {@code dst}, or {@code dst} itself when there is none. */
    public PeerKey nextHop(PeerKey dst) {
        PeerKey nh = route(dst);
        return nh != null ? nh : dst;
    }

    /**
     * Go's {@code RelayFor}: the relay to send {@code dst}'s traffic through, or null to send
     * directly (no route, or a route to itself). The source side asks this before every send.
     */
    public PeerKey relayFor(PeerKey dst) {
        PeerKey nh = route(dst);
        return nh == null || nh.equals(dst) ? null : nh;
    }

    /**
     * The relay's lookup for the destination key at {@code dst[off, off+32)}: the hook's answer if
     * it has one, else the static route, else the learned route, else null (meaning "direct").
     * No allocation beyond what the hook does.
     */
    public PeerKey lookup(MemorySegment dst, long off, int strategy) {
        RouteHook h = hook;
        if (h != null) {
            PeerKey nh = h.nextHop(dst, off, strategy);
            if (nh != null) {
                return nh;
            }
        }
        PeerKey nh = statics.get(dst, off);
        return nh != null ? nh : learned.get(dst, off);
    }

    /** A copy of the static routes (allocates; tools and tests). */
    public Map<PeerKey, PeerKey> staticRoutes() {
        Map<PeerKey, PeerKey> out = new HashMap<>();
        statics.forEach(out::put);
        return out;
    }

    /** A copy of the learned routes (allocates; tools and tests). */
    public Map<PeerKey, PeerKey> learnedRoutes() {
        Map<PeerKey, PeerKey> out = new HashMap<>();
        learned.forEach(out::put);
        return out;
    }
}
