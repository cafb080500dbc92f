package io.zgrnet.stream;

import io.zgrnet.kcp.Kcp;
import io.zgrnet.kcp.KcpConstants;
import io.zgrnet.kcp.KcpOutput;
import io.zgrnet.kcp.KcpResult;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * One multiplexed stream: its own KCP control block (conv = id), a bounded receive buffer, the
 * state machine of services.md §3.4 and the timers of our send-side rules (SYN re-send, close
 * linger, FIN repeats, idle timeout).
 *
 * <p>Reads are a byte stream (message boundaries are not kept, as in Go). Nothing blocks:
 * {@link #read} returns 0 when nothing is there yet, {@link #write} how much it took; the mux's
 * {@link StreamListener} says when to try again. Owned by the mux's thread, like the mux.
 */
public final class Stream implements KcpOutput {
    private static final long UNSET = Long.MIN_VALUE;

    private final Mux mux;
    private final int id;
    private final int proto;
    private final byte[] metadata;
    private final boolean local;
    private final Kcp kcp;
    private final ByteRing received;

    private StreamState state = StreamState.OPEN;
    private CloseReason reason = CloseReason.NONE;
    private boolean localClosed;
    /** {@link #shutdownOutput()} was called: no more writes, FIN once acknowledged, reading goes on. */
    private boolean outputShut;
    private boolean registered = true;
    private boolean writeBlocked;
    /** Any frame for this id came from the peer (stops SYN re-sends). */
    private boolean peerAnswered;
    private long lastInputMs = UNSET;
    private int synResendsLeft;
    private long nextSynMs = UNSET;
    private boolean lingering;
    private long lingerDeadlineMs = UNSET;
    private int finsLeft;
    private long nextFinMs = UNSET;
    /** Position in the mux's stream table (maintained by {@link StreamTable}). */
    int tableIndex = -1;
    /** A PSH arrived since the mux's last {@link Mux#flushAfterInput()} (then this stream is in its list). */
    boolean inputPending;

    Stream(Mux mux, int id, int proto, byte[] metadata, boolean local) {
        this.mux = mux;
        this.id = id;
        this.proto = proto;
        this.metadata = metadata;
        this.local = local;
        MuxConfig c = mux.config();
        this.kcp = new Kcp(id, mux.pool(), this, mux.kcpStats(), c.headroom() + MuxFrame.HEADER_LENGTH,
                c.sendBufferSegments(), c.receiveWindowSegments());
        this.received = new ByteRing(c.receiveBufferBytes());
        this.synResendsLeft = local ? c.synResends() : 0;
        if (mux.hasClock()) {
            startTimers(mux.nowMs());
            // Go's first KCP update comes from its 1 ms ticker; ours may be 10 ms away. Starting the
            // block now lets a write right after open go out at once (nothing is queued yet, so
            // this update sends nothing).
            kcp.update((int) mux.nowMs());
        }
    }

    // ------------------------------------------------------------------------------ identity

    /** The stream id (u32 in an int), also the KCP conv. */
    public int id() {
        return id;
    }

    /** The application tag from the SYN (0 for an untyped stream). */
    public int proto() {
        return proto;
    }

    /** A copy of the SYN metadata (empty if none). */
    public byte[] metadata() {
        return metadata.clone();
    }

    byte[] metadataRef() {
        return metadata;
    }

    /** Whether we opened it (false: accepted from the peer). */
    public boolean isLocal() {
        return local;
    }

    /** The state, named as Go names it. */
    public StreamState state() {
        return state;
    }

    /** Why the stream is no longer open ({@link CloseReason#NONE} while open). */
    public CloseReason closeReason() {
        return reason;
    }

    /** Whether the stream is still registered in its mux (it leaves after its last FIN). */
    public boolean isRegistered() {
        return registered;
    }

    /** The control block (for diagnostics and tests). */
    Kcp kcp() {
        return kcp;
    }

    // ------------------------------------------------------------------------------ reading

    /** Bytes that {@link #read} can return now. */
    public int available() {
        return received.size();
    }

    /**
     * Reads buffered bytes.
     *
     * @return bytes read (≥ 1); 0 when nothing is there yet (wait for {@code onReadable});
     *         {@link StreamResult#EOF} when the stream ended and everything was read
     */
    public int read(byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        if (length == 0) {
            return 0;
        }
        if (received.size() > 0) {
            int n = received.read(dst, offset, length);
            drain(); // room was made: data held back in KCP may move in
            return n;
        }
        return atEnd() ? StreamResult.EOF : 0;
    }

    /**
     * The end of the stream: after our own close (as Go: Read after Close is EOF once the buffer is
     * empty), or after the peer's FIN once KCP holds nothing more, neither in order nor after a
     * gap (Go reports EOF at once and may deliver late data after it).
     */
    private boolean atEnd() {
        if (state == StreamState.OPEN || state == StreamState.LOCAL_CLOSE && !localClosed) {
            return false; // LOCAL_CLOSE without a local close: only our output was shut
        }
        if (localClosed || kcp.isReleased()) {
            return true;
        }
        return kcp.queuedSegments() == 0 && kcp.outOfOrderSegments() == 0;
    }

    /** Moves complete KCP messages into the receive buffer while they fit (whole segments). */
    private void drain() {
        if (kcp.isReleased()) {
            return;
        }
        if (localClosed) {
            mux.discard(kcp);
            return;
        }
        if (kcp.recv(received, received.free()) > 0) {
            mux.listener().onReadable(this);
        }
    }

    // ------------------------------------------------------------------------------ writing

    /**
     * Writes bytes as a byte stream: split into KCP messages of at most
     * {@link MuxConfig#maxMessageBytes()}, taking as much as the send ring and segment pool allow
     * now, then flushed at once (as Go's Write; nothing is sent before the stream's first tick).
     *
     * @return bytes taken (may be fewer than {@code length}, 0 when full: wait for
     *         {@code onWritable}); {@link StreamResult#CLOSED} after close
     */
    public int write(byte[] src, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, src.length);
        if (!writable()) {
            return StreamResult.CLOSED;
        }
        int total = 0;
        int maxMessage = mux.config().maxMessageBytes();
        while (total < length) {
            int room = kcp.sendCapacitySegments();
            if (room == 0) {
                break;
            }
            int n = Math.min(length - total, Math.min(maxMessage, room * KcpConstants.MSS));
            int r = kcp.send(src, offset + total, n);
            if (r <= 0) {
                break;
            }
            total += r;
        }
        if (total < length) {
            writeBlocked = true;
        }
        if (total > 0) {
            kcp.flush();
        }
        return total;
    }

    /**
     * Writes exactly one KCP message, as zgrnet's Go {@code Stream.Write} does (all or nothing),
     * and flushes. Toward a Go receiver keep messages ≤ 65 536 bytes.
     *
     * @return {@code length}; 0 for an empty message; {@link StreamResult#MESSAGE_TOO_LARGE}
     *         (over {@link MuxConfig#maxMessageBytes()} or 128+ segments);
     *         {@link StreamResult#WOULD_BLOCK}; {@link StreamResult#CLOSED}
     */
    public int writeMessage(byte[] src, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, src.length);
        if (!writable()) {
            return StreamResult.CLOSED;
        }
        if (length > mux.config().maxMessageBytes()) {
            return StreamResult.MESSAGE_TOO_LARGE;
        }
        int r = kcp.send(src, offset, length);
        if (r == KcpResult.MESSAGE_TOO_LARGE) {
            return StreamResult.MESSAGE_TOO_LARGE;
        }
        if (r < 0) {
            writeBlocked = true;
            return StreamResult.WOULD_BLOCK;
        }
        if (r > 0) {
            kcp.flush();
        }
        return r;
    }

    private boolean writable() {
        return !localClosed && !outputShut && state != StreamState.CLOSED && !kcp.isReleased();
    }

    /** Bytes a {@link #write} would take now. */
    public int writableBytes() {
        return writable() ? kcp.sendCapacitySegments() * KcpConstants.MSS : 0;
    }

    /** Segments written and not yet acknowledged by the peer. */
    public int unacknowledgedSegments() {
        return kcp.isReleased() ? 0 : kcp.waitingSegments();
    }

    @Override
    public void output(byte[] buffer, int offset, int length) {
        int frameOffset = offset - MuxFrame.HEADER_LENGTH;
        MuxFrame.writeHeader(buffer, frameOffset, MuxFrame.PSH, id, length);
        mux.sendFrame(buffer, frameOffset, length + MuxFrame.HEADER_LENGTH);
    }

    // ------------------------------------------------------------------------------ closing

    /**
     * Closes our side (Go: OPEN → LOCAL_CLOSE, REMOTE_CLOSE → CLOSED): no more writes, reads end
     * once what is buffered has been read, data arriving later is discarded. With
     * {@link MuxConfig#closeLingerMs()} > 0 the FIN waits until everything written was
     * acknowledged (so it cannot overtake data) or the linger time ran out; then FIN is sent
     * {@link MuxConfig#finRepeats()} times, the KCP block is released and the stream leaves the
     * mux. With 0 all of that happens now and unacknowledged data is lost, as in Go. Idempotent.
     */
    public void close() {
        if (localClosed) {
            return;
        }
        if (outputShut) {
            closeAfterShutdown();
            return;
        }
        if (state == StreamState.CLOSED) {
            return;
        }
        localClosed = true;
        state = state == StreamState.OPEN ? StreamState.LOCAL_CLOSE : StreamState.CLOSED;
        if (reason == CloseReason.NONE) {
            reason = CloseReason.LOCAL;
        }
        writeBlocked = false;
        lingerOrFinish();
    }

    /**
     * Half-close (not in Go, which only has a full close; to Go it is a FIN like any other): no
     * more writes; the FIN goes out once everything written was acknowledged (or after
     * {@link MuxConfig#closeLingerMs()}, as {@link #close()}), repeated as configured; reading goes
     * on until the peer's FIN, and KCP keeps acknowledging. {@link #close()} still has to be called
     * to leave the mux. Idempotent; no effect after close.
     */
    public void shutdownOutput() {
        if (outputShut || localClosed || state == StreamState.CLOSED) {
            return;
        }
        outputShut = true;
        writeBlocked = false;
        lingerOrFinish();
    }

    /** The FIN after what was written is acknowledged (see {@link #close()}), or now. */
    private void lingerOrFinish() {
        if (mux.config().closeLingerMs() > 0 && !kcp.isReleased() && kcp.waitingSegments() > 0) {
            lingering = true;
            if (mux.hasClock()) {
                lingerDeadlineMs = mux.nowMs() + mux.config().closeLingerMs();
            }
        } else {
            finish();
        }
    }

    /** Whether {@link #shutdownOutput()} was called. */
    public boolean isOutputShut() {
        return outputShut;
    }

    /**
     * Ends the stream now, as Go's Close does: FIN at once (repeated as configured), unsent and
     * unacknowledged data discarded (counted by KCP's release), received data discarded.
     * Idempotent.
     */
    public void abort() {
        if (localClosed && !lingering || state == StreamState.CLOSED && kcp.isReleased()) {
            return; // already closed (its FIN is out or repeating), reset, or ended
        }
        boolean finPending = !outputShut || lingering;
        localClosed = true;
        state = StreamState.CLOSED;
        if (reason == CloseReason.NONE) {
            reason = CloseReason.LOCAL;
        }
        writeBlocked = false;
        if (finPending) {
            finish();
        } else {
            releaseAndLeave();
        }
    }

    /** {@link #close()} after {@link #shutdownOutput()}: the FIN is out or pending. */
    private void closeAfterShutdown() {
        localClosed = true;
        state = StreamState.CLOSED;
        if (!lingering) {
            releaseAndLeave();
        } // else the linger's finish() releases and leaves
    }

    /** Our FIN is already out: release KCP; leave unless FIN repeats are still due. */
    private void releaseAndLeave() {
        kcp.release();
        if (finsLeft == 0) {
            mux.unregister(this);
        }
    }

    /**
     * Sends the first FIN and arms the repeats; after a close also releases KCP and leaves the mux
     * unless FIN repeats are due (after {@link #shutdownOutput()} KCP stays for reading).
     */
    private void finish() {
        lingering = false;
        synResendsLeft = 0;
        mux.sendFin(id);
        finsLeft = mux.config().finRepeats() - 1;
        nextFinMs = mux.hasClock() ? mux.nowMs() + mux.config().finRepeatIntervalMs() : UNSET;
        if (!localClosed) {
            // half-close: OPEN -> LOCAL_CLOSE, REMOTE_CLOSE -> CLOSED; KCP keeps receiving
            state = state == StreamState.OPEN ? StreamState.LOCAL_CLOSE : StreamState.CLOSED;
            mux.listener().onReadable(this); // EOF may now be visible (both FINs)
            return;
        }
        kcp.release();
        if (finsLeft == 0) {
            mux.unregister(this);
        }
    }

    /** Ends the stream at once without a FIN (mux closed or replaced). */
    void reset() {
        reason = CloseReason.RESET;
        state = StreamState.CLOSED;
        localClosed = true;
        lingering = false;
        finsLeft = 0;
        kcp.release();
    }

    /** Called by the mux's table when the stream leaves it. */
    void unregistered() {
        registered = false;
    }

    // ------------------------------------------------------------------------------ frames in

    void onPsh(MemorySegment frame, long payloadOffset, int payloadLength) {
        touch();
        if (kcp.isReleased()) {
            mux.stats().increment(MuxCounter.DROP_PSH_CLOSED_STREAM);
            return;
        }
        kcp.input(frame, payloadOffset, payloadLength);
        drain();
        maybeWritable();
        if (!inputPending) {
            inputPending = true;
            mux.inputArrived(this);
        }
    }

    /** See {@link Mux#flushAfterInput()}: flushes when KCP has a reason to now; true if it did. */
    boolean flushAfterInput(int ackBatch) {
        inputPending = false;
        if (kcp.flushWanted(ackBatch)) {
            kcp.flush();
            return true;
        }
        return false;
    }

    void onFin() {
        touch();
        if (state == StreamState.OPEN) {
            state = StreamState.REMOTE_CLOSE;
            reason = CloseReason.REMOTE_FIN;
        } else if (state == StreamState.LOCAL_CLOSE) {
            state = StreamState.CLOSED;
        }
        mux.listener().onReadable(this); // EOF may now be visible
    }

    /** A duplicate SYN still shows the peer is there. */
    void onDuplicateSyn() {
        touch();
    }

    private void touch() {
        peerAnswered = true;
        if (mux.hasClock()) {
            lastInputMs = mux.nowMs();
        }
    }

    private void maybeWritable() {
        if (writeBlocked && kcp.sendCapacitySegments() > 0) {
            writeBlocked = false;
            mux.listener().onWritable(this);
        }
    }

    // ------------------------------------------------------------------------------ clock

    /** Anchors timers armed before the mux had a clock. */
    private void startTimers(long now) {
        if (lastInputMs == UNSET) {
            lastInputMs = now;
        }
        if (nextSynMs == UNSET) {
            nextSynMs = now + mux.config().synResendIntervalMs();
        }
        if (lingering && lingerDeadlineMs == UNSET) {
            lingerDeadlineMs = now + mux.config().closeLingerMs();
        }
        if (finsLeft > 0 && nextFinMs == UNSET) {
            nextFinMs = now + mux.config().finRepeatIntervalMs();
        }
    }

    /** One mux tick: KCP update and drain (as Go's Mux.Update), then our timers. */
    void tick(long now) {
        startTimers(now);
        if (!kcp.isReleased()) {
            kcp.update((int) now);
            drain();
            maybeWritable();
        }
        MuxConfig c = mux.config();
        if (synResendsLeft > 0 && !peerAnswered && now - nextSynMs >= 0) {
            synResendsLeft--;
            nextSynMs = now + c.synResendIntervalMs();
            mux.stats().increment(MuxCounter.SYN_RESENT);
            mux.sendSyn(this);
        }
        if (lingering) {
            boolean acknowledged = kcp.waitingSegments() == 0;
            if (acknowledged || now - lingerDeadlineMs >= 0) {
                if (!acknowledged) {
                    mux.stats().increment(MuxCounter.LINGER_EXPIRED);
                }
                finish();
            }
            return;
        }
        if (finsLeft > 0) {
            if (now - nextFinMs >= 0) {
                finsLeft--;
                nextFinMs = now + c.finRepeatIntervalMs();
                mux.sendFin(id);
                if (finsLeft == 0 && localClosed) {
                    mux.unregister(this);
                }
            }
            if (localClosed) {
                return;
            }
        }
        if (c.idleTimeoutMs() > 0 && registered && now - lastInputMs >= c.idleTimeoutMs()) {
            mux.stats().increment(MuxCounter.IDLE_TIMEOUTS);
            reason = CloseReason.IDLE_TIMEOUT;
            boolean hadData = received.size() > 0;
            boolean finOut = outputShut;
            localClosed = true;
            state = StreamState.CLOSED;
            if (finOut) {
                finsLeft = 0;
                releaseAndLeave();
            } else {
                finish();
            }
            if (!hadData) {
                mux.listener().onReadable(this); // EOF is visible
            }
        }
    }

    /** The earliest time this stream's timers or KCP need a tick (≥ now means "now"). */
    long nextTickMs(long now) {
        long next = kcp.isReleased() ? now + KcpConstants.INTERVAL_MS : now + (kcp.check((int) now) - (int) now);
        if (synResendsLeft > 0 && !peerAnswered && nextSynMs != UNSET) {
            next = Math.min(next, nextSynMs);
        }
        if (lingering && lingerDeadlineMs != UNSET) {
            next = Math.min(next, lingerDeadlineMs);
        }
        if (finsLeft > 0 && nextFinMs != UNSET) {
            next = Math.min(next, nextFinMs);
        }
        return next;
    }

    @Override
    public String toString() {
        return "Stream[" + Integer.toUnsignedString(id) + " " + state.label() + (local ? " local" : " remote")
                + (reason == CloseReason.NONE ? "" : " " + reason) + "]";
    }
}
