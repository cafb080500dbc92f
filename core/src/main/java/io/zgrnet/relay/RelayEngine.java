package io.zgrnet.relay;

import io.zgrnet.PeerKey;
import io.zgrnet.config.Clock;
import io.zgrnet.ping.NodeMetrics;
import io.zgrnet.ping.Pong;
import io.zgrnet.ping.PingResponder;
import io.zgrnet.wire.ProtocolByte;
import io.zgrnet.wire.WireResult;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;

/**
 * The relay's decisions for one node, as pure code: given a decrypted message that arrived
 * directly over the session with a neighbour (its authenticated peer, protocol byte and body), say
 * what to do: forward it, answer it, deliver its inner datagram locally, pass it to the
 * application, or refuse it with a named, counted reason. The caller does the sending.
 *
 * <p>What it does, by protocol byte (services.md §1, §4.4, §4.5, §5):
 * <ul>
 *   <li>66 RELAY_0 from P: ttl 0 refused; the next hop for dst is the {@link RouteTable#lookup
 *       route} (hook, static, learned) or dst itself; dst itself → RELAY_2 {src = P} to dst,
 *       otherwise RELAY_1 {ttl − 1, same strategy, src = P, dst} to the next hop.</li>
 *   <li>67 RELAY_1: the same, with the src field carried as given.</li>
 *   <li>68 RELAY_2: DELIVER the payload, via P, with the claimed src.</li>
 *   <li>70 PING: ANSWER with a PONG carrying this node's metrics.</li>
 *   <li>73 RELAY_0_ALIAS, in bind mode only: forward along the binding.</li>
 *   <li>everything else, including 71 PONG and 72, 74-77: PASS, as Go does.</li>
 * </ul>
 * A relay never opens or changes the inner datagram and sends at most one datagram onward per
 * datagram in (in bind mode a new binding adds one 36-byte BIND back to the authenticated sender,
 * once per binding). Where we are stricter than Go, the comment at the check says so.
 *
 * <p>Call {@link #handle} only for messages that came <b>directly</b> over a hop session. Relay and
 * ping bytes found inside a relayed end-to-end message are not acted on (Go hands them to the
 * application): pass those to the application without calling this.
 *
 * <p>Concurrency: one owner thread (the transport's receive consumer) calls {@link #handle} and
 * {@link #expireBindings}; the rate limiter, bind table and scratch buffers are its alone. The
 * {@link PeerDirectory} and {@link RouteTable} may be changed from other threads meanwhile (they
 * publish immutable snapshots); {@link #metrics(NodeMetrics)} and {@link #stats()} are safe from
 * any thread. Nothing is allocated per datagram, except once per new neighbour in the rate limiter.
 */
public final class RelayEngine {
    private static final System.Logger LOG = System.getLogger(RelayEngine.class.getName());

    private final RelayConfig config;
    private final PeerDirectory directory;
    private final RouteTable routes;
    private final Clock clock;
    private final PeerKey localKey;
    private final MemorySegment localKeyBytes;
    private final PingResponder pings;
    private final RateLimiter limiter;
    private final BindTable binds;
    private final RelayStats stats = new RelayStats();
    /** The sending neighbour's key bytes, for the src field of what we write. */
    private final MemorySegment fromKey = MemorySegment.ofArray(new byte[RelayConstants.KEY_LENGTH]);
    /** A binding's destination key, for an ALIAS. */
    private final MemorySegment bindDst = MemorySegment.ofArray(new byte[RelayConstants.KEY_LENGTH]);
    /** The RELAY_0_BIND answer of bind mode. */
    private final MemorySegment bindOut = MemorySegment.ofArray(new byte[Relay0Bind.LENGTH]);

