package io.zgrnet;

import io.zgrnet.kcp.KcpConstants;
import io.zgrnet.kcp.KcpCounter;
import io.zgrnet.kcp.KcpStats;
import io.zgrnet.pipeline.Agent;
import io.zgrnet.pipeline.AgentRunner;
import io.zgrnet.stream.FrameOutput;
import io.zgrnet.stream.Mux;
import io.zgrnet.stream.MuxConfig;
import io.zgrnet.stream.MuxResult;
import io.zgrnet.stream.Stream;
import io.zgrnet.stream.StreamIds;
import io.zgrnet.stream.StreamListener;
import io.zgrnet.stream.StreamResult;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stream thread ("zgrnet-streams"): owns every {@link Mux} of the transport (one per peer
 * session) and drives them; never blocks.
 *
 * <p>Concurrency design. Three ways in, none of them a lock on the per-packet path:
 * <ul>
 * <li>Frames: {@link #onMessage} runs on whichever thread holds the reader's turn (an application
 *     reader or the delivery agent; the turn orders them, so there is one producer at a time). It
 *     copies the protocol-64 payload into a preallocated slot of a bounded SPSC ring and wakes
 *     us; a full ring drops and counts the frame (KCP resends it).</li>
 * <li>Application bytes: each {@link StreamChannel} has two SPSC {@link StreamBuffer}s; the
 *     application fills/empties its side and sets flags (shutdown, close, abort), then
 *     {@link #wake()}s us; every duty cycle moves bytes between those buffers and the streams
 *     (a bounded buffer both ways: a full one is back-pressure, nothing is dropped).</li>
 * <li>Opens: a bounded lock-free queue of requests, each completed through its future.</li>
 * </ul>
 * Out: the muxes' frames go through the {@link SendPath} on this thread (non-blocking; refused
 * frames are counted and left to KCP), waking the I/O agent once per burst (every 64 frames and at
 * the end of a duty cycle), not once per frame. Accepted streams go to a bounded queue that application
 * threads take from. Every millisecond each mux is updated (KCP's 10 ms flushes, SYN/FIN repeats,
 * timers), and each peer's session is compared with the one its mux was made for: a removed peer,
 * a replaced or expired session ends that mux's streams with a {@link StreamResetException}
 * (zgrnet makes a new mux on every handshake, services.md §3.6 and §6.5); the next frame or open
 * makes a new mux on the current session, continuing our id counter. A mux is made for a session
 * before its first frame: on our open (after the handshake) or on the peer's first frame, which
 * the reader hands over only after the session that decrypted it became current.
 *
 * <p>Close: {@link UDP#close()} stops this agent; {@link #onClose()} fails every stream and
 * pending open with a {@link TransportClosedException} and wakes their threads.
 */
final class StreamService implements Agent, ProtocolHandler {
    private static final System.Logger LOG = System.getLogger(StreamService.class.getName());
    /** The protocol byte of the stream mux. */
    static final int PROTOCOL = 64;
    /** Per stream and direction: bytes between the application and the stream thread. */
    static final int BUFFER_BYTES = 128 << 10;
    /** Frames waiting for the stream thread (3 MiB), and the largest frame a slot holds (PSH ≤ 1407, SYN ≤ 1032). */
    static final int FRAME_QUEUE = 2048;
    static final int FRAME_SLOT = 1536;
    /** Accepted streams waiting for acceptStream (beyond it they wait in their mux's queue of 16). */
    static final int ACCEPT_BACKLOG = 64;
    /** Opens waiting for the stream thread. */
    static final int OPEN_QUEUE = 256;
    /** How long a closed stream's unsent bytes may wait for room before they are dropped. */
    static final long CLOSE_LINGER_MS = 10_000;
    private static final int FRAMES_PER_CYCLE = 2048;
    /**
     * Frames queued for the I/O agent before it is woken within a duty cycle (and once at the end
     * of every cycle that sent one): far below the send queue (4096 by default).
     */
    private static final int WAKE_EVERY_FRAMES = 64;
    /** Send queue entries new stream data leaves free (see pumpAll): a quarter of the queue. */
    private final int sendQueueReserve;

    private static final VarHandle FRAME_HEAD;
    private static final VarHandle FRAME_TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FRAME_HEAD = l.findVarHandle(StreamService.class, "frameHead", long.class);
            FRAME_TAIL = l.findVarHandle(StreamService.class, "frameTail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A request from an application thread to open a stream. */
    private record OpenRequest(Peer peer, int proto, byte[] metadata, CompletableFuture<StreamChannel> result) {
    }

    private final TransportContext ctx;
    private final TransportStats stats;
    private final SendPath sendPath;
    private final MuxConfig muxConfig;
    private final byte[] localKey;

    // Frame ring: producer = the reader's turn, consumer = this thread.
    private final byte[] frameBytes = new byte[FRAME_QUEUE * FRAME_SLOT];
    private final MemorySegment frames = MemorySegment.ofArray(frameBytes);
    private final Peer[] framePeers = new Peer[FRAME_QUEUE];
    private final int[] frameLengths = new int[FRAME_QUEUE];
    @SuppressWarnings("unused")
    private long frameHead;
    @SuppressWarnings("unused")
    private long frameTail;

    private final ConcurrentLinkedQueue<OpenRequest> opens = new ConcurrentLinkedQueue<>();
    private final AtomicInteger openCount = new AtomicInteger();
    /** Streams the peers opened, for acceptStream (any application thread). */
    final ArrayBlockingQueue<StreamChannel> accepted = new ArrayBlockingQueue<>(ACCEPT_BACKLOG);

    // Owned by this thread.
    private final IdentityHashMap<Peer, PeerStreams> byPeer = new IdentityHashMap<>();
    private final ArrayList<PeerStreams> peers = new ArrayList<>();
    private final ArrayList<StreamChannel> live = new ArrayList<>();
    private final IdentityHashMap<Stream, StreamChannel> channels = new IdentityHashMap<>();
    private final byte[] scratch = new byte[64 << 10];
    /** Peers whose mux got frames in this duty cycle's batch. */
    private final ArrayList<PeerStreams> inputPeers = new ArrayList<>();
    private long lastTickMs = Long.MIN_VALUE;
    /** Frames queued since the I/O agent was last woken. */
    private int unwoken;
    /** Bytes of new data the streams may still hand to KCP in this duty cycle. */
    private long sendBudget;
    /** Which live stream pumps first (rotates every cycle). */
    private long pumpTurn;
    private boolean failedAll;

    /** Where accepted streams go instead of {@link #accepted} (UDP.onStream); null: acceptStream. */
    private volatile StreamHandler handler;
    private volatile boolean signalled;
    private volatile AgentRunner runner;

    StreamService(TransportContext ctx, SendPath sendPath, MuxConfig muxConfig) {
        this.ctx = ctx;
        this.stats = ctx.stats;
        this.sendPath = sendPath;
        this.sendQueueReserve = sendPath.sendQueueCapacity() / 4;
        this.muxConfig = muxConfig;
        this.localKey = ctx.handshakes.publicKey().toBytes();
    }

    /** Set once, right after the runner started. */
    void runner(AgentRunner r) {
        this.runner = r;
    }

    /** Any thread: there is work (bytes moved, a flag set, a request queued). */
    void wake() {
        signalled = true;
        AgentRunner r = runner;
        if (r != null) {
            r.wake();
        }
    }

    @Override
    public String roleName() {
        return "zgrnet-streams";
    }

    @Override
    public boolean hasWork() {
        return signalled || (long) FRAME_TAIL.getAcquire(this) != (long) FRAME_HEAD.getOpaque(this)
                || !opens.isEmpty();
    }

    private static long nowMs() {
        return System.nanoTime() / 1_000_000;
    }

    // ------------------------------------------------------------------ frames in (reader's turn)

    @Override
    public void onMessage(Peer peer, int protocol, MemorySegment payload, long offset, int length) {
        if (length > FRAME_SLOT) {
            stats.increment(TransportCounter.DROP_STREAM_FRAME_TOO_LARGE);
            return;
        }
        long t = (long) FRAME_TAIL.getOpaque(this);
        if (t - (long) FRAME_HEAD.getAcquire(this) >= FRAME_QUEUE) {
            stats.increment(TransportCounter.DROP_STREAM_QUEUE_FULL);
            return;
        }
        int i = (int) (t & (FRAME_QUEUE - 1));
        MemorySegment.copy(payload, ValueLayout.JAVA_BYTE, offset, frameBytes, i * FRAME_SLOT, length);
        framePeers[i] = peer;
        frameLengths[i] = length;
        FRAME_TAIL.setRelease(this, t + 1); // the slot's bytes, peer and length before the new tail
        AgentRunner r = runner;
        if (r != null) {
            r.wake();
        }
    }

    // ------------------------------------------------------------------ application calls

    /**
     * Application thread: queues an open for a peer with a session. The future fails with an
     * IOException when the stream thread refuses it (no session, stream limit), or with a
     * {@link TransportClosedException}.
     */
    CompletableFuture<StreamChannel> open(Peer peer, int proto, byte[] metadata) {
        CompletableFuture<StreamChannel> f = new CompletableFuture<>();
        if (openCount.incrementAndGet() > OPEN_QUEUE) {
            openCount.decrementAndGet();
            f.completeExceptionally(new IOException("openStream: " + OPEN_QUEUE + " opens already waiting; try again"));
            return f;
        }
        opens.add(new OpenRequest(peer, proto, metadata, f));
        wake();
        if (ctx.lifecycle.stopped()) {
            // close() may have run onClose before our request arrived: nothing would complete f.
            f.completeExceptionally(new TransportClosedException(ctx.lifecycle.failure()));
        }
        return f;
    }

    // ------------------------------------------------------------------ duty cycle

    @Override
    public int doWork() {
        signalled = false; // before looking: a wake during this cycle makes the next one run
        long now = nowMs();
        int work = takeOpens(now);
        work += takeFrames(now);
        work += pumpAll(now);
        if (now != lastTickMs) {
            lastTickMs = now;
            work += tick(now);
        }
        if (unwoken > 0) {
            wakeSender();
        }
        return work;
    }

    /** The frames queued since the last wake go out: one wake-up of the I/O agent for a burst. */
    private void wakeSender() {
        unwoken = 0;
        sendPath.wakeSender();
    }

    private int takeOpens(long now) {
        int work = 0;
        OpenRequest r;
        while ((r = opens.poll()) != null) {
            openCount.decrementAndGet();
            work++;
            if (r.result.isDone()) {
                continue; // the caller gave up
            }
            PeerStreams ps = ensureMux(r.peer, now);
            if (ps == null) {
                r.result.completeExceptionally(new IOException("openStream: no session with " + r.peer.key
                        + (ctx.peers.get(r.peer.key) != r.peer ? " (the peer was removed)" : " (connect first)")));
                continue;
            }
            Stream s = ps.mux.open(r.proto, r.metadata, 0, r.metadata.length);
            if (s == null) {
                r.result.completeExceptionally(new IOException("openStream: " + muxConfig.maxStreams()
                        + " streams are open with " + r.peer.key + " (the limit)"));
                continue;
            }
            StreamChannel c = attach(ps, s, true);
            stats.increment(TransportCounter.STREAMS_OPENED);
            if (!r.result.complete(c)) {
                c.abortRequested = true; // the caller timed out meanwhile: nobody will use it
            }
        }
        return work;
    }

    private int takeFrames(long now) {
        long h = (long) FRAME_HEAD.getOpaque(this);
        long t = (long) FRAME_TAIL.getAcquire(this);
        int n = 0;
        while (h != t && n < FRAMES_PER_CYCLE) {
            int i = (int) (h & (FRAME_QUEUE - 1));
            Peer p = framePeers[i];
            framePeers[i] = null;
            PeerStreams ps = ensureMux(p, now);
            if (ps == null) {
                stats.increment(TransportCounter.DROP_STREAM_NO_SESSION);
            } else if (ps.mux.input(frames, (long) i * FRAME_SLOT, frameLengths[i]) == MuxResult.OK) {
                stats.increment(TransportCounter.STREAM_FRAMES_RECEIVED);
                if (!ps.inputPending) {
                    ps.inputPending = true;
                    inputPeers.add(ps);
                }
            } else {
                stats.increment(TransportCounter.DROP_STREAM_FRAME_INVALID);
            }
            h++;
            n++;
        }
        if (n > 0) {
            FRAME_HEAD.setRelease(this, h); // the slots are free again
        }
        // ACKs of the batch (and data the ACKs made room for) go out now, not at the next 10 ms flush.
        for (int k = 0; k < inputPeers.size(); k++) {
            PeerStreams ps = inputPeers.get(k);
            ps.inputPending = false;
            if (ps.mux != null) {
                ps.mux.flushAfterInput();
            }
        }
        inputPeers.clear();
        return n;
    }

    /** Moves bytes between every live stream and its channel; acts on the application's flags. */
    private int pumpAll(long now) {
        int work = 0;
        for (int i = live.size() - 1; i >= 0; i--) {
            if (live.get(i).detached) {
                int last = live.size() - 1;
                live.set(i, live.get(last));
                live.remove(last);
            }
        }
        // New data may take the send queue down to a quarter free (ACKs and
        // retransmissions need room too): with several streams, windows of 1024 segments each would
        // otherwise overflow the queue, and every refused frame costs a retransmission. The streams
        // take turns at going first.
        sendBudget = (long) (sendPath.sendQueueRoom() - sendQueueReserve) * KcpConstants.MSS;
        int n = live.size();
        int first = n == 0 ? 0 : (int) (pumpTurn++ % n);
        for (int k = 0; k < n; k++) {
            work += pump(live.get((first + k) % n), now);
        }
        return work;
    }

    private int pump(StreamChannel c, long now) {
        Stream s = c.stream;
        int work = 0;
        if (c.abortRequested) {
            if (!c.closeIssued) {
                c.closeIssued = true;
                c.out.clear();
                s.abort(); // leaves through onClosed
                work++;
            }
            return work;
        }
        // Application -> stream, as much as KCP's send ring takes.
        if (c.out.size() > 0 && !c.shutIssued) {
            boolean moved = false;
            while (true) {
                int room = (int) Math.min(s.writableBytes(), sendBudget);
                if (room <= 0) {
                    break;
                }
                int n = c.out.peek(scratch, 0, Math.min(room, scratch.length));
                if (n == 0) {
                    break;
                }
                int w = s.write(scratch, 0, n);
                if (w <= 0) {
                    if (w < 0 && c.failure == null) {
                        c.failure = new StreamResetException(describe(c) + " ended; no more writes");
                        c.wakeWriter();
                    }
                    break;
                }
                c.out.skip(w);
                sendBudget -= w;
                moved = true;
            }
            if (moved) {
                work++;
                c.wakeWriter();
            }
        }
        if (c.out.size() == 0) {
            if (c.shutdownRequested && !c.shutIssued && !c.closeRequested) {
                c.shutIssued = true;
                s.shutdownOutput(); // FIN once everything written is acknowledged
                work++;
            }
            if (c.closeRequested && !c.closeIssued) {
                c.closeIssued = true;
                s.close();
                work++;
            }
        } else if (c.closeRequested && !c.closeIssued) {
            if (c.closeSinceMs == Long.MIN_VALUE) {
                c.closeSinceMs = now;
            } else if (now - c.closeSinceMs >= CLOSE_LINGER_MS) {
                LOG.log(Level.DEBUG, "{0}: {1} unsent bytes dropped {2} ms after close", describe(c), c.out.size(),
                        CLOSE_LINGER_MS);
                c.closeIssued = true;
                c.out.clear();
                s.abort();
                work++;
            }
        }
        // Stream -> application, as much as the channel's buffer takes.
        if (!c.closeRequested && !c.eof) {
            boolean moved = false;
            while (true) {
                int free = c.in.free();
                if (free == 0) {
                    break;
                }
                int n = s.read(scratch, 0, Math.min(free, scratch.length));
                if (n > 0) {
                    c.in.offer(scratch, 0, n);
                    moved = true;
                    continue;
                }
                if (n == StreamResult.EOF) {
                    c.eof = true;
                    moved = true;
                }
                break;
            }
            if (moved) {
                work++;
                c.wakeReader();
            }
        }
        return work;
    }

    /** Every millisecond: sessions checked, muxes updated, accepts handed over. */
    private int tick(long now) {
        if (ctx.lifecycle.stopped()) {
            if (!failedAll) {
                failedAll = true;
                failAll(); // the transport failed on its own; close() will stop us
            }
            return 0;
        }
        int work = 0;
        StreamHandler h = handler;
        StreamChannel waiting;
        while (h != null && (waiting = accepted.poll()) != null) {
            dispatch(h, waiting); // accepted before the handler was set (counted then)
            work++;
        }
        for (int i = peers.size() - 1; i >= 0; i--) {
            PeerStreams ps = peers.get(i);
            work += check(ps);
            if (ps.removed) {
                int last = peers.size() - 1;
                peers.set(i, peers.get(last));
                peers.remove(last);
                byPeer.remove(ps.peer);
                continue;
            }
            if (ps.mux != null) {
                ps.mux.update(now);
                takeAccepts(ps);
                countSegments(ps);
            }
        }
        return work;
    }

    // ------------------------------------------------------------------ muxes and sessions

    /**
     * The peer's mux on its current session, made now if needed; null without a session. With no
     * current session but a responder session waiting for proof (the peer handshook with us and
     * has not sent anything yet), the mux is made for the newest such candidate: our frames go to
     * it as the send path's budgeted copies (or wait staged), and the peer's answer confirms it.
     * Starting a handshake of our own instead would replace the peer's session and end its streams.
     */
    private PeerStreams ensureMux(Peer peer, long now) {
        PeerStreams ps = byPeer.get(peer);
        PeerSession current = peer.current;
        if (ps != null && ps.mux != null && ps.session == current) {
            return ps;
        }
        if (current == null) {
            PeerSession[] waiting = peer.candidates;
            current = waiting.length == 0 ? null : waiting[waiting.length - 1];
        }
        if (ps != null && ps.mux != null && ps.session == current) {
            return ps;
        }
        if (ps != null) {
            check(ps);
            if (ps.removed) {
                return null;
            }
        }
        if (current == null || ctx.peers.get(peer.key) != peer) {
            return null;
        }
        if (ps == null) {
            ps = new PeerStreams(peer);
            byPeer.put(peer, ps);
            peers.add(ps);
        }
        boolean client = StreamIds.isClient(localKey, peer.publicKey);
        int first = ps.nextId != 0 ? ps.nextId : StreamIds.first(client);
        ps.mux = new Mux(muxConfig, client, first, ps, ps);
        ps.session = current;
        ps.mux.update(now); // a clock from the start: a write right after open goes out at once
        LOG.log(Level.DEBUG, "stream mux for {0} on {1}", peer.key, current);
        return ps;
    }

    /** Ends the peer's mux if its session is no longer current or the peer was removed. */
    private int check(PeerStreams ps) {
        Peer p = ps.peer;
        boolean removed = ctx.peers.get(p.key) != p;
        ps.removed = removed;
        if (ps.mux == null) {
            return 0;
        }
        PeerSession current = p.current;
        if (!removed && (current == ps.session || current == null && isCandidate(p, ps.session))) {
            return 0;
        }
        String why = removed ? "the peer was removed"
                : current == null ? "its session expired"
                : "its session was replaced by a new handshake (zgrnet ends every stream of the peer then)";
        reset(ps, why, null);
        return 1;
    }

    private static boolean isCandidate(Peer p, PeerSession s) {
        for (PeerSession c : p.candidates) {
            if (c == s) {
                return true;
            }
        }
        return false;
    }

    /** Ends every stream of the peer's mux with {@code why} (or {@code closed}) and drops the mux. */
    private void reset(PeerStreams ps, String why, IOException closed) {
        int n = 0;
        for (int i = 0; i < live.size(); i++) {
            StreamChannel c = live.get(i);
            if (c.owner == ps && !c.detached) {
                n++;
            }
        }
        if (n > 0) {
            // Counted before any channel can see its failure: a caller that sees its stream end
            // sees it counted.
            stats.add(TransportCounter.STREAMS_RESET, n);
            LOG.log(Level.DEBUG, "{0} stream(s) with {1} ended: {2}", n, ps.peer.key, why);
        }
        for (int i = 0; i < live.size(); i++) {
            StreamChannel c = live.get(i);
            if (c.owner == ps && !c.detached && c.failure == null) {
                c.failure = closed != null ? closed : new StreamResetException(describe(c) + " ended: " + why);
            }
        }
        ps.nextId = ps.mux.nextStreamId();
        countSegments(ps);
        ps.segmentsSent = 0; // the next mux counts from 0
        ps.segmentsResent = 0;
        ps.mux.close(); // RESET without FIN: each stream's onClosed detaches and wakes its channel
        ps.mux = null;
        ps.session = null;
    }

    /** Adds what the peer's mux sent and resent since the last call to the transport's counters. */
    private void countSegments(PeerStreams ps) {
        KcpStats k = ps.mux.kcpStats();
        long sent = k.get(KcpCounter.PUSH_SENT);
        long resent = k.get(KcpCounter.RETRANSMIT_TIMEOUT) + k.get(KcpCounter.RETRANSMIT_FAST);
        if (sent != ps.segmentsSent) {
            stats.add(TransportCounter.STREAM_SEGMENTS_SENT, sent - ps.segmentsSent);
            ps.segmentsSent = sent;
        }
        if (resent != ps.segmentsResent) {
            stats.add(TransportCounter.STREAM_SEGMENTS_RESENT, resent - ps.segmentsResent);
            ps.segmentsResent = resent;
        }
    }

    private StreamChannel attach(PeerStreams ps, Stream s, boolean local) {
        StreamChannel c = new StreamChannel(this, ps.peer.key, s.id(), s.proto(), s.metadata(), local, BUFFER_BYTES);
        c.stream = s;
        c.owner = ps;
        channels.put(s, c);
        live.add(c);
        return c;
    }

    /** Application thread: accepted streams go to {@code h} from now on (null: to acceptStream again). */
    void handler(StreamHandler h) {
        handler = h;
        wake();
    }

    /** The stream handler, or null. */
    StreamHandler handler() {
        return handler;
    }

    private void takeAccepts(PeerStreams ps) {
        Stream s;
        StreamHandler h = handler;
        if (h != null) {
            while ((s = ps.mux.accept()) != null) {
                StreamChannel c = attach(ps, s, false);
                stats.increment(TransportCounter.STREAMS_ACCEPTED);
                dispatch(h, c);
            }
            return;
        }
        while (accepted.remainingCapacity() > 0 && (s = ps.mux.accept()) != null) {
            StreamChannel c = attach(ps, s, false);
            if (accepted.offer(c)) {
                stats.increment(TransportCounter.STREAMS_ACCEPTED);
            } else {
                c.abortRequested = true; // cannot happen: one producer, capacity checked
            }
        }
    }

    /**
     * Starts the handler on a virtual thread of its own (starting one does not block this
     * thread); a handler that throws is logged and counted, and its stream aborted.
     */
    private void dispatch(StreamHandler h, StreamChannel c) {
        Thread.ofVirtual().name("zgrnet-stream-handler").start(() -> {
            try {
                h.handle(c);
            } catch (Throwable t) {
                stats.increment(TransportCounter.STREAM_HANDLER_FAILED);
                LOG.log(Level.WARNING, describe(c) + ": the stream handler threw; the stream is aborted", t);
                c.abort();
            }
        });
    }

    private void detach(Stream s) {
        StreamChannel c = channels.remove(s);
        if (c == null) {
            return;
        }
        c.detached = true;
        c.ended = true;
        if (c.failure == null && !c.closeRequested && !c.eof) {
            c.failure = new StreamResetException(describe(c) + " ended: " + switch (s.closeReason()) {
                case IDLE_TIMEOUT -> "nothing came from the peer for " + muxConfig.idleTimeoutMs() / 1000
                        + " s (idle timeout)";
                case RESET -> "its mux was reset";
                default -> "closed (" + s.closeReason() + ")";
            });
        }
        c.wakeReader();
        c.wakeWriter();
    }

    private static String describe(StreamChannel c) {
        return "stream " + Integer.toUnsignedString(c.id()) + " with " + c.peer();
    }

    /** Fails every stream and waiting open (transport closed or failed). */
    private void failAll() {
        IOException closed = new TransportClosedException(ctx.lifecycle.failure());
        for (PeerStreams ps : peers) {
            if (ps.mux != null) {
                reset(ps, "the transport closed", closed);
            }
        }
        for (StreamChannel c : live) {
            if (c.failure == null) {
                c.failure = closed;
            }
            c.ended = true;
            c.wakeReader();
            c.wakeWriter();
        }
        OpenRequest r;
        while ((r = opens.poll()) != null) {
            openCount.decrementAndGet();
            r.result.completeExceptionally(closed);
        }
    }

    @Override
    public void onClose() {
        failAll();
        live.clear();
        channels.clear();
        peers.clear();
        byPeer.clear();
    }

    /** One peer's streams: its mux on one session, its frame output and listener. */
    private final class PeerStreams implements FrameOutput, StreamListener {
        final Peer peer;
        PeerSession session;
        Mux mux;
        /** Our next stream id, carried over to the next mux of this peer (0: none yet). */
        int nextId;
        boolean removed;
        /** In {@link #inputPeers} (frames of this duty cycle). */
        boolean inputPending;
        /** The mux's KCP counters already added to the transport's (see countSegments). */
        long segmentsSent;
        long segmentsResent;

        PeerStreams(Peer peer) {
            this.peer = peer;
        }

        /**
         * Sends on exactly the session this mux belongs to: not through {@link SendPath#write},
         * which also copies to responder sessions waiting for proof; after a peer restarted with
         * the same key, this mux's frames (a FIN repeat, a retransmission) would reach the new
         * process's mux, where the same stream id may be in use (services.md §3.6).
         */
        @Override
        public void sendFrame(byte[] buf, int off, int len) {
            PeerSession current = peer.current;
            boolean sent;
            if (current == session) {
                sent = !session.expired(ctx.now()) && sendPath.sendOn(peer, session, PROTOCOL, buf,
                        MemorySegment.NULL, off, len, peer.endpoint, false);
            } else if (current == null && isCandidate(peer, session)) {
                // Not proven yet: within its anti-amplification budget, as the send path does.
                if (!session.spend(len + io.zgrnet.wire.TransportHeader.OVERHEAD)) {
                    stats.increment(TransportCounter.DROP_AMPLIFICATION_LIMIT);
                    return;
                }
                sent = sendPath.sendOn(peer, session, PROTOCOL, buf, MemorySegment.NULL, off, len, session.endpoint,
                        false);
            } else {
                stats.increment(TransportCounter.DROP_STREAM_STALE_SESSION); // reset at the next check
                return;
            }
            if (sent) {
                stats.increment(TransportCounter.MESSAGES_SENT);
                stats.increment(TransportCounter.STREAM_FRAMES_SENT);
                if (++unwoken >= WAKE_EVERY_FRAMES) {
                    wakeSender();
                }
            } else {
                stats.increment(TransportCounter.DROP_STREAM_SEND_REFUSED);
            }
        }

        @Override
        public void onAcceptable(Mux m) {
            takeAccepts(this);
        }

        @Override
        public void onClosed(Stream stream) {
            detach(stream);
        }
    }
}
