package io.zgrnet;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.BoundedIntQueue;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.io.UdpLimits;
import io.zgrnet.io.select.BackendKind;
import io.zgrnet.io.select.BackendSelector;
import io.zgrnet.pipeline.AgentRunner;
import io.zgrnet.pipeline.IoAgent;
import io.zgrnet.pipeline.OrderedPipeline;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.SocketOptionsReport;
import io.zgrnet.wire.ProtocolByte;
import io.zgrnet.wire.TransportHeader;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A zgrnet transport: an encrypted UDP network of peers identified by their public keys,
 * wire-compatible with zgrnet's Go, Rust and Zig peers.
 *
 * <pre>
 *  writers (any thread)                                           reader (one thread at a time)
 *   writeTo ─► SendPath: seal in a pool slot ─► send queue ─┐      readFrom / poll ◄─ Reader
 *              (stage while no session: SessionSwitch)     │        ▲ in arrival order; replay
 *                                                          ▼        │ window; protocol handlers
 *                                    ┌──────── IoAgent (one thread: the backend's owner) ────────┐
 *   kernel ◄── io_uring / recvmmsg / NIO ◄──── send batch          receive batch ──► route by type
 *                                    └──────────────────────────────────────────────────────────┘
 *               transport ──► in-order ring (OrderedPipeline) ──► DecryptWorkers (N threads, in place)
 *               handshake ──► HandshakeGate ──► ControlAgent (one thread: handshakes, sessions, timers)
 *
 *  streams (once used): reader/DeliveryAgent ─ protocol 64 ─► StreamService (one thread, a Mux per
 *  peer session) ◄─ SPSC byte buffers ─► StreamChannel (app threads); frames out via SendPath
 * </pre>
 *
 * <p>Roles, each a class of this package that alone writes its fields: {@link SendPath} (writers'
 * threads), {@link IoAgent} (the I/O thread), {@link DecryptWorker}/{@link Decryptor} (workers),
 * {@link Reader} (the reading thread), {@link ControlAgent} (the control thread),
 * {@link SessionSwitch} (session changes, under a peer's monitor), {@link HandshakeGate} and
 * {@link HandshakeAdmission} (which handshake messages get the control agent's work). What they
 * share is in {@link TransportContext}. docs/ARCHITECTURE.md has the data path both ways.
 *
 * <p>Failure model: every call on a transport that is closed, or that stopped working on its own
 * (its datagram backend kept failing; {@link #failure()} says why), throws a
 * {@link TransportClosedException}; a reader blocked in {@code readFrom} gets it too. Arguments that
 * are wrong (an unknown peer, a protocol outside 0..255, a payload larger than
 * {@link #maxPayload()}) get an {@link IllegalArgumentException} naming the argument. Everything the
 * network does wrong (a forged, replayed, truncated datagram; a full queue) is dropped and counted
 * in {@link #stats()}, never thrown.
 *
 * <p>Threads: reading is single-consumer ({@code readFrom}/{@code poll}; a second concurrent reader
 * gets an {@link IllegalStateException}). Writing, peer management and the info methods are safe
 * from any thread. Every thread the transport starts is joined by {@link #close()}.
 */
public final class UDP implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UDP.class.getName());
    /** The delivery agent's inbox: messages and payload bytes kept for an application that is not reading. */
    private static final int INBOX_ENTRIES = 1024;
    private static final int INBOX_BYTES = 4 << 20;
    /**
     * The stream mux's options: {@link io.zgrnet.stream.MuxConfig#defaults()}, but FIN sent 6 times
     * (100 ms apart) instead of 3: there is no FIN acknowledgement, and a stream whose FINs are all
     * lost ends only at the 5-minute idle timeout (at 20 % loss, 3 FINs all vanish with p = 0.8 %,
     * 6 with p = 0.006 %).
     */
    private static final io.zgrnet.stream.MuxConfig STREAM_CONFIG = io.zgrnet.stream.MuxConfig.builder()
            .finRepeats(6).build();
    /** How often a waiting acceptStream looks at the transport's state. */
    private static final long ACCEPT_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Opens the datagram backend for a transport (tests inject a fake one). */
    interface BackendFactory {
        BackendSelector.Selection open(TransportConfig config, PacketPool pool) throws IOException;
    }

    static {
        // Services in other packages (the relay) reach a transport's TransportHost through this.
        io.zgrnet.host.ServiceHosts.register(o -> o instanceof UDP u ? u.host : null);
    }

    private static final BackendFactory SYSTEM_BACKEND = (config, pool) -> BackendSelector.open(
            BackendKind.valueOf(config.ioMode().name()), config.bindAddress(), config.socketOptions(), pool);

    private final TransportConfig config;
    private final Lifecycle lifecycle = new Lifecycle();
    private final TransportStats stats = new TransportStats();
    private final PacketPool pool;
    private final BackendSelector.Selection selection;
    /** The largest payload a datagram of the backend's {@link DatagramBackend#maxDatagram()} bytes carries. */
    private final int maxPayload;
    private final TransportContext ctx;
    private final BoundedIntQueue sendQueue;
    private final OrderedPipeline ring;
    private final ControlCommands commands;
    private final SendPath sendPath;
    private final SessionSwitch switcher;
    private final Reader reader;
    private final PingService pings;
    private final TransportHost host;
    private final HandshakeGate gate;
    private final RelayedHandshakes relayedHandshakes;
    private final ControlAgent control;
    private final IoAgent ioAgent;
    private final AgentRunner ioRunner;
    private final AgentRunner controlRunner;
    private final List<AgentRunner> workerRunners = new ArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Guards starting the delivery agent against close. */
    private final Object deliveryLock = new Object();
    private volatile AgentRunner deliveryRunner;
    /** The stream thread and its agent, started by the first stream call (under {@link #deliveryLock}). */
    private volatile StreamService streams;
    private AgentRunner streamRunner;
    private volatile int leakedAtClose;

    private UDP(TransportConfig config, BackendFactory backends) throws IOException {
        this.config = config;
        this.pool = new PacketPool(config.poolSlots(), config.slotSize(), config.largeSlots(), config.largeSlotSize());
        try {
            this.selection = backends.open(config, pool);
        } catch (IOException | RuntimeException e) {
            pool.close();
            throw e;
        }
        this.maxPayload = selection.backend().maxDatagram() - TransportHeader.OVERHEAD;
        this.ctx = new TransportContext(config, stats, pool, lifecycle);
        this.sendQueue = new BoundedIntQueue(config.sendQueueSize());
        this.commands = new ControlCommands(stats, this::wakeControl);
        HandshakeAdmission admission = new HandshakeAdmission(pool);
        this.gate = new HandshakeGate(pool, stats, admission, ctx.pendingByIndex, this::wakeControl,
                this::wakeReader, ctx.clock);
        Decryptor decryptor = new Decryptor(ctx, gate.tickets());
        this.ring = new OrderedPipeline(config.receiveQueueSize(), decryptor);
        this.ioAgent = new IoAgent(selection.backend(), sendQueue, ring, gate, this::wakeWorkers,
                new IoEvents(stats, this::fail), config.ioBatchSize());
        this.sendPath = new SendPath(ctx, sendQueue, ioAgent::wakeSender, commands);
        this.switcher = new SessionSwitch(ctx, sendPath, commands);
        this.relayedHandshakes = new RelayedHandshakes(stats, this::wakeControl, this::wakeReader);
        this.reader = new Reader(ctx, ring, decryptor, switcher, relayedHandshakes);
        this.pings = new PingService(ctx, sendPath);
        reader.register(ProtocolByte.PING, pings.pingHandler);
        reader.register(ProtocolByte.PONG, pings.pongHandler);
        this.host = new TransportHost(this, ctx, sendPath, reader);
        this.control = new ControlAgent(ctx, sendPath, switcher, commands, gate, admission, relayedHandshakes);
        for (int i = 0; i < config.decryptWorkers(); i++) {
            workerRunners.add(new AgentRunner(new DecryptWorker(ring, reader, i)));
        }
        this.controlRunner = new AgentRunner(control);
        this.ioRunner = new AgentRunner(ioAgent);
        LOG.log(Level.DEBUG, "zgrnet transport on {0} with {1} ({2}), public key {3}",
                selection.backend().localAddress(), selection.backend().name(), selection.reason(),
                ctx.handshakes.publicKey().toHex());
    }

    /**
     * Binds and starts a transport.
     *
     * @throws IOException when the socket cannot be bound or the requested backend is unavailable
     *         (the message names the address or the reason)
     */
    public static UDP open(TransportConfig config) throws IOException {
        return open(config, SYSTEM_BACKEND);
    }

    /** Opens with a given backend factory (tests). */
    static UDP open(TransportConfig config, BackendFactory backends) throws IOException {
        Objects.requireNonNull(config, "config");
        return new UDP(config, backends);
    }

    // ---------------------------------------------------------------- peers

    /**
     * Adds a peer or changes its endpoint.
     *
     * @throws IllegalArgumentException for a null key or an unresolved endpoint
     * @throws IllegalStateException when the peer table is full
     * @throws TransportClosedException when the transport is closed or failed
     */
    public void setPeerEndpoint(PeerKey key, InetSocketAddress endpoint) throws TransportClosedException {
        Objects.requireNonNull(key, "key");
        setEndpoint(key, Endpoint.of(endpoint));
    }

    /**
     * Adds a peer reached through a relay, or makes an existing one reached that way (zgrnet's
     * route "peer → relay", docs/RELAY.md): every datagram for {@code key}, its handshake
     * included, is wrapped in RELAY_0 and sent on the session with {@code relay}, which must be a
     * peer with a direct endpoint (it is connected to as needed). The relay answers with RELAY_2,
     * which this transport takes ({@link TransportConfig#acceptRelayed()}). {@link #connect},
     * {@link #writeTo} and streams then work as for a direct peer. A direct packet from the peer
     * later moves it to that address (roaming), as for any peer.
     *
     * @throws IllegalArgumentException for a null key, {@code relay} equal to {@code key}, or a
     *         relay that is not a peer with a direct endpoint
     * @throws IllegalStateException when the peer table is full
     * @throws TransportClosedException when the transport is closed or failed
     */
    public void setPeerRelay(PeerKey key, PeerKey relay) throws TransportClosedException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(relay, "relay");
        if (key.equals(relay)) {
            throw new IllegalArgumentException("relay: a peer cannot be its own relay: " + key);
        }
        Peer r = ctx.peers.get(relay);
        Endpoint hop = r == null ? null : r.endpoint;
        if (hop == null || hop.relay() != null) {
            throw new IllegalArgumentException("relay: " + relay
                    + " is not a peer with a direct endpoint; call setPeerEndpoint for it first");
        }
        setEndpoint(key, Endpoint.relayed(r, key.toBytes()));
    }

    private void setEndpoint(PeerKey key, Endpoint e) throws TransportClosedException {
        lifecycle.check();
        Peer existing = ctx.peers.get(key);
        if (existing != null) {
            existing.endpoint = e;
            return;
        }
        if (!ctx.peers.add(new Peer(key, e, true, ctx.now()))) {
            throw new IllegalStateException("peer table full (maxPeers=" + config.maxPeers() + ")");
        }
    }

    /**
     * Removes a peer and erases its sessions (its messages staged or in flight are dropped).
     *
     * @throws TransportClosedException when the transport is closed or failed
     */
    public void removePeer(PeerKey key) throws TransportClosedException {
        Objects.requireNonNull(key, "key");
        lifecycle.check();
        Peer p = ctx.peers.remove(key);
        if (p != null && !commands.submit(ControlCommands.Kind.FORGET, p, null)) {
            LOG.log(Level.WARNING, "control queue full: the sessions of removed peer {0} expire on their own", key);
        }
    }

    /**
     * Handshakes with a peer unless a session exists, waiting up to {@code timeout}.
     *
     * @throws TimeoutException when no session was established in time (the message names the
     *         address, the initiations sent and the time)
     * @throws IOException when the handshake failed (zgrnet's 90 s of attempts ran out), or a
     *         {@link TransportClosedException}
     */
    public void connect(PeerKey key, Duration timeout) throws IOException, TimeoutException, InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout: must not be negative, got " + timeout);
        }
        try {
            connectAsync(key).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            Peer p = ctx.peers.get(key);
            throw new TimeoutException("no session within " + timeout.toMillis() + " ms: "
                    + (p == null ? "peer " + key + " was removed" : control.describeHandshake(p, ctx.now())));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("connect to " + key + " failed: " + cause.getMessage(), cause);
        }
    }

    /**
     * Starts a handshake unless a session exists; the future completes when one does, and fails
     * (with the reason) when the handshake gives up or the transport closes.
     */
    public CompletableFuture<Void> connectAsync(PeerKey key) {
        Objects.requireNonNull(key, "key");
        Peer p = ctx.peers.get(key);
        if (p == null) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("key: unknown peer " + key + "; call setPeerEndpoint first"));
        }
        if (p.endpoint == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("key: peer " + key
                    + " has no endpoint; call setPeerEndpoint first"));
        }
        if (lifecycle.stopped()) {
            return CompletableFuture.failedFuture(new TransportClosedException(lifecycle.failure()));
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (p.hasCurrent(ctx.now())) {
            f.complete(null);
            return f;
        }
        if (!commands.submit(ControlCommands.Kind.CONNECT, p, f)) {
            f.completeExceptionally(new IOException("connect to " + key + ": the control queue is full ("
                    + ControlCommands.CAPACITY + " commands waiting); try again"));
        }
        if (lifecycle.stopped()) {
            // close() may have run the control agent's last commands before ours arrived: nothing
            // would ever complete f. (If it did run ours, f is already failed and this is a no-op.)
            f.completeExceptionally(new TransportClosedException(lifecycle.failure()));
        }
        return f;
    }

    // ---------------------------------------------------------------- send

    /** Sends {@code data} with protocol byte 0 (raw), as zgrnet's {@code WriteTo}; see {@link #writeTo(PeerKey, int, byte[], int, int)}. */
    public boolean writeTo(PeerKey key, byte[] data) throws IOException {
        Objects.requireNonNull(data, "data");
        return writeTo(key, 0, data, 0, data.length);
    }

    /** Sends {@code data} with a protocol byte; see {@link #writeTo(PeerKey, int, byte[], int, int)}. */
    public boolean writeTo(PeerKey key, int protocol, byte[] data) throws IOException {
        Objects.requireNonNull(data, "data");
        return writeTo(key, protocol, data, 0, data.length);
    }

    /**
     * Encrypts {@code data[off..off+len)} with protocol byte {@code protocol} on the calling thread
     * and queues it for sending. Without a session the message is staged (in order, up to 256 per
     * peer) and a handshake starts.
     *
     * @return true if queued or staged; false if dropped (a full queue, pool or staging queue),
     *         counted in {@link #stats()}
     * @throws IllegalArgumentException for an unknown peer, a protocol outside 0..255 or a payload
     *         larger than {@link #maxPayload()}
     * @throws TransportClosedException when the transport is closed or failed
     */
    public boolean writeTo(PeerKey key, int protocol, byte[] data, int off, int len) throws IOException {
        Objects.requireNonNull(data, "data");
        Objects.checkFromIndexSize(off, len, data.length);
        return sendPath.write(admit(key, protocol, len), protocol, data, MemorySegment.NULL, off, len);
    }

    /** As {@link #writeTo(PeerKey, int, byte[], int, int)}, from any memory segment. */
    public boolean writeTo(PeerKey key, int protocol, MemorySegment data, long off, int len) throws IOException {
        Objects.requireNonNull(data, "data");
        Objects.checkFromIndexSize(off, len, data.byteSize());
        return sendPath.write(admit(key, protocol, len), protocol, null, data, off, len);
    }

    /** Checks a write's arguments and that the transport works; returns the peer. */
    private Peer admit(PeerKey key, int protocol, int len) throws TransportClosedException {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("protocol: must be 0..255, got " + protocol);
        }
        if (len > maxPayload) {
            throw new IllegalArgumentException(payloadTooLong(len));
        }
        Peer p = ctx.peers.get(Objects.requireNonNull(key, "key"));
        if (p == null) {
            throw new IllegalArgumentException("key: unknown peer " + key + "; call setPeerEndpoint first");
        }
        lifecycle.check();
        return p;
    }

    /**
     * The largest payload {@link #writeTo} sends: the backend's largest datagram
     * ({@link DatagramBackend#maxDatagram()}: the largest pool slot, capped by UDP's 65,507 bytes
     * over IPv4 or 65,527 over IPv6) less zgrnet's {@value TransportHeader#OVERHEAD} bytes of
     * header, protocol byte and tag. So 65,477 over IPv4 and 65,497 over IPv6 by default: zgrnet's
     * own bound, {@value TransportHeader#MAX_PAYLOAD_LENGTH}, is not reachable over UDP.
     */
    public int maxPayload() {
        return maxPayload;
    }

    /** The message for a payload above {@link #maxPayload()}: its length, the limit and why. */
    private String payloadTooLong(int len) {
        DatagramBackend backend = selection.backend();
        int datagram = backend.maxDatagram();
        String why;
        if (datagram == UdpLimits.maxPayload(backend.localAddress())) {
            why = "UDP's limit for this socket's address family";
        } else if (datagram < pool.maxDatagram()) {
            why = "the slot less the io_uring receive header";
        } else {
            why = pool.largeCapacity() > 0 ? "the configured large slot size" : "the slot size; no large slots configured";
        }
        return "data: " + len + " bytes exceed maxPayload() = " + maxPayload + " bytes (datagrams up to " + datagram
                + " bytes: " + why + ")";
    }

    /**
     * Waits until every message queued so far has been handed to the kernel, or {@code timeout}.
     *
     * @return true if the send queue drained in time
     * @throws TransportClosedException when the transport is closed or failed
     */
    public boolean flush(Duration timeout) throws IOException, InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        lifecycle.check();
        return sendPath.flush(timeout.toNanos());
    }

    // ---------------------------------------------------------------- ping

    /**
     * Measures the round trip to a peer with one PING (protocol 70) answered by a PONG (71), as
     * zgrnet nodes do (services.md §5). Handshakes first if there is no session (that time is not
     * part of the result). Starts the delivery agent, so the PONG is taken while this waits even
     * if the application does not read (see {@link #startDelivery()}). The result also updates the
     * peer's {@link PeerInfo#lastRtt()} and {@link PeerInfo#smoothedRtt()}.
     *
     * <p>Pings to this transport are answered by whichever thread consumes received messages:
     * the application's {@code readFrom}/{@code poll}, or the delivery agent once it runs.
     * PONGs are taken by the transport, not handed to the application.
     *
     * @return the round-trip time
     * @throws TimeoutException when no session or no PONG came within {@code timeout}
     * @throws IllegalArgumentException for an unknown peer or a negative timeout
     * @throws IOException when the PING could not be sent (a full queue), or a
     *         {@link TransportClosedException}
     */
    public Duration ping(PeerKey key, Duration timeout) throws IOException, TimeoutException, InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout: must not be negative, got " + timeout);
        }
        Peer p = admit(key, ProtocolByte.PING, io.zgrnet.ping.Ping.LENGTH);
        long start = System.nanoTime();
        long timeoutNs = timeout.toNanos();
        startDelivery();
        if (!p.hasCurrent(ctx.now())) {
            connect(key, timeout);
        }
        long left = Math.max(0, timeoutNs - (System.nanoTime() - start));
        return Duration.ofNanos(pings.ping(p, left));
    }

    // ---------------------------------------------------------------- receive

    /**
     * Receives the next message into {@code buffer}, waiting as long as it takes.
     *
     * @throws TransportClosedException when the transport is closed or fails, also while waiting
     */
    public Message readFrom(byte[] buffer) throws IOException, InterruptedException {
        Message m = new Message();
        readFrom(m, buffer, null);
        return m;
    }

    /**
     * Receives the next message, waiting at most {@code timeout}.
     *
     * @return the message, or null on timeout
     * @throws TransportClosedException when the transport is closed or fails, also while waiting
     */
    public Message readFrom(byte[] buffer, Duration timeout) throws IOException, InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        Message m = new Message();
        return readFrom(m, buffer, timeout) ? m : null;
    }

    /**
     * Receives the next message into {@code buffer} and describes it in {@code into}; allocates
     * nothing (keep the holder and the timeout: both are reused).
     *
     * @param timeout how long to wait; {@link Duration#ZERO}: not at all; null: until a message comes
     * @return true if a message was received, false on timeout
     * @throws TransportClosedException when the transport is closed or fails, also while waiting
     */
    public boolean readFrom(Message into, byte[] buffer, Duration timeout) throws IOException, InterruptedException {
        Objects.requireNonNull(into, "into");
        Objects.requireNonNull(buffer, "buffer");
        long nanos = timeout == null ? -1 : timeout.toNanos();
        if (nanos < -1 || timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("timeout: must not be negative, got " + timeout);
        }
        return reader.receive(null, into, buffer, 1, nanos) == 1;
    }

    /**
     * Zero-copy receive: hands up to {@code limit} messages to {@code handler} in arrival order,
     * without waiting.
     *
     * @return the number of messages handled
     * @throws TransportClosedException when the transport is closed or failed
     */
    public int poll(MessageHandler handler, int limit) throws IOException {
        Objects.requireNonNull(handler, "handler");
        if (limit < 0) {
            throw new IllegalArgumentException("limit: must be >= 0, got " + limit);
        }
        try {
            return reader.receive(handler, null, null, limit, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Routes a protocol byte to a handler on the reader's thread (streams, relay, ping); null restores the application. */
    void handle(int protocol, ProtocolHandler handler) {
        reader.register(protocol, handler);
    }

    /**
     * Starts the delivery agent (once): from then on protocol handlers run even while the
     * application does not read, and the application's messages wait for it in a bounded inbox
     * (1024 messages, 4 MiB; beyond that they are dropped and counted as {@code DROP_INBOX_FULL}).
     *
     * @throws TransportClosedException when the transport is closed
     */
    void startDelivery() throws TransportClosedException {
        synchronized (deliveryLock) {
            lifecycle.check();
            if (deliveryRunner != null) {
                return;
            }
            reader.attachAgent(new Inbox(INBOX_ENTRIES, INBOX_BYTES), () -> {
                AgentRunner r = deliveryRunner;
                if (r != null) {
                    r.wake();
                }
            });
            deliveryRunner = new AgentRunner(new DeliveryAgent(reader));
        }
    }

    // ---------------------------------------------------------------- streams

    /** Opens an untyped stream (proto 0, no metadata) to a peer, connecting first if needed, within 30 s. */
    public StreamChannel openStream(PeerKey peer) throws IOException, InterruptedException {
        return openStream(peer, 0, new byte[0], Duration.ofSeconds(30));
    }

    /**
     * Opens a reliable stream to a peer (zgrnet's stream mux, protocol 64: Go's
     * {@code OpenStream}). Handshakes first if there is no session, waiting at most
     * {@code timeout} for it and for the stream thread. The first call starts the transport's
     * stream thread and its delivery agent (see {@link #acceptStream(Duration)}).
     *
     * @param proto application tag 0..255 sent in the SYN (0: untyped; 69 is zgrnet's TCP proxy)
     * @param metadata sent in the SYN with the tag (at most 1024 bytes; empty for none)
     * @throws IllegalArgumentException for an unknown peer, a proto outside 0..255, metadata too long
     * @throws java.net.SocketTimeoutException when no session came up within {@code timeout}
     * @throws IOException when the handshake failed, {@value StreamService#OPEN_QUEUE} opens wait
     *         already, or 256 streams are open with the peer; a {@link TransportClosedException}
     */
    public StreamChannel openStream(PeerKey peer, int proto, byte[] metadata, Duration timeout)
            throws IOException, InterruptedException {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(timeout, "timeout");
        if (proto < 0 || proto > 255) {
            throw new IllegalArgumentException("proto: must be 0..255, got " + proto);
        }
        if (metadata.length > STREAM_CONFIG.maxMetadataBytes()) {
            throw new IllegalArgumentException("metadata: at most " + STREAM_CONFIG.maxMetadataBytes()
                    + " bytes, got " + metadata.length);
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout: must not be negative, got " + timeout);
        }
        Peer p = ctx.peers.get(peer);
        if (p == null) {
            throw new IllegalArgumentException("peer: unknown peer " + peer + "; call setPeerEndpoint first");
        }
        StreamService service = streams();
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!p.hasCurrent(ctx.now()) && p.candidates.length == 0) {
            // (With a candidate, the peer just handshook with us: the stream thread uses that
            // session; a handshake of ours would replace it and end the peer's streams.)
            try {
                connect(peer, timeout);
            } catch (TimeoutException e) {
                throw new java.net.SocketTimeoutException("openStream: " + e.getMessage());
            }
        }
        CompletableFuture<StreamChannel> f = service.open(p, proto, metadata.clone());
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new java.net.SocketTimeoutException("openStream: the stream thread did not answer within "
                    + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("openStream to " + peer + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** Waits as long as it takes for a stream opened by any peer; see {@link #acceptStream(Duration)}. */
    public StreamChannel acceptStream() throws IOException, InterruptedException {
        return acceptStream(null);
    }

    /**
     * The next stream a peer opened (Go's {@code AcceptStream}, from any peer), waiting at most
     * {@code timeout} (null: as long as it takes). The first call starts the stream thread: from
     * then on streams are accepted while the application does not call this (up to 64, then 16
     * more per peer; beyond that a SYN is refused with FIN), and protocol-64 datagrams no longer
     * reach {@link #readFrom}. Application datagrams then wait for {@code readFrom} in a bounded
     * inbox (see {@code startDelivery}).
     *
     * @return the stream, or null on timeout
     * @throws TransportClosedException when the transport is closed or failed, also while waiting
     * @throws IllegalStateException while a stream handler is set ({@link #onStream}), also while waiting
     */
    public StreamChannel acceptStream(Duration timeout) throws IOException, InterruptedException {
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("timeout: must not be negative, got " + timeout);
        }
        StreamService service = streams();
        long deadline = System.nanoTime() + (timeout == null ? 0 : timeout.toNanos());
        while (true) {
            lifecycle.check();
            if (service.handler() != null) {
                throw new IllegalStateException("acceptStream: a stream handler is set (onStream); accepted streams go"
                        + " to it");
            }
            long left = timeout == null ? ACCEPT_SLICE_NS : deadline - System.nanoTime();
            StreamChannel c = service.accepted.poll(Math.max(0, Math.min(left, ACCEPT_SLICE_NS)), TimeUnit.NANOSECONDS);
            if (c != null) {
                return c;
            }
            if (timeout != null && deadline - System.nanoTime() <= 0) {
                lifecycle.check();
                return null;
            }
        }
    }

    /**
     * Handler-style accept: every stream a peer opens from now on (and any already waiting for
     * {@link #acceptStream}) is handed to {@code handler}, each on a new virtual thread of its own
     * ("zgrnet-stream-handler"), so a handler may block on its stream for as long as it likes;
     * the stream thread only starts that thread and never waits for it. Starts the stream thread
     * as {@link #acceptStream(Duration)} does.
     *
     * <ul>
     * <li>The handler owns its stream: returning does not close it.</li>
     * <li>A handler that throws (anything, errors included): the exception is logged at WARNING,
     *     counted as {@link TransportCounter#STREAM_HANDLER_FAILED} and the stream aborted; other
     *     streams, the stream thread and the transport go on.</li>
     * <li>Exclusive with {@link #acceptStream}: while a handler is set, acceptStream throws
     *     {@link IllegalStateException} (also a call already waiting). {@code onStream(null)}
     *     removes the handler; later streams wait for acceptStream again. Setting a new handler
     *     replaces the old one for streams accepted after that.</li>
     * <li>Bounded: a peer has at most 256 streams at once (beyond them its SYNs are refused), so
     *     at most that many handler threads run per peer.</li>
     * <li>When the transport closes, the streams' calls throw {@link TransportClosedException}
     *     in their handlers, as anywhere else.</li>
     * </ul>
     *
     * @param handler the handler, or null to go back to {@link #acceptStream}
     * @throws TransportClosedException when the transport is closed or failed
     */
    public void onStream(StreamHandler handler) throws TransportClosedException {
        streams().handler(handler);
    }

    /**
     * Stream counters so far (opened, accepted, reset, frames in and out, drops), by key; they are
     * also in {@link #stats()} as the {@code STREAM*} counters.
     */
    public Map<String, Long> streamStats() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (TransportCounter c : TransportCounter.values()) {
            if (c.key().contains("stream")) {
                out.put(c.key(), stats.get(c));
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** Starts the stream thread once (and the delivery agent it needs). */
    private StreamService streams() throws TransportClosedException {
        StreamService s = streams;
        if (s != null) {
            lifecycle.check();
            return s;
        }
        synchronized (deliveryLock) {
            lifecycle.check();
            if (streams == null) {
                StreamService service = new StreamService(ctx, sendPath, STREAM_CONFIG);
                reader.register(StreamService.PROTOCOL, service);
                startDelivery();
                streamRunner = new AgentRunner(service);
                service.runner(streamRunner);
                streams = service;
            }
            return streams;
        }
    }

    // ---------------------------------------------------------------- info

    /** True once {@link #close()} has begun. */
    public boolean isClosed() {
        return lifecycle.closed();
    }

    /**
     * Why the transport stopped working on its own, or null while it works: the datagram backend
     * kept failing (the exception names the system call and errno). Every call then throws a
     * {@link TransportClosedException} with this cause; close it.
     */
    public IOException failure() {
        return lifecycle.failure();
    }

    /** The I/O agent gave up on the backend: readers and writers stop (the owner still calls close). */
    private void fail(IOException cause) {
        if (lifecycle.fail(cause)) {
            LOG.log(Level.ERROR, "zgrnet transport on " + selection.backend().localAddress() + " failed: "
                    + cause.getMessage() + "; it sends and receives nothing more (close it)", cause);
        }
        reader.wake();
    }

    /** Our public key and bound address. */
    public HostInfo hostInfo() {
        return new HostInfo(ctx.handshakes.publicKey(), selection.backend().localAddress());
    }

    /** A snapshot of one peer, or null if unknown. */
    public PeerInfo peerInfo(PeerKey key) {
        Peer p = ctx.peers.get(key);
        return p == null ? null : info(p);
    }

    /** Snapshots of all peers. */
    public List<PeerInfo> peers() {
        List<PeerInfo> out = new ArrayList<>();
        for (Peer p : ctx.peers.all()) {
            out.add(info(p));
        }
        return out;
    }

    private PeerInfo info(Peer p) {
        long now = ctx.now();
        PeerSession s = p.current;
        Endpoint e = p.endpoint;
        return new PeerInfo(p.key, e == null ? null : e.address(), p.state(),
                s == null ? Optional.empty() : Optional.of(Duration.ofNanos(now - s.createdNs)),
                p.received ? Optional.of(Duration.ofNanos(now - p.lastReceivedNs)) : Optional.empty(),
                p.sent ? Optional.of(Duration.ofNanos(now - p.lastSentNs)) : Optional.empty(),
                p.messagesSent.get(), p.messagesReceived, p.bytesSent.get(), p.bytesReceived,
                rtt(p.lastRttNs), rtt(p.smoothedRttNs));
    }

    private static Optional<Duration> rtt(long ns) {
        return ns < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(ns));
    }

    /** The transport's counters (live); every drop reason is named. */
    public TransportStats stats() {
        return stats;
    }

    /** The backend in use, why, what became of the socket options, and its counters now. */
    public IoInfo ioInfo() {
        BackendStats b = selection.backend().stats();
        Map<String, Long> counters = new LinkedHashMap<>();
        for (BackendStats.Counter c : BackendStats.Counter.values()) {
            counters.put(c.name().toLowerCase(java.util.Locale.ROOT), b.get(c));
        }
        b.sendErrorsByErrno().forEach((errno, n) -> counters.put("send_errors_" + errno, n));
        List<SocketOption> options = new ArrayList<>();
        for (SocketOptionsReport.Entry e : selection.backend().socketOptionsReport().entries()) {
            options.add(new SocketOption(e.option(), e.requested(), e.actual(), e.applied(),
                    e.applied() || e.errno() == SocketOptionsReport.Entry.UNSUPPORTED ? null : Errno.describe(e.errno())));
        }
        return new IoInfo(config.ioMode(), IOMode.valueOf(selection.mode().name()), selection.backend().name(),
                selection.reason(), options, counters);
    }

    /** Packet-pool slots currently in use; after close, those that were never returned (the leak check: 0). */
    public int outstandingSlots() {
        return pool.isClosed() ? leakedAtClose : pool.outstanding();
    }

    // ---------------------------------------------------------------- for tests in this package

    PeerTable peerTable() {
        return ctx.peers;
    }

    io.zgrnet.peer.IndexTable<PeerSession> sessions() {
        return ctx.sessions;
    }

    /** The ping tracker (tests look at what is outstanding). */
    io.zgrnet.ping.PingTracker<PeerKey> pingTracker() {
        return pings.tracker();
    }

    /** The control agent's inbox (tests queue commands to make an interleaving deterministic). */
    ControlCommands commands() {
        return commands;
    }

    private void wakeWorkers() {
        for (int i = 0; i < workerRunners.size(); i++) {
            workerRunners.get(i).wake();
        }
    }

    private void wakeReader() {
        Reader r = reader;
        if (r != null) {
            r.wake();
        }
    }

    private void wakeControl() {
        AgentRunner r = controlRunner;
        if (r != null) {
            r.wake();
        }
    }

    /**
     * Stops every thread, closes the socket and frees the pool. Order: senders first (none may take
     * a slot any more; those holding one queue it), then the I/O agent (no new datagrams; its last
     * act closes the backend on its own thread), then workers and the control agent, then the
     * reader leaves (a blocked one is woken and gets a {@link TransportClosedException}), then the
     * ring's and queues' remaining slots go back to the pool, then keys are erased, then the pool
     * is let go of (freed once the backend has no kernel operation left on it). If a thread of ours
     * does not stop, the pool is leaked and logged rather than freed under it. Idempotent.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        lifecycle.close();
        boolean stopped = true;
        synchronized (deliveryLock) {
            if (streamRunner != null) {
                // First: its last act fails every stream and open with a TransportClosedException.
                stopped = streamRunner.stop();
            }
        }
        stopped &= sendPath.close();
        if (!stopped) {
            LOG.log(Level.WARNING, "a sender did not finish within 5 s of close");
        }
        ioAgent.stop();
        stopped &= ioRunner.stop();
        synchronized (deliveryLock) {
            if (deliveryRunner != null) {
                stopped &= deliveryRunner.stop();
            }
        }
        for (AgentRunner r : workerRunners) {
            stopped &= r.stop();
        }
        pings.close(lifecycle.failure());
        stopped &= controlRunner.stop();
        boolean readerLeft = reader.awaitLeft(TimeUnit.SECONDS.toNanos(5));
        if (readerLeft) {
            reader.drain();
        } else {
            // A handler that does not return: the ring stays its own; its slots are reported leaked.
            LOG.log(Level.WARNING, "the reader did not return within 5 s of close; its ring is not drained");
        }
        gate.clear();
        relayedHandshakes.clear();
        int slot;
        while ((slot = sendQueue.poll()) >= 0) {
            pool.release(slot);
        }
        selection.backend().close(); // a no-op when the I/O agent closed it
        control.destroyAll();
        int leaked = pool.outstanding();
        leakedAtClose = leaked;
        if (leaked != 0) {
            LOG.log(Level.WARNING, "{0} packet slots still outstanding at close", leaked);
        }
        if (stopped && readerLeft) {
            pool.close();
        } else {
            LOG.log(Level.ERROR, "zgrnet transport on {0}: a thread did not stop at close; the packet pool "
                    + "({1} bytes) is leaked rather than freed under it", selection.backend().localAddress(),
                    pool.slabBytes());
        }
    }
}