    /**
     * @param config the settings
     * @param directory the peers the transport knows (senders must be listed; next hops must be)
     * @param routes this node's routes
     * @param clock time for the rate limiter and binding ages
     */
    public RelayEngine(RelayConfig config, PeerDirectory directory, RouteTable routes, Clock clock) {
        if (config == null || directory == null || routes == null || clock == null) {
            throw new IllegalArgumentException("config, directory, routes and clock are required");
        }
        this.config = config;
        this.directory = directory;
        this.routes = routes;
        this.clock = clock;
        this.localKey = config.localKey();
        this.localKeyBytes = MemorySegment.ofArray(localKey.toBytes());
        this.pings = new PingResponder(config.metrics());
        this.limiter = new RateLimiter(config.ratePerSecond(), config.rateBurst(), config.maxRateSources());
        this.binds = new BindTable(config.bindCapacity());
        LOG.log(Level.DEBUG, "relay engine for {0}: relaying={1}, pings={2}, bindMode={3}, rate={4}/s burst {5}",
                localKey, config.relaying(), config.answerPings(), config.bindMode(), config.ratePerSecond(),
                config.rateBurst());
    }

    /**
     * Decides what to do with one message received directly from the neighbour {@code from}.
     *
     * <p>The output buffer receives the body to send for FORWARD/ANSWER. It must not overlap the
     * input body. To seal in place afterwards, point it where the transport's seal expects the
     * payload (after the 13-byte header and the protocol byte of a send slot).
     *
     * @param from the authenticated peer of the session the message arrived on
     * @param protocol the protocol byte
     * @param body the segment holding the body (after the protocol byte)
     * @param off where the body starts
     * @param len body length
     * @param out where to write a body to send
     * @param outOff where in {@code out}
     * @param outCap bytes available at {@code out[outOff]}
     * @param action filled with the decision
     * @return {@code action.kind()}: {@link RelayAction#FORWARD}, {@link RelayAction#ANSWER},
     *         {@link RelayAction#DELIVER}, {@link RelayAction#PASS} or {@link RelayAction#REFUSED}
     */
    public int handle(PeerKey from, int protocol, MemorySegment body, long off, int len, MemorySegment out,
                      long outOff, int outCap, RelayAction action) {
        action.reset();
        return switch (protocol) {
            case ProtocolByte.RELAY0 -> relay0(from, body, off, len, out, outOff, outCap, action);
            case ProtocolByte.RELAY1 -> relay1(from, body, off, len, out, outOff, outCap, action);
            case ProtocolByte.RELAY2 -> relay2(from, body, off, len, action);
            case ProtocolByte.PING -> ping(from, body, off, len, out, outOff, outCap, action);
            // Go's transport has no handler for 72-77 and gives them to the application; so do
            // we, unless bind mode was asked for (then only RELAY_0_ALIAS has a meaning, as in
            // zgrnet's relay library; RELAY_0_BIND and the rest stay application data).
            case ProtocolByte.RELAY0_ALIAS -> config.bindMode()
                    ? alias(from, body, off, len, out, outOff, outCap, action)
                    : pass(action);
            default -> pass(action);
        };
    }

    /**
     * For a DELIVER: checks that the RELAY_2 src names the peer the inner datagram authenticated
     * as (the end-to-end session's peer, or the initiator of a relayed handshake). Call it after
     * the transport opened the inner datagram; {@code sessionPeer} must be in the directory.
     *
     * <p>Go attributes relayed data to the src field without comparing (services.md §6.4.7); no Go
     * relay writes a wrong src, so a mismatch means a lying relay: refuse it.
     *
     * @return true if they match; false (counted as {@link RelayCounter#REFUSED_SOURCE_MISMATCH})
     *         otherwise
     */
    public boolean verifyRelayedSource(RelayAction delivered, PeerKey sessionPeer) {
        if (delivered.kind() == RelayAction.DELIVER
                && directory.matches(sessionPeer, delivered.input(), delivered.sourceOffset())) {
            return true;
        }
        stats.increment(RelayCounter.REFUSED_SOURCE_MISMATCH);
        return false;
    }

    /** Bind mode: removes bindings at least {@code maxAgeNs} old (owner thread). */
    public int expireBindings(long maxAgeNs) {
        return binds.expire(maxAgeNs, clock.nanoTime());
    }

