package io.zgrnet.kcp;

import static io.zgrnet.kcp.KcpConstants.CMD_ACK;
import static io.zgrnet.kcp.KcpConstants.CMD_PUSH;
import static io.zgrnet.kcp.KcpConstants.CMD_WASK;
import static io.zgrnet.kcp.KcpConstants.CMD_WINS;
import static io.zgrnet.kcp.KcpConstants.OVERHEAD;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * One KCP control block with zgrnet's profile (services.md §2): conv = stream id, MTU 1400,
 * nodelay 2, 10 ms interval, fast resend 2, no congestion window, send window 4096, message mode;
 * receive window 4096 as zgrnet's or smaller if the owner asks. Byte for byte the segments ikcp
 * would emit for the same calls at the same clock values, with one addition: the advertised window
 * never exceeds what the shared segment pool can still hold, and when it reopens from 0 a WINS
 * tells the peer at the next flush (both invisible while the pool has 4096+ free segments).
 *
 * <p>Use: {@link #send} queues a message (and returns how much it took, or why not);
 * {@link #input} takes one received datagram; {@link #update} is called with the current time
 * (every 1-10 ms; it flushes every 10 ms); {@link #flush} sends at once what is due (ACKs, new
 * data, retransmissions) but does nothing before the first {@code update}, as ikcp;
 * {@link #recv} hands out complete messages. Time is a caller-supplied millisecond clock in
 * wrapping 32-bit arithmetic; only differences of it are used, so any origin works.
 *
 * <p>Bounded where ikcp is not: the send ring has a fixed number of slots (everything
 * unacknowledged counts), segments come from a shared bounded {@link SegmentPool}, the pending ACK
 * list has a fixed size. A send that does not fit is refused with {@link KcpResult#WOULD_BLOCK};
 * nothing accepted is ever dropped. What the window would have taken but the pool could not is
 * not acknowledged, so the peer resends it.
 *
 * <p>Not modelled, because nocwnd = 1 makes it invisible on the wire: ikcp's cwnd/ssthresh
 * bookkeeping. Deliberate difference: an empty send is a no-op (ikcp would queue an empty
 * segment; zgrnet's Write never passes one).
 *
 * <p>Single-threaded: every method runs on the owner thread. Allocation-free after the pool warmed
 * up.
 */
public final class Kcp {
    private static final int ASK_SEND = 1;
    private static final int ASK_TELL = 2;
    /** Pending ACKs per flush interval (see {@link AckList}). */
    static final int ACK_LIST_CAPACITY = 1024;

    private final int conv;
    private final SegmentPool pool;
    private final KcpOutput output;
    private final KcpStats stats;
    private final int headroom;
    private final byte[] out;
    private final MemorySegment outSegment;
    private final SendBuffer snd;
    private final ReceiveBuffer rcv;
    private final AckList acks = new AckList(ACK_LIST_CAPACITY);
    private final RttEstimator rtt = new RttEstimator(KcpConstants.RTO_NDL_MS, KcpConstants.INTERVAL_MS);
    private final int rcvWnd;

    private int rmtWnd = KcpConstants.INITIAL_REMOTE_WINDOW;
    private int current;
    private boolean updated;
    /** Input made a segment due for fast retransmission since the last flush. */
    private boolean fastResendDue;
    /**
     * No segment in flight has an earlier retransmission time than this (when
     * {@link #hasResendTs}); it may be earlier than needed (acknowledged segments), never later.
     */
    private int nextResendTs;
    private boolean hasResendTs;
    private int tsFlush = KcpConstants.INTERVAL_DEF_MS;
    private int probe;
    private int tsProbe;
    private int probeWait;
    private boolean deadLink;
    private boolean released;
    /** The window our last output carried, -1 before any output. */
    private int sentWnd = -1;
    /** Bytes written into {@link #out} after the headroom during a flush. */
    private int outLength;

    /**
     * @param conv conversation id (the mux stream id)
     * @param pool where segments come from (shared by the owner's control blocks)
     * @param output receives each output datagram
     * @param stats counters (shared by the owner's control blocks)
     * @param headroom free bytes the output buffer keeps before each datagram for the caller
     * @param sendBufferSegments slots of the send ring: a power of two of at least
     *        {@link KcpConstants#WND_RCV}; bounds the segments queued or in flight
     * @param receiveWindow ikcp's {@code rcv_wnd}: a power of two from {@link KcpConstants#WND_RCV}
     *        to {@link KcpConstants#RCV_WND} (zgrnet's 4096); segments held for the application
     *        and out of order stay below twice this
     */
    public Kcp(int conv, SegmentPool pool, KcpOutput output, KcpStats stats, int headroom, int sendBufferSegments,
               int receiveWindow) {
        if (headroom < 0) {
            throw new IllegalArgumentException("headroom: must be >= 0, got " + headroom);
        }
        if (sendBufferSegments < KcpConstants.WND_RCV || Integer.bitCount(sendBufferSegments) != 1) {
            throw new IllegalArgumentException("sendBufferSegments: must be a power of two >= "
                    + KcpConstants.WND_RCV + ", got " + sendBufferSegments);
        }
        if (receiveWindow < KcpConstants.WND_RCV || receiveWindow > KcpConstants.RCV_WND
                || Integer.bitCount(receiveWindow) != 1) {
            throw new IllegalArgumentException("receiveWindow: must be a power of two in " + KcpConstants.WND_RCV
                    + ".." + KcpConstants.RCV_WND + ", got " + receiveWindow);
        }
        this.conv = conv;
        this.rcvWnd = receiveWindow;
        this.pool = Objects.requireNonNull(pool, "pool");
        this.output = Objects.requireNonNull(output, "output");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.headroom = headroom;
        this.out = new byte[headroom + KcpConstants.MTU];
        this.outSegment = MemorySegment.ofArray(out);
        this.snd = new SendBuffer(sendBufferSegments);
        this.rcv = new ReceiveBuffer(receiveWindow);
    }

    /** A block with zgrnet's receive window of 4096 segments. */
    public Kcp(int conv, SegmentPool pool, KcpOutput output, KcpStats stats, int headroom, int sendBufferSegments) {
        this(conv, pool, output, stats, headroom, sendBufferSegments, KcpConstants.RCV_WND);
    }

    /** The conversation id. */
    public int conv() {
        return conv;
    }

    // ------------------------------------------------------------------------------ sending

    /**
     * Queues one message (ikcp_send in message mode): split into {@code ceil(len/1376)} segments
     * with {@code frg} counting down to 0. Sends nothing by itself: call {@link #flush} (zgrnet's
     * Write does) or wait for the next {@link #update}.
     *
     * @return {@code length} when queued; 0 for an empty message (nothing queued);
     *         {@link KcpResult#MESSAGE_TOO_LARGE} for 128 or more segments;
     *         {@link KcpResult#WOULD_BLOCK} when the send ring or the pool has no room now;
     *         {@link KcpResult#RELEASED} after {@link #release}
     */
    public int send(byte[] src, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, src.length);
        if (released) {
            return KcpResult.RELEASED;
        }
        if (length == 0) {
            return 0;
        }
        int count = segmentsFor(length);
        if (count > KcpConstants.MAX_FRAGMENTS) {
            stats.increment(KcpCounter.SEND_REFUSED_TOO_LARGE);
            return KcpResult.MESSAGE_TOO_LARGE;
        }
        if (count > sendCapacitySegments()) {
            stats.increment(KcpCounter.SEND_REFUSED_FULL);
            return KcpResult.WOULD_BLOCK;
        }
        int remaining = length;
        int pos = offset;
        for (int i = 0; i < count; i++) {
            int size = Math.min(remaining, KcpConstants.MSS);
            Segment s = pool.acquire(); // cannot be null: checked by sendCapacitySegments
            System.arraycopy(src, pos, s.data, 0, size);
            s.len = size;
            s.frg = count - 1 - i;
            snd.enqueue(s);
            pos += size;
            remaining -= size;
        }
        return length;
    }

    /** Segments a message of {@code length} bytes (≥ 1) takes. */
    public static int segmentsFor(int length) {
        return length <= KcpConstants.MSS ? 1 : (length + KcpConstants.MSS - 1) / KcpConstants.MSS;
    }

    /** Segments a {@link #send} could take now (send ring and pool both have room for them). */
    public int sendCapacitySegments() {
        return released ? 0 : Math.min(snd.free(), pool.available());
    }

    /** Segments queued or in flight (ikcp_waitsnd); 0 means everything sent was acknowledged. */
    public int waitingSegments() {
        return snd.inFlight() + snd.queued();
    }

    // ------------------------------------------------------------------------------ receiving

    /**
     * Processes one received datagram (ikcp_input). Segments are walked until fewer than 24 bytes
     * remain; a segment of another conversation, a length beyond the datagram or an unknown
     * command stops the walk (what came before it has been used, and, as in ikcp, ACKs of this
     * datagram then do not count toward fast retransmission). Never sends anything: ACKs wait for
     * the next flush.
     *
     * @return {@link KcpResult#OK} or the reason the walk stopped
     */
    public int input(MemorySegment src, long offset, int length) {
        if (released) {
            return KcpResult.RELEASED;
        }
        stats.increment(KcpCounter.INPUT_DATAGRAMS);
        if (length < OVERHEAD) {
            stats.increment(KcpCounter.DROP_INPUT_TOO_SHORT);
            return KcpResult.BAD_CONV_OR_SHORT;
        }
        boolean sawAck = false;
        int maxAck = 0;
        int maxAckTs = 0;
        long pos = offset;
        int remaining = length;
        while (remaining >= OVERHEAD) {
            if (KcpHeader.conv(src, pos) != conv) {
                stats.increment(KcpCounter.DROP_INPUT_WRONG_CONV);
                return KcpResult.BAD_CONV_OR_SHORT;
            }
            int cmd = KcpHeader.cmd(src, pos);
            int frg = KcpHeader.frg(src, pos);
            int wnd = KcpHeader.wnd(src, pos);
            int ts = KcpHeader.ts(src, pos);
            int sn = KcpHeader.sn(src, pos);
            int una = KcpHeader.una(src, pos);
            int len = KcpHeader.len(src, pos);
            remaining -= OVERHEAD;
            if (len < 0 || len > remaining) {
                stats.increment(KcpCounter.DROP_INPUT_TRUNCATED);
                return KcpResult.TRUNCATED;
            }
            if (cmd < CMD_PUSH || cmd > CMD_WINS) {
                stats.increment(KcpCounter.DROP_INPUT_UNKNOWN_CMD);
                return KcpResult.UNKNOWN_COMMAND;
            }
            stats.increment(KcpCounter.INPUT_SEGMENTS);
            rmtWnd = wnd;
            snd.acknowledgeBelow(una, pool);
            snd.shrink();
            switch (cmd) {
                case CMD_ACK -> {
                    if (current - ts >= 0) {
                        rtt.sample(current - ts);
                    }
                    snd.acknowledge(sn, pool);
                    snd.shrink();
                    if (!sawAck) {
                        sawAck = true;
                        maxAck = sn;
                        maxAckTs = ts;
                    } else if (sn - maxAck > 0 && ts - maxAckTs > 0) {
                        // IKCP_FASTACK_CONSERVE: a larger sn replaces maxack only with a newer ts.
                        maxAck = sn;
                        maxAckTs = ts;
                    }
                }
                case CMD_PUSH -> receivePush(src, pos + OVERHEAD, frg, wnd, ts, sn, una, len);
                case CMD_WASK -> probe |= ASK_TELL;
                default -> {
                    // WINS: only the rmt_wnd update above.
                }
            }
            pos += OVERHEAD + len;
            remaining -= len;
        }
        if (sawAck && snd.countSkips(maxAck, maxAckTs)) {
            fastResendDue = true;
        }
        return KcpResult.OK;
    }

    private void receivePush(MemorySegment src, long dataOffset, int frg, int wnd, int ts, int sn, int una, int len) {
        int rcvNxt = rcv.nxt();
        if (sn - (rcvNxt + rcvWnd) >= 0) {
            stats.increment(KcpCounter.DROP_PUSH_OUT_OF_WINDOW);
            return;
        }
        boolean store = sn - rcvNxt >= 0 && !rcv.holds(sn);
        Segment s = null;
        if (store) {
            // Checked before the ACK is queued: acknowledging data we cannot keep would lose it.
            if (len > KcpConstants.MSS) {
                stats.increment(KcpCounter.DROP_PUSH_OVERSIZED);
                return;
            }
            s = pool.acquire();
            if (s == null) {
                stats.increment(KcpCounter.DROP_PUSH_NO_BUFFER);
                return;
            }
        }
        if (!acks.push(sn, ts)) {
            stats.increment(KcpCounter.ACK_LIST_FULL);
        }
        if (s == null) {
            stats.increment(KcpCounter.PUSH_DUPLICATE);
            return;
        }
        s.frg = frg;
        s.wnd = wnd;
        s.ts = ts;
        s.sn = sn;
        s.una = una;
        s.len = len;
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, dataOffset, s.data, 0, len);
        rcv.store(s);
        rcv.promote();
    }

    /** Bytes of the next complete message, or -1 when none is complete (ikcp_peeksize). */
    public int peekSize() {
        return released ? -1 : rcv.peekSize();
    }

    /**
     * Takes the next complete message into {@code dst} (ikcp_recv).
     *
     * @return its length; {@link KcpResult#NO_MESSAGE}; or {@link KcpResult#BUFFER_TOO_SMALL} when
     *         it is longer than {@code length} (the message stays queued)
     */
    public int recv(byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        int size = peekSize();
        if (size < 0) {
            return KcpResult.NO_MESSAGE;
        }
        if (size > length) {
            return KcpResult.BUFFER_TOO_SMALL;
        }
        boolean wasFull = rcv.queued() >= rcvWnd;
        int pos = offset;
        while (true) {
            Segment s = rcv.first();
            System.arraycopy(s.data, 0, dst, pos, s.len);
            pos += s.len;
            int frg = s.frg;
            rcv.dropFirst(pool);
            if (frg == 0 || rcv.queued() == 0) {
                break;
            }
        }
        afterTaking(wasFull);
        return size;
    }

    /**
     * Moves the data of complete messages into {@code sink}, whole segments at a time, while
     * they fit in {@code maxBytes}. A message may be handed over in several calls when space is
     * short: its remaining fragments still form a complete message at the head of the queue (their
     * {@code frg} counts down to 0), so nothing is reordered, and messages larger than the
     * caller's buffer are still delivered (zgrnet's Go receiver cannot deliver over 64 KiB).
     *
     * @return bytes appended (0 when no message is complete or the next segment does not fit)
     */
    public int recv(MessageSink sink, int maxBytes) {
        if (released || rcv.peekSize() < 0) {
            return 0;
        }
        boolean wasFull = rcv.queued() >= rcvWnd;
        int moved = 0;
        messages:
        while (rcv.peekSize() >= 0) {
            while (true) {
                Segment s = rcv.first();
                if (s.len > maxBytes - moved) {
                    break messages;
                }
                sink.append(s.data, 0, s.len);
                moved += s.len;
                int frg = s.frg;
                rcv.dropFirst(pool);
                if (frg == 0 || rcv.queued() == 0) {
                    break;
                }
            }
        }
        afterTaking(wasFull);
        return moved;
    }

    private void afterTaking(boolean wasFull) {
        rcv.promote();
        // ikcp's "fast recover": tell the peer our window reopened.
        if (wasFull && rcv.queued() < rcvWnd) {
            probe |= ASK_TELL;
        }
    }

    /** Segments received in order and not yet taken by the application ({@code nrcv_que}). */
    public int queuedSegments() {
        return rcv.queued();
    }

    /** Segments received ahead of a gap ({@code nrcv_buf}). */
    public int outOfOrderSegments() {
        return rcv.held();
    }

    // ------------------------------------------------------------------------------ clock

    /**
     * Advances the clock (ikcp_update): the first call starts the 10 ms flush schedule and flushes;
     * later calls flush when the schedule is due. A clock jump of 10 s or more re-anchors it.
     */
    public void update(int nowMs) {
        current = nowMs;
        if (!updated) {
            updated = true;
            tsFlush = nowMs;
        }
        int slap = nowMs - tsFlush;
        if (slap >= KcpConstants.CLOCK_JUMP_MS || slap < -KcpConstants.CLOCK_JUMP_MS) {
            tsFlush = nowMs;
            slap = 0;
        }
        if (slap >= 0) {
            tsFlush += KcpConstants.INTERVAL_MS;
            if (nowMs - tsFlush >= 0) {
                tsFlush = nowMs + KcpConstants.INTERVAL_MS;
            }
            flush();
        }
    }

    /**
     * When {@link #update} should next be called (ikcp_check): {@code nowMs} if something is due,
     * otherwise the earlier of the next flush and the next retransmission, at most one interval
     * away.
     */
    public int check(int nowMs) {
        if (!updated) {
            return nowMs;
        }
        int flushAt = tsFlush;
        if (nowMs - flushAt >= KcpConstants.CLOCK_JUMP_MS || nowMs - flushAt < -KcpConstants.CLOCK_JUMP_MS) {
            flushAt = nowMs;
        }
        if (nowMs - flushAt >= 0) {
            return nowMs;
        }
        int minimal = flushAt - nowMs;
        for (int sn = snd.una(); sn != snd.nxt(); sn++) {
            Segment s = snd.inFlightAt(sn);
            if (s == null) {
                continue;
            }
            int diff = s.resendTs - nowMs;
            if (diff <= 0) {
                return nowMs;
            }
            minimal = Math.min(minimal, diff);
        }
        return nowMs + Math.min(minimal, KcpConstants.INTERVAL_MS);
    }

    /**
     * Sends what is due now, in ikcp's order: every pending ACK, a window probe or tell, then data
     * (new segments the window admits, timeout and fast retransmissions), packed into datagrams of
     * at most 1400 bytes. Does nothing before the first {@link #update}.
     */
    public void flush() {
        if (!updated || released) {
            return;
        }
        final int now = current;
        final int wnd = advertisedWindow();
        final int una = rcv.nxt();
        outLength = 0;
        // Segments sent before can only be due when a fast retransmission was made due by input or
        // the earliest retransmission time has come; otherwise only the ones admitted below are
        // (ikcp walks the whole send buffer every flush: the same output, at O(window) a flush).
        final boolean resendsDue = fastResendDue || (hasResendTs && now - nextResendTs >= 0);
        fastResendDue = false;
        if (sentWnd == 0 && wnd > 0) {
            // Our window reopened (the application read, or another stream gave segments back to
            // the pool): tell the peer now instead of letting it wait for its 7 s probe.
            probe |= ASK_TELL;
        }

        int ackSn = 0;
        int ackTs = 0;
        for (int i = 0, n = acks.count(); i < n; i++) {
            makeRoom(OVERHEAD);
            ackSn = acks.sn(i);
            ackTs = acks.ts(i);
            putHeader(CMD_ACK, 0, wnd, ackTs, ackSn, una, 0);
        }
        stats.add(KcpCounter.ACK_SENT, acks.count());
        acks.clear();

        scheduleProbe(now);
        // WASK and WINS carry the sn/ts of the last ACK written above (ikcp reuses its header).
        if ((probe & ASK_SEND) != 0) {
            makeRoom(OVERHEAD);
            putHeader(CMD_WASK, 0, wnd, ackTs, ackSn, una, 0);
            stats.increment(KcpCounter.WASK_SENT);
        }
        if ((probe & ASK_TELL) != 0) {
            makeRoom(OVERHEAD);
            putHeader(CMD_WINS, 0, wnd, ackTs, ackSn, una, 0);
            stats.increment(KcpCounter.WINS_SENT);
        }
        probe = 0;

        // nocwnd = 1: the window is min(snd_wnd, rmt_wnd).
        int cwnd = Math.min(KcpConstants.SND_WND, rmtWnd);
        final int firstNew = snd.nxt();
        while (snd.queued() > 0 && snd.nxt() - (snd.una() + cwnd) < 0) {
            Segment s = snd.admit();
            s.wnd = wnd;
            s.ts = now;
            s.una = una;
            s.resendTs = now;
            s.rto = rtt.rto();
            s.fastAck = 0;
            s.xmit = 0;
        }

        if (resendsDue) {
            hasResendTs = false; // recomputed over every segment in flight
        }
        for (int sn = resendsDue ? snd.una() : firstNew, end = snd.nxt(); sn != end; sn++) {
            Segment s = snd.inFlightAt(sn);
            if (s == null) {
                continue;
            }
            boolean send = due(s, now);
            if (!hasResendTs || s.resendTs - nextResendTs < 0) {
                hasResendTs = true;
                nextResendTs = s.resendTs;
            }
            if (send) {
                s.ts = now;
                s.wnd = wnd;
                s.una = una;
                makeRoom(OVERHEAD + s.len);
                putHeader(CMD_PUSH, s.frg, wnd, now, s.sn, una, s.len);
                System.arraycopy(s.data, 0, out, headroom + outLength, s.len);
                outLength += s.len;
                if (s.xmit == KcpConstants.DEADLINK) {
                    deadLink = true;
                    stats.increment(KcpCounter.DEAD_LINK);
                }
            }
        }
        if (outLength > 0) {
            emit();
        }
    }

    /**
     * Whether a flush now would do more than the periodic one could wait for (ours, not ikcp's:
     * ikcp only flushes on its 10 ms schedule or when the application writes): at least
     * {@code ackBatch} ACKs are pending, input made a fast retransmission due, or the window
     * admits queued segments. The caller flushes after a batch of input when this holds, so the
     * peer's send window is not held for up to 10 ms waiting for our ACKs, and freed window is used
     * at once. What is sent is what a flush at that time sends in ikcp; only the timing differs.
     *
     * @param ackBatch pending ACKs worth a datagram of their own (1..58 fit one)
     */
    public boolean flushWanted(int ackBatch) {
        if (!updated || released) {
            return false;
        }
        return acks.count() >= ackBatch || fastResendDue
                || snd.queued() > 0 && snd.nxt() - (snd.una() + Math.min(KcpConstants.SND_WND, rmtWnd)) < 0;
    }

    /**
     * The free window we advertise: ikcp's {@code rcv_wnd − nrcv_que}, but never more segments
     * than the shared pool can still provide, so a peer that respects it is never refused for lack
     * of memory. With a pool of 4096+ free segments this is exactly ikcp's value.
     */
    private int advertisedWindow() {
        return Math.min(rcv.unusedWindow(), pool.available());
    }

    /** Whether a segment in flight is sent in this flush; updates its transmission state. */
    private boolean due(Segment s, int now) {
        if (s.xmit == 0) {
            s.xmit = 1;
            s.rto = rtt.rto();
            s.resendTs = now + s.rto; // nodelay != 0: no extra rtomin
            stats.increment(KcpCounter.PUSH_SENT);
            return true;
        }
        if (now - s.resendTs >= 0) {
            s.xmit++;
            s.rto += rtt.rto() / 2; // nodelay 2: backoff by half the current rx_rto, uncapped
            s.resendTs = now + s.rto;
            stats.increment(KcpCounter.RETRANSMIT_TIMEOUT);
            return true;
        }
        if (s.fastAck >= KcpConstants.FAST_RESEND && s.xmit <= KcpConstants.FASTACK_LIMIT) {
            s.xmit++;
            s.fastAck = 0;
            s.resendTs = now + s.rto;
            stats.increment(KcpCounter.RETRANSMIT_FAST);
            return true;
        }
        return false;
    }

    private void scheduleProbe(int now) {
        if (rmtWnd != 0) {
            tsProbe = 0;
            probeWait = 0;
            return;
        }
        if (probeWait == 0) {
            probeWait = KcpConstants.PROBE_INIT_MS;
            tsProbe = now + probeWait;
        } else if (now - tsProbe >= 0) {
            probeWait = Math.max(probeWait, KcpConstants.PROBE_INIT_MS);
            probeWait = Math.min(probeWait + probeWait / 2, KcpConstants.PROBE_LIMIT_MS);
            tsProbe = now + probeWait;
            probe |= ASK_SEND;
        }
    }

    private void makeRoom(int need) {
        if (outLength + need > KcpConstants.MTU) {
            emit();
        }
    }

    private void putHeader(int cmd, int frg, int wnd, int ts, int sn, int una, int len) {
        KcpHeader.write(outSegment, headroom + outLength, conv, cmd, frg, wnd, ts, sn, una, len);
        outLength += OVERHEAD;
    }

    private void emit() {
        int length = outLength;
        outLength = 0;
        if (length > 0) {
            sentWnd = KcpHeader.wnd(outSegment, headroom);
            stats.increment(KcpCounter.OUTPUT_DATAGRAMS);
            output.output(out, headroom, length);
        }
    }

    // ------------------------------------------------------------------------------ lifecycle

    /**
     * Gives every held segment back to the pool; from now on the block sends and accepts
     * nothing (zgrnet's Go releases a stream's KCP on Close). Idempotent.
     */
    public void release() {
        if (!released) {
            released = true;
            snd.clear(pool);
            rcv.clear(pool);
            acks.clear();
        }
    }

    /** Whether {@link #release} was called. */
    public boolean isReleased() {
        return released;
    }

    /** Whether a segment reached 20 transmissions (ikcp's dead link; zgrnet never acts on it). */
    public boolean isDeadLink() {
        return deadLink;
    }

    /** Whether {@link #update} has been called at least once (before that, flush is a no-op). */
    public boolean isUpdated() {
        return updated;
    }

    /** The current retransmission timeout ({@code rx_rto}), ms. */
    public int rtoMs() {
        return rtt.rto();
    }

    /** The smoothed RTT, ms (0 before the first sample). */
    public int srttMs() {
        return rtt.srtt();
    }

    /** The receive window ({@code rcv_wnd}), segments. */
    public int receiveWindow() {
        return rcvWnd;
    }

    /** The peer's last advertised free window, segments. */
    public int remoteWindow() {
        return rmtWnd;
    }

    /** The oldest unacknowledged sequence number ({@code snd_una}). */
    public int sendUna() {
        return snd.una();
    }

    /** The next sequence number to send ({@code snd_nxt}). */
    public int sendNext() {
        return snd.nxt();
    }

    /** The next sequence number expected in order ({@code rcv_nxt}). */
    public int receiveNext() {
        return rcv.nxt();
    }

    /** Counters of this block (shared with its siblings). */
    public KcpStats stats() {
        return stats;
    }
}
