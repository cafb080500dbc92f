package io.zgrnet;

import io.zgrnet.io.select.BackendSelector;
import io.zgrnet.io.BoundedIntQueue;
import io.zgrnet.io.CloseGuard;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.pipeline.AgentRunner;
import io.zgrnet.pipeline.IoAgent;
import io.zgrnet.pipeline.OrderedPipeline;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A zgrnet transport: an encrypted UDP network of peers identified by their public keys,
 * wire-compatible with zgrnet's Go, Rust and Zig peers.
 *
 * <p>Threads (all owned and joined by {@link #close()}):
 * <ul>
 *   <li>one I/O agent ({@link IoAgent}) owns the datagram backend: it sends what callers queued and
 *       receives batches, routing transport datagrams to the in-order ring and handshakes to the
 *       control agent;</li>
 *   <li>{@code decryptWorkers} workers authenticate and decrypt ring entries in parallel, in place in
 *       the packet pool;</li>
 *   <li>one control agent runs handshakes and every peer's timers.</li>
 * </ul>
 * The reader ({@link #readFrom} or {@link #poll}) takes packets in arrival order, waiting only
 * for the one at the head, and moves each session's replay window there, after authentication.
 * Senders encrypt on their own thread into a pool slot and queue it for the I/O agent. Every
 * queue is bounded; a full one drops the packet and counts it ({@link #stats()}).
 *
 * <p>Reading is single-consumer: one thread at a time may call {@code readFrom}/{@code poll}
 * (a second concurrent reader gets an {@link IllegalStateException}). Writing, peer management
 * and the info methods are safe from any thread.
 */
public final class UDP implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UDP.class.getName());
    /** The transport header: type (1) + receiver index (4) + counter (8). */
    static final int HEADER = 13;
    /** Result code of a worker: the slot held a handshake or was consumed otherwise. */
    private static final int DROPPED = -1;
    // Per-datagram constants: withOrder() builds a new layout (and its var handle) on every call,
    // and values() clones the array; on the receive path each was garbage per datagram.
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final TransportCounter[] COUNTERS = TransportCounter.values();

    private final TransportConfig config;
    private final TransportStats stats = new TransportStats();
    private final PacketPool pool;
    private final MemorySegment slab;
    private final DatagramBackend backend;
    private final IoInfo ioInfo;
    private final HandshakeAdapter handshakes;
    private final PeerTable peers;
    private final io.zgrnet.peer.IndexTable<PeerSession> sessions = new io.zgrnet.peer.IndexTable<>();
    private final BoundedIntQueue sendQueue;
    private final HandshakeGate handshakeGate;
    /** Our initiations in flight by their index (the control agent writes it; workers read it). */
    private final io.zgrnet.peer.IndexTable<Peer> pendingByIndex;
    private final OrderedPipeline receiveRing;
    private final PeerSession[] slotSession;
    private final int[] slotDropReason;
    private final IoAgent ioAgent;
    private final ControlAgent control;
    private final AgentRunner ioRunner;
    private final AgentRunner controlRunner;
    private final List<AgentRunner> workerRunners = new ArrayList<>();
    private final AtomicBoolean reading = new AtomicBoolean();
    /**
     * Threads between taking a slot and queueing it (senders, the control agent). close() shuts
     * this first and waits for them: a slot queued after close drained the send queue was leaked,
     * and a seal could still be running when destroyAll erased the keys and the pool was freed.
     */
    private final CloseGuard senders = new CloseGuard();
    private final CopyingHandler copier = new CopyingHandler();
    private volatile Thread parkedReader;
    private volatile boolean closed;
    /** Why the transport stopped working on its own (the backend kept failing), or null. */
    private volatile IOException failure;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile int leakedAtClose;

    private UDP(TransportConfig config) throws IOException {
        this.config = config;
        this.pool = new PacketPool(config.poolSlots(), config.slotSize());
        this.slab = pool.slab();
        BackendSelector.Selection selection;
        try {
            selection = BackendSelector.open(io.zgrnet.io.select.BackendKind.valueOf(config.ioMode().name()), config.bindAddress(), config.socketOptions(), pool);
        } catch (IOException | RuntimeException e) {
            pool.close();
            throw e;
        }
        this.backend = selection.backend();
        this.ioInfo = new IoInfo(config.ioMode(), backend.name(), selection.reason(), backend.socketOptionsReport(),
                backend.stats());
        this.handshakes = new HandshakeAdapter(config.privateKey());
        this.peers = new PeerTable(config.maxPeers());
        this.sendQueue = new BoundedIntQueue(config.sendQueueSize());

        this.slotSession = new PeerSession[config.poolSlots()];
        this.slotDropReason = new int[config.poolSlots()];
        this.receiveRing = new OrderedPipeline(config.receiveQueueSize(), this::decrypt);
        this.pendingByIndex = new io.zgrnet.peer.IndexTable<>();
        HandshakeAdmission admission = new HandshakeAdmission(pool);
        this.handshakeGate = new HandshakeGate(pool, stats, admission, pendingByIndex, this::wakeControl,
                config.clock());
        this.control = new ControlAgent(this, handshakeGate, admission, pendingByIndex);
        this.ioAgent = new IoAgent(backend, sendQueue, receiveRing, handshakeGate, this::wakeWorkers,
                new IoListener(), config.ioBatchSize());
        for (int i = 0; i < config.decryptWorkers(); i++) {
            int id = i;
            workerRunners.add(new AgentRunner(new io.zgrnet.pipeline.Agent() {
                @Override
                public int doWork() {
                    int n = 0;
                    while (n < 64 && receiveRing.processOne() == 1) {
                        n++;
                    }
                    if (n > 0) {
                        // StoreLoad: our release of the results must be ordered before reading the
                        // reader's flag, or a reader that just parked could miss its wake-up.
                        java.lang.invoke.VarHandle.fullFence();
                        Thread reader = parkedReader;
                        if (reader != null) {
                            LockSupport.unpark(reader);
                        }
                    }
                    return n;
                }

                @Override
                public boolean hasWork() {
                    return receiveRing.unclaimed() > 0;
                }

                @Override
                public String roleName() {
                    return "zgrnet-decrypt-" + id;
                }
            }));
        }
        this.controlRunner = new AgentRunner(control);
        this.ioRunner = new AgentRunner(ioAgent);
        LOG.log(Level.DEBUG, "zgrnet transport on {0} with {1} ({2}), public key {3}", backend.localAddress(),
                backend.name(), selection.reason(), handshakes.publicKey().toHex());
    }

    /**
     * Binds and starts a transport.
     *
     * @throws IOException when the socket cannot be bound or the requested backend is unavailable
     */
    public static UDP open(TransportConfig config) throws IOException {
        java.util.Objects.requireNonNull(config, "config");
        return new UDP(config);
    }

    // ---------------------------------------------------------------- peers

    /** Adds a peer or changes its endpoint. */
    public void setPeerEndpoint(PeerKey key, InetSocketAddress endpoint) {
        java.util.Objects.requireNonNull(key, "key");
        Endpoint e = Endpoint.of(endpoint);
        Peer existing = peers.get(key);
        if (existing != null) {
            existing.endpoint = e;
            return;
        }
        if (!peers.add(new Peer(key, e, true, config.clock().nanoTime()))) {
            throw new IllegalStateException("peer table full (maxPeers=" + config.maxPeers() + ")");
        }
    }

    /** Removes a peer and erases its sessions. */
    public void removePeer(PeerKey key) {
        Peer p = peers.remove(key);
        if (p != null) {
            control.submit(() -> control.forget(p));
        }
    }

    /**
     * Handshakes with a peer unless a session exists, waiting up to {@code timeout}.
     *
     * @throws TimeoutException when no session was established in time
     * @throws IOException when the handshake fails (gave up after zgrnet's retry window)
     */
    public void connect(PeerKey key, Duration timeout) throws IOException, TimeoutException, InterruptedException {
        try {
            connectAsync(key).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            Peer p = peers.get(key);
            throw new TimeoutException("no session within " + timeout.toMillis() + " ms: "
                    + (p == null ? "peer " + key + " was removed" : control.describeHandshake(p,
                    config.clock().nanoTime())));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("connect to " + key + " failed: " + cause.getMessage(), cause);
        }
    }

    /** Starts a handshake unless a session exists; completes when one does (fails once the transport is closed). */
    public CompletableFuture<Void> connectAsync(PeerKey key) {
        java.util.Objects.requireNonNull(key, "key");
        Peer p = peers.get(key);
        if (p == null) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("key: unknown peer " + key + "; call setPeerEndpoint first"));
        }
        if (p.endpoint == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("peer " + key + " has no endpoint"));
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IOException("transport closed"));
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (usable(p.current)) {
            f.complete(null);
            return f;
        }
        control.submit(() -> control.connect(p, f));
        if (closed) {
            // close() may have run the control agent's last commands before ours arrived: nothing
            // would ever complete f. (If it did run ours, f is already failed and this is a no-op.)
            f.completeExceptionally(new IOException("transport closed"));
        }
        return f;
    }

    // ---------------------------------------------------------------- send

    /** Sends {@code data} with protocol byte 0 (raw), as zgrnet's {@code WriteTo}. */
    public boolean writeTo(PeerKey key, byte[] data) {
        return writeTo(key, 0, data, 0, data.length);
    }

    /** Sends {@code data} with a protocol byte. */
    public boolean writeTo(PeerKey key, int protocol, byte[] data) {
        return writeTo(key, protocol, data, 0, data.length);
    }

    /**
     * Encrypts {@code data[off..off+len)} with protocol byte {@code protocol} on the calling thread and
     * queues it for sending.
     *
     * @return true if queued (sent, or staged while a handshake runs, then sent in order once a
     *         session is up); false if dropped (a full queue, pool or staging queue), counted in
     *         {@link #stats()}
     * @throws IllegalArgumentException for an unknown peer, a bad protocol byte or a payload that
     *         exceeds the slot size
     */
    public boolean writeTo(PeerKey key, int protocol, byte[] data, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, data.length);
        return write(key, protocol, data, MemorySegment.NULL, off, len);
    }

    /** As {@link #writeTo(PeerKey, int, byte[], int, int)}, from any memory segment. */
    public boolean writeTo(PeerKey key, int protocol, MemorySegment data, long off, int len) {
        java.util.Objects.requireNonNull(data, "data");
        return write(key, protocol, null, data, off, len);
    }

    /**
     * The send path. The payload comes from {@code array} (copied straight into the slot, so no
     * segment is created per message) or, when {@code array} is null, from {@code data}.
     */
    private boolean write(PeerKey key, int protocol, byte[] array, MemorySegment data, long off, int len) {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("protocol: must be 0..255, got " + protocol);
        }
        if (len < 0 || HEADER + 1 + len + 16 > config.slotSize()) {
            throw new IllegalArgumentException("data: " + len + " bytes do not fit a " + config.slotSize()
                    + "-byte slot (max payload " + maxPayload() + ")");
        }
        Peer p = peers.get(key);
        if (p == null) {
            throw new IllegalArgumentException("key: unknown peer " + key);
        }
        if (closed) {
            throw new IllegalStateException("transport closed");
        }
        IOException failed = failure;
        if (failed != null) {
            throw new IllegalStateException("transport failed: " + failed.getMessage(), failed);
        }
        long now = config.clock().nanoTime();
        if (!p.staging) {
            // Fast path, no lock: a confirmed session. writersInside lets a session switch wait
            // for writers that saw "not staging" before it began (see docs/SESSIONS.md).
            p.writersInside.incrementAndGet();
            try {
                PeerSession s = p.current;
                if (!p.staging && s != null && !s.expired(now)) {
                    return sendData(p, s, protocol, array, data, off, len, now);
                }
            } finally {
                p.writersInside.decrementAndGet();
            }
        }
        return writeSlow(p, protocol, array, data, off, len, now);
    }

    /**
     * No confirmed session, or our rekey holds writes: under the peer's monitor (which a session
     * switch also takes), either send after all, send a budgeted copy to each responder session
     * waiting for proof, or stage the message until a session comes up.
     */
    private boolean writeSlow(Peer p, int protocol, byte[] array, MemorySegment data, long off, int len, long now) {
        synchronized (p) {
            if (!p.staging && p.hasCurrent(now)) {
                return sendData(p, p.current, protocol, array, data, off, len, now);
            }
            if (!p.staging) {
                // First contact as a responder: the initiator may wait for us to speak first, so
                // each candidate gets a copy within its anti-amplification budget.
                boolean any = false;
                for (PeerSession c : p.candidates) {
                    if (!c.expired(now)) {
                        any |= sendBudgeted(p, c, protocol, array, data, off, len);
                    }
                }
                if (any) {
                    stats.increment(TransportCounter.MESSAGES_SENT);
                    return true;
                }
            }
            if (p.stagedCount == Peer.STAGE_LIMIT) {
                stats.increment(TransportCounter.DROP_STAGING_FULL);
                control.submit(() -> control.stagingFull(p));
                return false;
            }
            if (!stage(p, protocol, array, data, off, len)) {
                return false;
            }
            if (!p.hasCurrent(now) && p.candidates.length == 0 && p.endpoint != null && !p.connectRequested) {
                // One request per peer until the control agent acts on it: no flood of commands.
                p.connectRequested = true;
                control.submit(() -> control.connect(p, null));
            }
            return true;
        }
    }

    /** Copies a message into a slot, plaintext in place for sealing later, at the end of the peer's staging queue. */
    private boolean stage(Peer p, int protocol, byte[] array, MemorySegment data, long off, int len) {
        if (!senders.enter()) {
            return false;
        }
        try {
            int slot = slotWithPayload(array, data, off, len, true);
            if (slot < 0) {
                return false;
            }
            long base = pool.slotOffset(slot);
            slab.set(ValueLayout.JAVA_BYTE, base + HEADER, (byte) protocol);
            pool.length(slot, len);
            p.staged[(p.stagedHead + p.stagedCount) % Peer.STAGE_LIMIT] = slot;
            p.stagedCount++;
            p.staging = true;
            stats.increment(TransportCounter.MESSAGES_STAGED);
            return true;
        } finally {
            senders.exit();
        }
    }

    /**
     * Seals every staged message, in order, on {@code s} and queues it to {@code to}. Peer's
     * monitor held, by the thread switching sessions (control agent or reader).
     */
    void flushStaged(Peer p, PeerSession s, Endpoint to) {
        while (p.stagedCount > 0) {
            int slot = p.staged[p.stagedHead];
            p.stagedHead = (p.stagedHead + 1) % Peer.STAGE_LIMIT;
            p.stagedCount--;
            long base = pool.slotOffset(slot);
            int len = pool.length(slot);
            int protocol = slab.get(ValueLayout.JAVA_BYTE, base + HEADER) & 0xFF;
            int n = s == null ? -1 : s.seal(protocol, slab, base + HEADER + 1, len, slab, base);
            if (n < 0 || to == null) {
                pool.release(slot);
                stats.increment(TransportCounter.DROP_NO_SESSION);
                continue;
            }
            if (enqueue(slot, n, to)) {
                noteSent(p, len, config.clock().nanoTime());
            }
        }
    }

    /** Drops every staged message (the handshake gave up, the peer was removed, or close). */
    void dropStaged(Peer p) {
        synchronized (p) {
            while (p.stagedCount > 0) {
                pool.release(p.staged[p.stagedHead]);
                p.stagedHead = (p.stagedHead + 1) % Peer.STAGE_LIMIT;
                p.stagedCount--;
                stats.increment(TransportCounter.DROP_NO_SESSION);
            }
            p.staging = false;
        }
    }

    /** A data message on the confirmed session, and a copy to each responder session waiting for proof. */
    private boolean sendData(Peer p, PeerSession s, int protocol, byte[] array, MemorySegment data, long off, int len,
                             long now) {
        boolean sent = sendOn(p, s, protocol, array, data, off, len, p.endpoint);
        for (PeerSession c : p.candidates) {
            // Hardening 2: a re-handshake (a restarted peer, a rekey) is not confirmed yet; the
            // peer may already use it and wait for us. Copies to an unproven address stay within 3x
            // what it sent us, so a spoofed initiation cannot make us reflect traffic.
            if (!c.expired(now)) {
                sendBudgeted(p, c, protocol, array, data, off, len);
            }
        }
        if (sent) {
            stats.increment(TransportCounter.MESSAGES_SENT);
            if (s.initiator && !p.rekeyRequested && s.dueForRekey(now)) {
                p.rekeyRequested = true;
                control.submit(() -> control.rekey(p));
            }
        }
        return sent;
    }

    private boolean sendBudgeted(Peer p, PeerSession c, int protocol, byte[] array, MemorySegment data, long off,
                                 int len) {
        if (!c.spend(len + io.zgrnet.wire.TransportHeader.OVERHEAD)) {
            stats.increment(TransportCounter.DROP_AMPLIFICATION_LIMIT);
            return false;
        }
        return sendOn(p, c, protocol, array, data, off, len, c.endpoint);
    }

    /** Largest payload {@link #writeTo} accepts with this slot size (and at most 65535 - 30). */
    public int maxPayload() {
        return Math.min(config.slotSize() - HEADER - 1 - 16, 65535 - HEADER - 16 - 1);
    }

    /** Seals one message (protocol &lt; 0: a keepalive) on a session into a slot and queues it. */
    boolean sendOn(Peer p, PeerSession s, int protocol, byte[] array, MemorySegment data, long off, int len,
                   Endpoint to) {
        if (to == null) {
            stats.increment(TransportCounter.DROP_NO_SESSION);
            return false;
        }
        if (!senders.enter()) {
            return false; // closing: no slot may be taken any more
        }
        try {
            return sealAndQueue(p, s, protocol, array, data, off, len, to);
        } finally {
            senders.exit();
        }
    }

    /**
     * Takes a slot and places the payload where the sealed plaintext goes (the session seals it in
     * place): always from an array, from a segment only when {@code copySegment} (else the seal
     * reads it where it is). Counts and returns -1 when the pool is exhausted.
     */
    private int slotWithPayload(byte[] array, MemorySegment data, long off, int len, boolean copySegment) {
        int slot = pool.acquire();
        if (slot < 0) {
            stats.increment(TransportCounter.DROP_POOL_EXHAUSTED);
            return -1;
        }
        long at = pool.slotOffset(slot) + HEADER + 1;
        if (array != null) {
            MemorySegment.copy(array, (int) off, slab, ValueLayout.JAVA_BYTE, at, len);
        } else if (copySegment && len > 0) {
            MemorySegment.copy(data, off, slab, at, len);
        }
        return slot;
    }

    private boolean sealAndQueue(Peer p, PeerSession s, int protocol, byte[] array, MemorySegment data, long off,
                                 int len, Endpoint to) {
        int slot = slotWithPayload(array, data, off, len, false);
        if (slot < 0) {
            return false;
        }
        long base = pool.slotOffset(slot);
        if (array != null) {
            data = slab;
            off = base + HEADER + 1;
        }
        int n = protocol < 0 ? s.sealKeepalive(slab, base) : s.seal(protocol, data, off, len, slab, base);
        if (n < 0) {
            pool.release(slot);
            stats.increment(TransportCounter.DROP_NO_SESSION);
            if (n == PeerSession.RETIRED) {
                return false; // retired under us: the control agent already has a newer one, or none is wanted
            }
            // Counter exhausted: needs a new session.
            if (!p.rekeyRequested) {
                p.rekeyRequested = true;
                control.submit(() -> control.rekey(p));
            }
            return false;
        }
        if (!enqueue(slot, n, to)) {
            return false;
        }
        if (protocol >= 0) {
            noteSent(p, len, config.clock().nanoTime());
        } else {
            p.lastSentNs = config.clock().nanoTime();
            p.sent = true;
        }
        return true;
    }

    /** Bookkeeping of a data message handed to the I/O agent. */
    private void noteSent(Peer p, int len, long now) {
        p.lastSentNs = now;
        p.sent = true;
        if (p.keepaliveDue) {
            p.keepaliveDue = false;
        }
        if (p.unansweredSinceNs == 0) {
            p.unansweredSinceNs = now; // the liveness rule starts: an answer is expected within 15 s
        }
        p.messagesSent.incrementAndGet();
        p.bytesSent.addAndGet(len);
    }

    /** Queues an already-built datagram (handshake messages) from the control agent. */
    boolean sendRaw(byte[] datagram, Endpoint to) {
        if (!senders.enter()) {
            return false; // closing
        }
        try {
            int slot = pool.acquire();
            if (slot < 0) {
                stats.increment(TransportCounter.DROP_POOL_EXHAUSTED);
                return false;
            }
            MemorySegment.copy(datagram, 0, slab, ValueLayout.JAVA_BYTE, pool.slotOffset(slot), datagram.length);
            return enqueue(slot, datagram.length, to);
        } finally {
            senders.exit();
        }
    }

    /** Addresses a filled slot and hands it to the I/O agent; a full queue drops and counts it. */
    private boolean enqueue(int slot, int length, Endpoint to) {
        pool.length(slot, length);
        to.writeTo(pool.addresses(), pool.addressOffset(slot));
        if (!sendQueue.offer(slot)) {
            pool.release(slot);
            stats.increment(TransportCounter.DROP_SEND_QUEUE_FULL);
            return false;
        }
        ioAgent.wakeSender();
        return true;
    }

    boolean usable(PeerSession s) {
        return s != null && !s.expired(config.clock().nanoTime());
    }

    // ---------------------------------------------------------------- receive

    /** Worker thread: authenticates and decrypts one transport datagram in place. */
    private int decrypt(int slot) {
        long off = pool.slotOffset(slot) + pool.dataOffset(slot);
        int len = pool.length(slot);
        if (len < HEADER + 16) {
            slotDropReason[slot] = TransportCounter.DROP_MALFORMED.ordinal();
            return DROPPED;
        }
        int index = slab.get(LE_INT, off + 1);
        PeerSession s = sessions.get(index);
        if (s == null) {
            Peer waiting = pendingByIndex.get(index);
            if (waiting != null && waiting.responseQueuedIndex == index) {
                s = awaitSession(index);
            }
        }
        if (s == null) {
            slotDropReason[slot] = TransportCounter.DROP_UNKNOWN_INDEX.ordinal();
            return DROPPED;
        }
        if (s.expired(config.clock().nanoTime())) {
            slotDropReason[slot] = TransportCounter.DROP_SESSION_EXPIRED.ordinal();
            return DROPPED;
        }
        int n = s.open(slab, off, len);
        if (n < 0) {
            slotDropReason[slot] = TransportCounter.DROP_DECRYPT_FAILED.ordinal();
            return DROPPED;
        }
        slotSession[slot] = s;
        return n;
    }

    /**
     * A transport datagram for the index of an initiation of ours whose response arrived just
     * before it: the responder answered and speaks on the new session at once (zgrnet Go switches
     * the moment it answers), and the response is with the control agent (two X25519 away, longer
     * while the JIT is cold). Waiting for it (bounded: {@link #PENDING_SESSION_WAIT_NS}) instead of
     * dropping keeps a rekey lossless. Only a response that matched a pending index opens this
     * wait, and the control agent closes it as soon as it handled that response.
     */
    private PeerSession awaitSession(int index) {
        long deadline = System.nanoTime() + PENDING_SESSION_WAIT_NS;
        PeerSession s;
        Peer p;
        while ((s = sessions.get(index)) == null && (p = pendingByIndex.get(index)) != null
                && p.responseQueuedIndex == index && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        return s != null ? s : sessions.get(index);
    }

    /** How long a worker waits for the session of an initiation whose response is being processed. */
    static final long PENDING_SESSION_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(200);

    /**
     * Receives the next message into {@code buffer}, waiting as long as it takes.
     *
     * @return the message (the same holder each call is fine: see {@link #readFrom(Message, byte[], long)})
     */
    public Message readFrom(byte[] buffer) throws InterruptedException {
        Message m = new Message();
        readFrom(m, buffer, -1);
        return m;
    }

    /** Receives the next message, waiting at most {@code timeout}; null on timeout. */
    public Message readFrom(byte[] buffer, Duration timeout) throws InterruptedException {
        Message m = new Message();
        return readFrom(m, buffer, timeout.toNanos()) ? m : null;
    }

    /**
     * Receives the next message into {@code buffer} and describes it in {@code into}; no allocation.
     *
     * @param timeoutNanos negative = wait until a message arrives or the transport closes
     * @return true if a message was received, false on timeout or close
     */
    public boolean readFrom(Message into, byte[] buffer, long timeoutNanos) throws InterruptedException {
        java.util.Objects.requireNonNull(into, "into");
        java.util.Objects.requireNonNull(buffer, "buffer");
        return receive(null, into, buffer, 1, timeoutNanos) == 1;
    }

    /**
     * Zero-copy receive: hands up to {@code limit} messages to {@code handler} in arrival order,
     * without waiting.
     *
     * @return the number of messages handled
     */
    public int poll(MessageHandler handler, int limit) {
        try {
            return receive(java.util.Objects.requireNonNull(handler, "handler"), null, null, limit, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static final class CopyingHandler implements MessageHandler {
        Message into;
        byte[] buffer;

        @Override
        public void onMessage(PeerKey sender, int protocol, MemorySegment payload, long offset, int length) {
            int n = Math.min(length, buffer.length);
            MemorySegment.copy(payload, ValueLayout.JAVA_BYTE, offset, buffer, 0, n);
            into.set(sender, protocol, n, n < length);
        }
    }

    /** The single-consumer receive loop; a null handler means "copy into {@code into}/{@code buffer}". */
    private int receive(MessageHandler handler, Message into, byte[] buffer, int limit, long timeoutNanos)
            throws InterruptedException {
        if (!reading.compareAndSet(false, true)) {
            throw new IllegalStateException("another thread is reading: readFrom/poll are single-consumer");
        }
        if (closed) {
            // close() drains the ring once no reader is inside; one that enters after close() looked
            // must not touch it (it would release the slots close() returns). Dekker with close():
            // we publish "reading" then read "closed", it publishes "closed" then reads "reading".
            reading.set(false);
            return 0;
        }
        if (handler == null) {
            // Reused, never shared: only the one admitted reader gets here.
            copier.into = into;
            copier.buffer = buffer;
            handler = copier;
        }
        try {
            long deadline = System.nanoTime() + timeoutNanos;
            int delivered = 0;
            int idle = 0;
            while (delivered < limit) {
                if (receiveRing.headReady()) {
                    idle = 0;
                    delivered += consumeHead(handler);
                    continue;
                }
                if (delivered > 0 || closed || failure != null) {
                    break;
                }
                if (timeoutNanos == 0) {
                    break;
                }
                long left = deadline - System.nanoTime();
                if (timeoutNanos > 0 && left <= 0) {
                    break;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (idle++ < 100) {
                    Thread.onSpinWait();
                } else {
                    parkedReader = Thread.currentThread();
                    java.lang.invoke.VarHandle.fullFence(); // pairs with the workers' fence
                    if (!receiveRing.headReady() && !closed && failure == null) {
                        LockSupport.parkNanos(this, timeoutNanos > 0 ? Math.min(left, 10_000_000L) : 10_000_000L);
                    }
                    parkedReader = null;
                }
            }
            return delivered;
        } finally {
            reading.set(false);
        }
    }

    /** Reader: consumes the head entry; returns 1 if it delivered a message. */
    private int consumeHead(MessageHandler handler) {
        int slot = receiveRing.headSlot();
        int result = receiveRing.headResult();
        int delivered = 0;
        try {
            if (result < 0) {
                stats.increment(result == DROPPED ? COUNTERS[slotDropReason[slot]]
                        : TransportCounter.DROP_MALFORMED);
                return 0;
            }
            PeerSession s = slotSession[slot];
            slotSession[slot] = null;
            long off = pool.slotOffset(slot) + pool.dataOffset(slot);
            long counter = slab.get(LE_LONG, off + 5);
            // The window moves only here: after the tag verified, in arrival order, on one thread.
            if (!s.acceptCounter(counter)) {
                stats.increment(TransportCounter.DROP_REPLAYED);
                return 0;
            }
            Peer p = s.peer;
            long now = config.clock().nanoTime();
            p.lastReceivedNs = now;
            p.received = true;
            p.unansweredSinceNs = 0;
            p.messagesReceived++;
            if (!s.confirmed) {
                control.confirm(s);
            }
            // Roaming: the endpoint follows the source of authenticated packets only.
            if (s == p.current) {
                Endpoint e = p.endpoint;
                if (e == null || !e.matches(pool.addresses(), pool.addressOffset(slot))) {
                    p.endpoint = Endpoint.copyOf(pool.addresses(), pool.addressOffset(slot));
                    stats.increment(TransportCounter.ROAMING_UPDATES);
                }
            }
            if (result == 0) {
                stats.increment(TransportCounter.KEEPALIVES_RECEIVED);
                return 0;
            }
            p.lastDataReceivedNs = now;
            p.keepaliveDue = true;
            int protocol = slab.get(ValueLayout.JAVA_BYTE, off + HEADER) & 0xFF;
            p.bytesReceived += result - 1;
            handler.onMessage(p.key, protocol, slab, off + HEADER + 1, result - 1);
            stats.increment(TransportCounter.MESSAGES_DELIVERED);
            delivered = 1;
            return delivered;
        } finally {
            pool.release(slot);
            receiveRing.advance();
        }
    }

    /**
     * Waits until every message queued so far has been handed to the kernel, or {@code timeout}.
     *
     * @return true if the send queue drained in time
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!sendQueue.isEmpty()) {
            if (closed || System.nanoTime() - deadline >= 0) {
                return sendQueue.isEmpty();
            }
            ioAgent.wakeSender();
            Thread.sleep(1); // a flush at exit, not a hot path
        }
        return true;
    }

    // ---------------------------------------------------------------- info

    /** True once {@link #close()} has begun. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Why the transport stopped working on its own, or null while it works: the datagram backend
     * kept failing (the exception names the system call and errno). A failed transport delivers
     * and sends nothing more; readers return as on close, writers get an exception; close it.
     */
    public IOException failure() {
        return failure;
    }

    /** The I/O agent gave up on the backend: stop readers and writers (the owner still calls close). */
    private void fail(IOException cause) {
        if (failure == null) {
            failure = cause;
            LOG.log(Level.ERROR, "zgrnet transport on " + backend.localAddress() + " failed: " + cause.getMessage()
                    + "; it sends and receives nothing more (close it)", cause);
        }
        Thread reader = parkedReader;
        if (reader != null) {
            LockSupport.unpark(reader);
        }
    }

    /** Our public key and bound address. */
    public HostInfo hostInfo() {
        return new HostInfo(handshakes.publicKey(), backend.localAddress());
    }

    /** A snapshot of one peer, or null if unknown. */
    public PeerInfo peerInfo(PeerKey key) {
        Peer p = peers.get(key);
        return p == null ? null : info(p);
    }

    /** Snapshots of all peers. */
    public List<PeerInfo> peers() {
        List<PeerInfo> out = new ArrayList<>();
        for (Peer p : peers.all()) {
            out.add(info(p));
        }
        return out;
    }

    private PeerInfo info(Peer p) {
        long now = config.clock().nanoTime();
        PeerSession s = p.current;
        Endpoint e = p.endpoint;
        return new PeerInfo(p.key, e == null ? null : e.address(), p.state(),
                s == null ? -1 : TimeUnit.NANOSECONDS.toMillis(now - s.createdNs),
                p.received ? TimeUnit.NANOSECONDS.toMillis(now - p.lastReceivedNs) : -1,
                p.sent ? TimeUnit.NANOSECONDS.toMillis(now - p.lastSentNs) : -1,
                p.messagesSent.get(), p.messagesReceived, p.bytesSent.get(), p.bytesReceived);
    }

    /** The transport's counters; every drop reason is named. */
    public TransportStats stats() {
        return stats;
    }

    /** The backend in use, why, and its counters. */
    public IoInfo ioInfo() {
        return ioInfo;
    }

    /** Packet-pool slots currently in use; after close, those that were never returned (the leak check: 0). */
    public int outstandingSlots() {
        return pool.isClosed() ? leakedAtClose : pool.outstanding();
    }

    // ---------------------------------------------------------------- internals for the control agent

    TransportConfig config() {
        return config;
    }

    TransportStats statsInternal() {
        return stats;
    }

    PacketPool pool() {
        return pool;
    }

    HandshakeAdapter handshakes() {
        return handshakes;
    }

    PeerTable peerTable() {
        return peers;
    }

    io.zgrnet.peer.IndexTable<PeerSession> sessions() {
        return sessions;
    }

    /** The control agent (tests queue commands on it to make an interleaving deterministic). */
    ControlAgent control() {
        return control;
    }

    private void wakeWorkers() {
        for (int i = 0; i < workerRunners.size(); i++) {
            workerRunners.get(i).wake();
        }
    }

    void wakeControl() {
        AgentRunner r = controlRunner;
        if (r != null) {
            r.wake();
        }
    }

    private final class IoListener implements IoAgent.Listener {
        @Override
        public void receiveRingFull() {
            stats.increment(TransportCounter.DROP_RECEIVE_QUEUE_FULL);
        }

        @Override
        public void unknownType() {
            stats.increment(TransportCounter.DROP_UNKNOWN_TYPE);
        }

        @Override
        public void malformed() {
            stats.increment(TransportCounter.DROP_MALFORMED);
        }

        @Override
        public void sendRefused(int count) {
            stats.add(TransportCounter.DROP_SEND_FAILED, count);
        }

        @Override
        public void received(int count) {
            stats.add(TransportCounter.DATAGRAMS_RECEIVED, count);
        }

        private long lastLoggedNs;
        private long unlogged;

        @Override
        public void backendError(IOException e, boolean fatal) {
            if (fatal) {
                fail(e);
                return;
            }
            // Logged at most once a second, with how many were not: a failing socket must not
            // turn into a log flood.
            long now = System.nanoTime();
            if (lastLoggedNs == 0 || now - lastLoggedNs >= TimeUnit.SECONDS.toNanos(1)) {
                LOG.log(Level.WARNING, "datagram backend error (retrying): " + e.getMessage()
                        + (unlogged > 0 ? " (" + unlogged + " more since the last report)" : ""));
                lastLoggedNs = now;
                unlogged = 0;
            } else {
                unlogged++;
            }
        }
    }

    /**
     * Stops every thread, closes the socket and frees the pool. Order: senders first (none may take
     * a slot any more; those holding one queue it), then the I/O agent (no new datagrams), then
     * workers and the control agent, then the ring's remaining entries go back to the pool, then
     * the backend (which returns its own slots), then the pool. Idempotent.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        senders.close();
        boolean stopped = senders.awaitIdle(TimeUnit.SECONDS.toNanos(5));
        if (!stopped) {
            LOG.log(Level.WARNING, "a sender did not finish within 5 s of close");
        }
        ioAgent.stop();
        stopped &= ioRunner.stop(); // its last act closes the backend, on the ring's owner thread
        for (AgentRunner r : workerRunners) {
            stopped &= r.stop();
        }
        stopped &= controlRunner.stop();
        Thread reader = parkedReader;
        if (reader != null) {
            LockSupport.unpark(reader);
        }
        // Wait for a reader inside receive() to leave before draining its ring (no new one enters).
        // (A reader that enters now sets "reading" only for a moment: it sees closed and leaves.)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        boolean readerLeft;
        while (!(readerLeft = !reading.get()) && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        if (!readerLeft) {
            // A handler that does not return: the ring stays its own; its slots are reported leaked.
            LOG.log(Level.WARNING, "the reader did not return within 5 s of close; its ring is not drained");
        }
        while (readerLeft && receiveRing.size() > 0) {
            receiveRing.processOne();
            if (receiveRing.headReady()) {
                pool.release(receiveRing.headSlot());
                slotSession[receiveRing.headSlot()] = null;
                receiveRing.advance();
            }
        }
        handshakeGate.clear();
        int slot;
        while ((slot = sendQueue.poll()) >= 0) {
            pool.release(slot);
        }
        backend.close(); // a no-op when the I/O agent closed it
        control.destroyAll();
        int leaked = pool.outstanding();
        leakedAtClose = leaked;
        if (leaked != 0) {
            LOG.log(Level.WARNING, "{0} packet slots still outstanding at close", leaked);
        }
        if (stopped && readerLeft) {
            pool.close(); // freed now, or by the backend once its last kernel operation completed
        } else {
            // A thread of ours is still running (stuck in a call that does not return) and may
            // still touch the slab, natively too (libsodium, a system call): never free it under it.
            LOG.log(Level.ERROR, "zgrnet transport on {0}: a thread did not stop at close; the packet pool "
                    + "({1} bytes) is leaked rather than freed under it", hostAddress(),
                    (long) pool.capacity() * pool.slotSize());
        }
    }

    private InetSocketAddress hostAddress() {
        try {
            return backend.localAddress();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