    /** Replaces the metrics reported in PONGs (any thread). */
    public void metrics(NodeMetrics metrics) {
        pings.metrics(metrics);
    }

    /** The counters. */
    public RelayStats stats() {
        return stats;
    }

    /** The settings. */
    public RelayConfig config() {
        return config;
    }

    /** Bind mode's table (owner thread only). */
    public BindTable binds() {
        return binds;
    }

    // ------------------------------------------------------------------------------ handlers

    private int relay0(PeerKey from, MemorySegment body, long off, int len, MemorySegment out, long outOff,
                       int outCap, RelayAction a) {
        if (!config.relaying()) {
            return refuse(a, RelayCounter.REFUSED_RELAY_DISABLED);
        }
        if (Relay0.validate(body, off, len) != WireResult.OK) {
            return refuse(a, RelayCounter.REFUSED_TOO_SHORT);
        }
        int ttl = Relay0.ttl(body, off);
        if (ttl == 0) {
            return refuse(a, RelayCounter.REFUSED_TTL_EXPIRED); // before routing, even for a direct dst (Go)
        }
        int payloadLen = Relay0.payloadLength(len);
        if (payloadLen == 0) {
            // Go forwards it and the destination then drops it (§4.5); we save the trip.
            return refuse(a, RelayCounter.REFUSED_EMPTY_PAYLOAD);
        }
        // The source of a RELAY_0 is the authenticated peer it came from, never a field.
        if (!directory.writeKey(from, fromKey, 0)) {
            return refuse(a, RelayCounter.REFUSED_UNKNOWN_SENDER);
        }
        int r = forward(from, fromKey, 0, ttl, Relay0.strategy(body, off), body, Relay0.dstOffset(off),
                Relay0.payloadOffset(off), payloadLen, out, outOff, outCap, a);
        if (r == RelayAction.FORWARD && config.bindMode()) {
            bind(from, body, Relay0.dstOffset(off), a);
        }
        return r;
    }

    private int relay1(PeerKey from, MemorySegment body, long off, int len, MemorySegment out, long outOff,
                       int outCap, RelayAction a) {
        if (!config.relaying()) {
            return refuse(a, RelayCounter.REFUSED_RELAY_DISABLED);
        }
        if (Relay1.validate(body, off, len) != WireResult.OK) {
            return refuse(a, RelayCounter.REFUSED_TOO_SHORT);
        }
        int ttl = Relay1.ttl(body, off);
        if (ttl == 0) {
            return refuse(a, RelayCounter.REFUSED_TTL_EXPIRED);
        }
        int payloadLen = Relay1.payloadLength(len);
        if (payloadLen == 0) {
            return refuse(a, RelayCounter.REFUSED_EMPTY_PAYLOAD);
        }
        // Tolerated from Go (§6.4.7): a RELAY_1 is accepted from any neighbour and its src is
        // carried as given. Nothing on this hop can prove it; the destination checks it against
        // the end-to-end session (verifyRelayedSource). The rate limit applies to `from`.
        return forward(from, body, Relay1.srcOffset(off), ttl, Relay1.strategy(body, off), body,
                Relay1.dstOffset(off), Relay1.payloadOffset(off), payloadLen, out, outOff, outCap, a);
    }

    private int relay2(PeerKey from, MemorySegment body, long off, int len, RelayAction a) {
        // Accepted from any neighbour and with relaying off, as in Go: delivering costs no send.
        if (Relay2.validate(body, off, len) != WireResult.OK) {
            return refuse(a, RelayCounter.REFUSED_TOO_SHORT);
        }
        int payloadLen = Relay2.payloadLength(len);
        if (payloadLen == 0) {
            return refuse(a, RelayCounter.REFUSED_EMPTY_PAYLOAD); // Go drops it too (§4.5)
        }
        // The inner type (1, 2 or 4) is checked by the transport's own dispatcher, which counts
        // unknown types; the src is only a claim until verifyRelayedSource.
        stats.increment(RelayCounter.DELIVERED);
        return a.deliver(from, body, Relay2.srcOffset(off), Relay2.payloadOffset(off), payloadLen);
    }

