package io.zgrnet.stream;

import io.zgrnet.kcp.Kcp;
import io.zgrnet.kcp.KcpConstants;
import io.zgrnet.kcp.KcpStats;
import io.zgrnet.kcp.MessageSink;
import io.zgrnet.kcp.SegmentPool;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The stream multiplexer of one peer session (protocol byte 64, services.md §3): opens and accepts
 * streams, routes each frame to its stream's KCP block, and sends SYN, FIN and the streams' PSH
 * frames through a {@link FrameOutput}. Transport-independent: it sees frames and a clock only.
 *
 * <p><b>Threading.</b> One owner thread calls everything: {@link #input} with each decrypted
 * protocol-64 payload of the peer (in arrival order), {@link #update} with the current time in ms
 * every 1-10 ms (or at {@link #nextUpdateMs}), and the streams' methods. No locks, no blocking, no
 * clock reads. {@link StreamListener} callbacks run on that thread. Counters may be read anywhere.
 *
 * <p><b>Bounds.</b> At most {@link MuxConfig#maxStreams()} streams and
 * {@link MuxConfig#acceptQueueSize()} waiting accepts (a SYN beyond either is answered with FIN);
 * per stream a receive buffer and a send ring of fixed size; for all streams together one segment
 * pool. Full buffers push back (smaller KCP window, refused writes); nothing accepted is dropped.
 *
 * <p><b>Lifetime.</b> One mux per session: when a new handshake with the peer completes,
 * {@link #close()} this one (its streams are reported {@link CloseReason#RESET}, no FIN is sent:
 * it would reach the peer's new mux) and start a new one, optionally continuing the id counter
 * ({@link #nextStreamId()}, services.md §6.5).
 */
public final class Mux {
    private final MuxConfig config;
    private final boolean isClient;
    private final FrameOutput output;
    private final StreamListener listener;
    private final MuxStats stats = new MuxStats();
    private final KcpStats kcpStats = new KcpStats();
    private final SegmentPool pool;
    private final StreamTable table;
    private final Stream[] acceptQueue;
    private final EarlyFins earlyFins;
    private final DiscardSink discardSink = new DiscardSink();
    /** SYN and FIN frames are built here (PSH frames are built in each KCP block's buffer). */
    private final byte[] control;
    /** Streams that received a PSH since the last {@link #flushAfterInput()} (grows to the high-water mark once). */
    private final java.util.ArrayList<Stream> inputStreams = new java.util.ArrayList<>();
    private int acceptHead;
    private int acceptCount;
    private int nextId;
    private long nowMs;
    private boolean hasClock;
    private boolean closed;

    /**
     * A mux whose ids start at 1 (client) or 2 (server).
     *
     * @param isClient our static public key is the smaller one ({@link StreamIds#isClient})
     */
    public Mux(MuxConfig config, boolean isClient, FrameOutput output, StreamListener listener) {
        this(config, isClient, StreamIds.first(isClient), output, listener);
    }

    /**
     * A mux whose first own id is {@code firstStreamId} (to continue the previous mux's counter
     * after a re-handshake; it must have the role's parity).
     */
    public Mux(MuxConfig config, boolean isClient, int firstStreamId, FrameOutput output, StreamListener listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.output = Objects.requireNonNull(output, "output");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (firstStreamId == 0 || !StreamIds.openedBy(firstStreamId, isClient)) {
            throw new IllegalArgumentException("firstStreamId: must be non-zero and " + (isClient ? "odd" : "even")
                    + ", got " + Integer.toUnsignedString(firstStreamId));
        }
        this.isClient = isClient;
        this.nextId = firstStreamId;
        this.pool = new SegmentPool(config.segmentPoolSegments());
        this.table = new StreamTable(config.maxStreams());
        this.acceptQueue = new Stream[config.acceptQueueSize()];
        this.earlyFins = new EarlyFins(config.earlyFinSlots());
        this.control = new byte[config.headroom() + MuxFrame.HEADER_LENGTH + 1 + config.maxMetadataBytes()];
    }

    // ------------------------------------------------------------------------------ opening

    /** Opens an untyped stream (proto 0, no metadata: an empty SYN, as Go sends). */
    public Stream open() {
        return open(0, new byte[0], 0, 0);
    }

    /**
     * Registers a new stream with the next own id and sends its SYN. Data may be written at
     * once (it goes out from the stream's first tick on).
     *
     * @param proto application tag 0..255 (69 = TCP proxy)
     * @return the stream, or null when {@link MuxConfig#maxStreams()} are registered (counted)
     * @throws IllegalStateException if the mux is closed
     * @throws IllegalArgumentException if proto or the metadata length is out of range
     */
    public Stream open(int proto, byte[] metadata, int offset, int length) {
        if (closed) {
            throw new IllegalStateException("mux closed");
        }
        if (proto < 0 || proto > 0xFF) {
            throw new IllegalArgumentException("proto: must be in 0..255, got " + proto);
        }
        Objects.checkFromIndexSize(offset, length, metadata.length);
        if (length > config.maxMetadataBytes()) {
            throw new IllegalArgumentException("metadata: at most " + config.maxMetadataBytes() + " bytes, got "
                    + length);
        }
        if (table.isFull()) {
            stats.increment(MuxCounter.OPEN_REFUSED_STREAM_LIMIT);
            return null;
        }
        int id = nextId;
        while (table.get(id) != null) { // only if the peer opened ids of our parity
            id = StreamIds.next(id);
        }
        nextId = StreamIds.next(id);
        byte[] md = new byte[length];
        System.arraycopy(metadata, offset, md, 0, length);
        Stream s = new Stream(this, id, proto, md, true);
        table.add(s);
        stats.increment(MuxCounter.STREAMS_OPENED);
        sendSyn(s);
        return s;
    }

    /** The next stream opened by the peer, or null. */
    public Stream accept() {
        if (acceptCount == 0) {
            return null;
        }
        Stream s = acceptQueue[acceptHead];
        acceptQueue[acceptHead] = null;
        acceptHead = (acceptHead + 1) % acceptQueue.length;
        acceptCount--;
        return s;
    }

    // ------------------------------------------------------------------------------ input

    /**
     * Handles one frame (a decrypted protocol-64 payload). Go's rules: fewer than 7 + L bytes or a
     * command outside 1-4 is rejected; bytes after the frame are ignored; SYN for a known id,
     * FIN and PSH for unknown ids and NOP are ignored (counted); no reply exists for any of them.
     *
     * @return {@link MuxResult#OK}, {@link MuxResult#TOO_SHORT}, {@link MuxResult#INVALID_COMMAND}
     *         or {@link MuxResult#CLOSED}
     */
    public int input(MemorySegment frame, long offset, int length) {
        if (closed) {
            return MuxResult.CLOSED;
        }
        stats.increment(MuxCounter.FRAMES_RECEIVED);
        if (MuxFrame.validate(frame, offset, length) != MuxResult.OK) {
            stats.increment(MuxCounter.DROP_FRAME_TOO_SHORT);
            return MuxResult.TOO_SHORT;
        }
        int id = MuxFrame.streamId(frame, offset);
        long payload = MuxFrame.payloadOffset(offset);
        int payloadLength = MuxFrame.payloadLength(frame, offset);
        switch (MuxFrame.cmd(frame, offset)) {
            case MuxFrame.SYN -> onSyn(id, frame, payload, payloadLength);
            case MuxFrame.FIN -> onFin(id);
            case MuxFrame.PSH -> onPsh(id, frame, payload, payloadLength);
            case MuxFrame.NOP -> stats.increment(MuxCounter.IGNORED_NOP);
            default -> {
                stats.increment(MuxCounter.DROP_FRAME_INVALID_COMMAND);
                return MuxResult.INVALID_COMMAND;
            }
        }
        return MuxResult.OK;
    }

    private void onSyn(int id, MemorySegment frame, long payload, int payloadLength) {
        Stream existing = table.get(id);
        if (existing != null) {
            stats.increment(MuxCounter.IGNORED_SYN_DUPLICATE);
            existing.onDuplicateSyn();
            return;
        }
        // Any id is accepted, as Go does (no parity check): only the limits can refuse it.
        if (table.isFull()) {
            stats.increment(MuxCounter.REFUSED_STREAM_LIMIT);
            sendFin(id);
            return;
        }
        if (acceptCount == acceptQueue.length) {
            stats.increment(MuxCounter.REFUSED_ACCEPT_QUEUE_FULL);
            sendFin(id);
            return;
        }
        int proto = SynPayload.proto(frame, payload, payloadLength);
        byte[] md = new byte[SynPayload.metadataLength(payloadLength)];
        if (md.length > 0) {
            MemorySegment.copy(frame, ValueLayout.JAVA_BYTE, payload + 1, md, 0, md.length);
        }
        Stream s = new Stream(this, id, proto, md, false);
        table.add(s);
        if (config.earlyFinTtlMs() > 0 && earlyFins.take(id, nowMs)) {
            stats.increment(MuxCounter.EARLY_FIN_APPLIED);
            s.onFin();
        }
        acceptQueue[(acceptHead + acceptCount) % acceptQueue.length] = s;
        acceptCount++;
        stats.increment(MuxCounter.STREAMS_ACCEPTED);
        listener.onAcceptable(this);
    }

    private void onFin(int id) {
        Stream s = table.get(id);
        if (s != null) {
            s.onFin();
            return;
        }
        stats.increment(MuxCounter.IGNORED_FIN_UNKNOWN_STREAM);
        // Only ids the peer opens can still see their SYN arrive; a FIN for one of ours is an echo.
        if (config.earlyFinTtlMs() > 0 && !StreamIds.openedBy(id, isClient)) {
            earlyFins.remember(id, hasClock ? nowMs + config.earlyFinTtlMs() : Long.MAX_VALUE);
            stats.increment(MuxCounter.EARLY_FIN_REMEMBERED);
        }
    }

    private void onPsh(int id, MemorySegment frame, long payload, int payloadLength) {
        Stream s = table.get(id);
        if (s == null) {
            // Go's orphaned KCP blocks keep sending into a new session: drop quietly, never answer.
            stats.increment(MuxCounter.DROP_PSH_UNKNOWN_STREAM);
            return;
        }
        s.onPsh(frame, payload, payloadLength);
    }

    /**
     * Pending ACKs worth a flush of their own after a batch of input (an ACK datagram holds up to
     * 58): a full-rate sender then hears from us every 32 segments instead of every 10 ms, when
     * its window (our 1024 segments) would limit one stream to 1024 x 1376 B per 10 ms.
     */
    public static final int ACK_BATCH = 32;

    void inputArrived(Stream s) {
        inputStreams.add(s);
    }

    /**
     * Flushes each stream that received a PSH since the last call, when its KCP has a reason to
     * do it now ({@link io.zgrnet.kcp.Kcp#flushWanted}: {@value #ACK_BATCH} ACKs pending, a fast
     * retransmission due, window for queued data). Not what Go does (its ACKs wait for the 10 ms
     * flush or the next Write), and invisible in the segments' format: only their timing changes.
     * The integration calls it after each batch of frames; the vectors' replays do not.
     *
     * @return streams flushed
     */
    public int flushAfterInput() {
        int n = 0;
        for (int i = 0; i < inputStreams.size(); i++) {
            if (inputStreams.get(i).flushAfterInput(ACK_BATCH)) {
                n++;
            }
        }
        inputStreams.clear();
        return n;
    }

    // ------------------------------------------------------------------------------ clock

    /**
     * Advances the clock: every stream's KCP update (flushing every 10 ms) and drain, as Go's
     * Mux.Update; then SYN re-sends, close lingers, FIN repeats, idle timeouts. {@code nowMs} is
     * any monotonic millisecond clock (KCP uses its low 32 bits).
     */
    public void update(long nowMs) {
        if (closed) {
            return;
        }
        if (!hasClock) {
            hasClock = true;
            earlyFins.startClock(nowMs + config.earlyFinTtlMs());
        }
        this.nowMs = nowMs;
        // Backwards: a stream that leaves is replaced by the last one, which was already ticked.
        for (int i = table.size() - 1; i >= 0; i--) {
            if (i < table.size()) {
                table.at(i).tick(nowMs);
            }
        }
        earlyFins.expire(nowMs);
    }

    /** When {@link #update} is next needed (≤ {@code nowMs} means now); at most 10 ms ahead. */
    public long nextUpdateMs(long nowMs) {
        long next = nowMs + KcpConstants.INTERVAL_MS;
        if (!hasClock) {
            return nowMs;
        }
        for (int i = 0; i < table.size(); i++) {
            next = Math.min(next, table.at(i).nextTickMs(nowMs));
        }
        return next;
    }

    // ------------------------------------------------------------------------------ lifecycle

    /**
     * Ends every stream at once ({@link CloseReason#RESET}, no FIN) and refuses further use. Go
     * sends no FIN either when its mux closes; after a re-handshake a FIN would reach the peer's
     * new mux and could end its new stream with the same id. Idempotent.
     */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        inputStreams.clear();
        while (table.size() > 0) {
            Stream s = table.at(table.size() - 1);
            s.reset();
            stats.increment(MuxCounter.RESETS);
            unregister(s);
        }
        while (accept() != null) {
            // dropped: already reset
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------------------ queries

    /** The registered stream with this id, or null. */
    public Stream stream(int id) {
        return table.get(id);
    }

    /** Streams registered (Go's NumStreams; closing streams stay until their last FIN). */
    public int streamCount() {
        return table.size();
    }

    /** Streams waiting in {@link #accept()}. */
    public int acceptable() {
        return acceptCount;
    }

    /** The id the next {@link #open} will use (pass it to the next mux to continue the counter). */
    public int nextStreamId() {
        return nextId;
    }

    /** Whether this side opens odd ids. */
    public boolean isClient() {
        return isClient;
    }

    /** This mux's counters. */
    public MuxStats stats() {
        return stats;
    }

    /** The counters of all its KCP blocks. */
    public KcpStats kcpStats() {
        return kcpStats;
    }

    /** Segments currently held by its streams' KCP blocks (out of {@link MuxConfig#segmentPoolSegments()}). */
    public int segmentsInUse() {
        return pool.inUse();
    }

    /** The configuration. */
    public MuxConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------ for streams

    SegmentPool pool() {
        return pool;
    }

    StreamListener listener() {
        return listener;
    }

    boolean hasClock() {
        return hasClock;
    }

    long nowMs() {
        return nowMs;
    }

    void sendFrame(byte[] buf, int off, int len) {
        stats.increment(MuxCounter.FRAMES_SENT);
        output.sendFrame(buf, off, len);
    }

    void sendSyn(Stream s) {
        int h = config.headroom();
        byte[] md = s.metadataRef();
        int n = SynPayload.write(control, h + MuxFrame.HEADER_LENGTH, s.proto(), md, 0, md.length);
        MuxFrame.writeHeader(control, h, MuxFrame.SYN, s.id(), n);
        sendFrame(control, h, MuxFrame.HEADER_LENGTH + n);
    }

    void sendFin(int id) {
        int h = config.headroom();
        MuxFrame.writeHeader(control, h, MuxFrame.FIN, id, 0);
        stats.increment(MuxCounter.FIN_SENT);
        sendFrame(control, h, MuxFrame.HEADER_LENGTH);
    }

    void unregister(Stream s) {
        if (s.isRegistered()) {
            table.remove(s);
            s.unregistered();
            listener.onClosed(s);
        }
    }

    /** Takes a closed stream's received data out of KCP and throws it away (counted). */
    void discard(Kcp kcp) {
        int n = kcp.recv(discardSink, Integer.MAX_VALUE);
        if (n > 0) {
            stats.add(MuxCounter.BYTES_DISCARDED_AFTER_CLOSE, n);
        }
    }

    /** A sink that drops what it is given. */
    private static final class DiscardSink implements MessageSink {
        @Override
        public void append(byte[] src, int offset, int length) {
            // discarded: the application closed the stream
        }
    }
}
