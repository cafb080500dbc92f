package io.zgrnet.relay;

import io.zgrnet.PeerKey;
import io.zgrnet.UDP;
import io.zgrnet.config.Clock;
import io.zgrnet.host.ServiceHost;
import io.zgrnet.host.ServiceHosts;
import io.zgrnet.wire.ProtocolByte;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A relay on a running transport: the node B of "A and C reach only B" (docs/RELAY.md). It takes
 * RELAY_0 (66) and RELAY_1 (67) messages, and in bind mode RELAY_0_ALIAS (73), that arrived
 * directly over a session, lets the {@link RelayEngine} decide, and sends what it says on the
 * session with the target: the inner datagram byte for byte, at most one datagram out per datagram
 * in (plus, in bind mode, one 36-byte BIND back per new binding). It never decrypts or changes the
 * inner datagram. Refusals are counted in {@link #stats()} by reason; a body the transport did not
 * send is counted as {@link RelayCounter#FORWARDS_NOT_SENT} (and by the transport, with its reason).
 *
 * <p>RELAY_2 (68) is not taken here: its inner datagram is for this node, and the transport itself
 * enters it into its receive path ({@code TransportConfig.acceptRelayed}), as zgrnet does with or
 * without a route table. Reaching a peer through a relay is the transport's too
 * ({@code UDP.setPeerRelay}). PINGs are the transport's own ({@code TransportConfig.answerPings}).
 *
 * <p>Concurrency: the transport calls {@link #onMessage} on its receive consumer, one call at a
 * time (the application's reading thread or the delivery agent, which {@link #start} starts so
 * that relaying goes on while the application does not read); the engine, the action and the
 * output buffer are that consumer's. The {@link PeerDirectory} follows the transport's peer table
 * (peers added with {@code setPeerEndpoint}, or learned from handshakes with unknown peers
 * allowed). Nothing is allocated per datagram.
 */
public final class RelayNode implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RelayNode.class.getName());

    private final ServiceHost<PeerKey> host;
    private final PeerDirectory directory;
    private final RouteTable routes;
    private final RelayEngine engine;
    private final RelayAction action = new RelayAction();
    /** Where the engine writes the body to forward; sealed from here into a send slot. */
    private final MemorySegment out;
    private final int outCap;
    private final ServiceHost.Sink<PeerKey> sink = this::onMessage;

    private RelayNode(ServiceHost<PeerKey> host, RelayConfig config, RouteTable routes, int maxPeers, Clock clock) {
        if (!config.localKey().equals(host.localKey())) {
            throw new IllegalArgumentException("config: localKey " + config.localKey() + " is not the transport's key "
                    + host.localKey());
        }
        this.host = host;
        this.routes = routes;
        this.directory = new PeerDirectory(maxPeers);
        this.engine = new RelayEngine(config, directory, routes, clock);
        // Bodies longer than the transport can seal are refused (REFUSED_BUFFER_TOO_SMALL), not lost later.
        this.outCap = Math.min(host.maxPayload(), config.maxBodyLength());
        this.out = Arena.ofAuto().allocate(outCap);
    }

    /**
     * Starts relaying on {@code udp}: registers for 66, 67 (and 73 in bind mode) and starts the
     * transport's delivery agent.
     *
     * @param config the relay's configuration; its {@code localKey} must be the transport's key
     * @param routes static routes and the hook; empty: every destination is a direct neighbour
     * @param maxPeers bound on the peer directory (the transport's {@code maxPeers} is a fit)
     * @throws IOException when the transport is closed
     * @throws IllegalArgumentException when {@code config} names another key
     */
    public static RelayNode start(UDP udp, RelayConfig config, RouteTable routes, int maxPeers) throws IOException {
        Objects.requireNonNull(udp, "udp");
        return start(ServiceHosts.<PeerKey>of(udp), config, routes, maxPeers, Clock.SYSTEM);
    }

    /** As {@link #start(UDP, RelayConfig, RouteTable, int)} on any host (tests). */
    static RelayNode start(ServiceHost<PeerKey> host, RelayConfig config, RouteTable routes, int maxPeers,
                           Clock clock) throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(routes, "routes");
        RelayNode node = new RelayNode(host, config, routes, maxPeers, clock);
        host.watchPeers(node.directory::add, node.directory::remove);
        host.handle(ProtocolByte.RELAY0, node.sink);
        host.handle(ProtocolByte.RELAY1, node.sink);
        if (config.bindMode()) {
            host.handle(ProtocolByte.RELAY0_ALIAS, node.sink);
        }
        host.startDelivery();
        LOG.log(System.Logger.Level.DEBUG, "relaying for {0} ({1})", host.localKey(), config);
        return node;
    }

    /** One message from neighbour {@code from}: the engine decides, we send what it says. */
    void onMessage(PeerKey from, int protocol, MemorySegment body, long off, int len) {
        if (engine.handle(from, protocol, body, off, len, out, 0, outCap, action) != RelayAction.FORWARD) {
            return; // refused (counted by the engine); nothing else is registered
        }
        if (!host.send(action.target(), action.protocol(), action.output(), action.offset(), action.length())) {
            engine.stats().increment(RelayCounter.FORWARDS_NOT_SENT);
        }
        if (action.hasAnswer() && !host.send(from, action.answerProtocol(), action.answerSegment(),
                action.answerOffset(), action.answerLength())) {
            engine.stats().increment(RelayCounter.FORWARDS_NOT_SENT);
        }
    }

    /** The relay's counters: one per outcome and per refusal reason. */
    public RelayStats stats() {
        return engine.stats();
    }

    /** The route table (static routes and the hook can change while relaying). */
    public RouteTable routes() {
        return routes;
    }

    /** The peers the relay forwards to (follows the transport's peer table). */
    public PeerDirectory directory() {
        return directory;
    }

    /** The engine (metrics, bind table). */
    public RelayEngine engine() {
        return engine;
    }

    /**
     * Stops relaying: 66, 67, 73 go back to the application. The transport's own close stops
     * everything as well; the delivery agent it started runs until then.
     */
    @Override
    public void close() {
        host.handle(ProtocolByte.RELAY0, null);
        host.handle(ProtocolByte.RELAY1, null);
        if (engine.config().bindMode()) {
            host.handle(ProtocolByte.RELAY0_ALIAS, null);
        }
        host.watchPeers(null, null);
    }
}