    private int ping(PeerKey from, MemorySegment body, long off, int len, MemorySegment out, long outOff,
                     int outCap, RelayAction a) {
        if (!config.answerPings()) {
            return refuse(a, RelayCounter.REFUSED_PING_DISABLED);
        }
        if (io.zgrnet.ping.Ping.validate(body, off, len) != WireResult.OK) {
            return refuse(a, RelayCounter.REFUSED_TOO_SHORT);
        }
        if (outCap < Pong.LENGTH) {
            return refuse(a, RelayCounter.REFUSED_BUFFER_TOO_SMALL);
        }
        if (!limiter.allow(from, clock.nanoTime())) {
            return refuse(a, RelayCounter.REFUSED_RATE_LIMITED);
        }
        int n = pings.answer(body, off, len, out, outOff);
        stats.increment(RelayCounter.PONGS_SENT);
        // Straight back over the session it came in on, as Go does (never routed).
        return a.send(RelayAction.ANSWER, from, ProtocolByte.PONG, out, outOff, n);
    }

    private int alias(PeerKey from, MemorySegment body, long off, int len, MemorySegment out, long outOff,
                      int outCap, RelayAction a) {
        if (!config.relaying()) {
            return refuse(a, RelayCounter.REFUSED_RELAY_DISABLED);
        }
        if (RelayAlias.validate(body, off, len) != WireResult.OK) {
            return refuse(a, RelayCounter.REFUSED_TOO_SHORT);
        }
        int slot = binds.slotOf(RelayAlias.relayId(body, off));
        if (slot < 0) {
            return refuse(a, RelayCounter.REFUSED_UNKNOWN_ALIAS);
        }
        // Only the peer the binding was made for may use it (as in zgrnet's library).
        if (!binds.source(slot).equals(from)) {
            return refuse(a, RelayCounter.REFUSED_SOURCE_MISMATCH);
        }
        int payloadLen = RelayAlias.payloadLength(len);
        if (payloadLen == 0) {
            return refuse(a, RelayCounter.REFUSED_EMPTY_PAYLOAD);
        }
        if (!directory.writeKey(from, fromKey, 0)) {
            return refuse(a, RelayCounter.REFUSED_UNKNOWN_SENDER);
        }
        PeerKey target = directory.canonical(binds.nextHop(slot));
        if (target == null) {
            return refuse(a, RelayCounter.REFUSED_NO_ROUTE); // the next hop left since the BIND
        }
        if (target.equals(from)) {
            return refuse(a, RelayCounter.REFUSED_LOOP);
        }
        binds.writeDst(slot, bindDst, 0);
        boolean direct = directory.matches(target, bindDst, 0);
        // zgrnet's library does not remember the RELAY_0's ttl and strategy: a RELAY_1 made from an
        // ALIAS starts again at ttl 8, strategy 0. Bindings exist only at the first hop, where 8 is
        // the starting ttl anyway, so we do the same.
        return emit(from, fromKey, 0, RelayConstants.DEFAULT_TTL, RelayConstants.STRATEGY_AUTO, direct, target,
                bindDst, 0, body, RelayAlias.payloadOffset(off), payloadLen, out, outOff, outCap, a);
    }

    private int pass(RelayAction a) {
        stats.increment(RelayCounter.PASSED);
        return a.pass();
    }

    // ------------------------------------------------------------------------------ forwarding

    /** Routes a RELAY_0/RELAY_1 towards the key at {@code dst[dstOff]} and writes what goes out. */
    private int forward(PeerKey from, MemorySegment src, long srcOff, int ttl, int strategy, MemorySegment dst,
                        long dstOff, long payloadOff, int payloadLen, MemorySegment out, long outOff, int outCap,
                        RelayAction a) {
        // Stricter than Go, which would try to send to itself or bounce a datagram back and forth
        // until the ttl runs out: a next hop equal to this node or to the sender is a loop.
        if (Bytes.sameKey(dst, dstOff, localKeyBytes, 0)) {
            return refuse(a, RelayCounter.REFUSED_LOOP);
        }
        PeerKey dstKey = directory.find(dst, dstOff);
        PeerKey nextHop = routes.lookup(dst, dstOff, strategy);
        // No route, or a route to the destination itself, means "deliver directly" (Go's NextHop).
        // An unlisted dst cannot equal a route's next hop here, but then that next hop is
        // unlisted too and the datagram is refused either way.
        boolean direct = nextHop == null || nextHop.equals(dstKey);
        if (!direct && nextHop.equals(localKey)) {
            return refuse(a, RelayCounter.REFUSED_LOOP);
        }
        PeerKey target = direct ? dstKey : directory.canonical(nextHop);
        if (target == null) {
            // Go drops it when sending fails: the next hop must be a known peer (§4.4).
            return refuse(a, RelayCounter.REFUSED_NO_ROUTE);
        }
        if (target.equals(from)) {
            return refuse(a, RelayCounter.REFUSED_LOOP);
        }
        // ttl 1 becomes a RELAY_1 with ttl 0, which the next relay refuses: Go's semantics, kept
        // so that paths behave the same through Go and Java relays.
        return emit(from, src, srcOff, ttl - 1, strategy, direct, target, dst, dstOff, dst, payloadOff, payloadLen,
                out, outOff, outCap, a);
    }

    /** Size checks, rate limit, then writes RELAY_2 (direct) or RELAY_1 with {@code outTtl}. */
    private int emit(PeerKey from, MemorySegment src, long srcOff, int outTtl, int strategy, boolean direct,
                     PeerKey target, MemorySegment dst, long dstOff, MemorySegment payload, long payloadOff,
                     int payloadLen, MemorySegment out, long outOff, int outCap, RelayAction a) {
        int outLen = (direct ? Relay2.HEADER_LENGTH : Relay1.HEADER_LENGTH) + payloadLen;
        if (outLen > config.maxBodyLength()) {
            return refuse(a, RelayCounter.REFUSED_OVERSIZE);
        }
        if (outLen > outCap) {
            return refuse(a, RelayCounter.REFUSED_BUFFER_TOO_SMALL);
        }
        if (!limiter.allow(from, clock.nanoTime())) {
            return refuse(a, RelayCounter.REFUSED_RATE_LIMITED);
        }
        if (direct) {
            // RELAY_2 carries no ttl: a ttl of 1 still reaches a direct destination (Go).
            Relay2.write(out, outOff, src, srcOff, payload, payloadOff, payloadLen);
            stats.increment(RelayCounter.RELAY2_SENT);
            return a.send(RelayAction.FORWARD, target, ProtocolByte.RELAY2, out, outOff, outLen);
        }
        Relay1.write(out, outOff, outTtl, strategy, src, srcOff, dst, dstOff, payload, payloadOff, payloadLen);
        stats.increment(RelayCounter.RELAY1_SENT);
        return a.send(RelayAction.FORWARD, target, ProtocolByte.RELAY1, out, outOff, outLen);
    }

    /** Bind mode, after a RELAY_0 was forwarded: one binding per (source, dst, next hop). */
    private void bind(PeerKey from, MemorySegment dst, long dstOff, RelayAction a) {
        PeerKey nextHop = a.target();
        if (binds.find(from, dst, dstOff, nextHop) >= 0) {
            return; // announced when it was created; zgrnet's library would announce a new id per packet
        }
        int slot = binds.create(from, dst, dstOff, nextHop, clock.nanoTime());
        if (slot < 0) {
            stats.increment(RelayCounter.BIND_TABLE_FULL);
            return;
        }
        int n = Relay0Bind.write(bindOut, 0, binds.relayId(slot), dst, dstOff);
        a.answer(ProtocolByte.RELAY0_BIND, bindOut, 0, n);
        stats.increment(RelayCounter.BINDS_SENT);
    }

    private int refuse(RelayAction a, RelayCounter why) {
        stats.increment(why);
        return a.refuse(why);
    }
}
