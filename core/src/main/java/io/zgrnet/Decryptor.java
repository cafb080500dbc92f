package io.zgrnet;

import io.zgrnet.io.PacketPool;
import io.zgrnet.pipeline.OrderedPipeline;
import io.zgrnet.wire.TransportHeader;
import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * What a decrypt worker does with one transport datagram of the in-order ring: find its session
 * by index, authenticate and decrypt it in place. The replay window is not touched here (the
 * reader moves it, in arrival order, after this authenticated the packet). Any number of workers
 * run it at once: it only reads shared state, and writes the per-slot results the reader takes.
 */
final class Decryptor implements OrderedPipeline.Processor {
    /** Result code: dropped; the counter is in {@link #dropReason(int)}. */
    static final int DROPPED = -1;
    /** How long a worker waits for the session of an initiation whose response is being processed. */
    static final long PENDING_SESSION_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final TransportContext ctx;
    private final PacketPool pool;
    private final MemorySegment slab;
    private final PeerSession[] slotSession;
    private final TransportCounter[] slotDropReason;

    Decryptor(TransportContext ctx) {
        this.ctx = ctx;
        this.pool = ctx.pool;
        this.slab = ctx.slab;
        this.slotSession = new PeerSession[pool.capacity()];
        this.slotDropReason = new TransportCounter[pool.capacity()];
    }

    @Override
    public int process(int slot) {
        long off = pool.slotOffset(slot) + pool.dataOffset(slot);
        int len = pool.length(slot);
        if (TransportHeader.validate(slab, off, len) != WireResult.OK) {
            return drop(slot, TransportCounter.DROP_MALFORMED);
        }
        PeerSession s = sessionFor(TransportHeader.receiverIndex(slab, off));
        if (s == null) {
            return drop(slot, TransportCounter.DROP_UNKNOWN_INDEX);
        }
        if (s.expired(ctx.now())) {
            return drop(slot, TransportCounter.DROP_SESSION_EXPIRED);
        }
        int n = s.open(slab, off, len);
        if (n < 0) {
            return drop(slot, TransportCounter.DROP_DECRYPT_FAILED);
        }
        slotSession[slot] = s;
        return n;
    }

    /**
     * The session of receiver index {@code index}, waiting (bounded) for it when the response of
     * our initiation with that index is with the control agent; null if none.
     */
    PeerSession sessionFor(int index) {
        PeerSession s = ctx.sessions.get(index);
        if (s == null) {
            Peer waiting = ctx.pendingByIndex.get(index);
            if (waiting != null && waiting.responseQueuedIndex == index) {
                s = awaitSession(index);
            }
        }
        return s;
    }

    private int drop(int slot, TransportCounter why) {
        slotDropReason[slot] = why;
        return DROPPED;
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
        while ((s = ctx.sessions.get(index)) == null && (p = ctx.pendingByIndex.get(index)) != null
                && p.responseQueuedIndex == index && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        return s != null ? s : ctx.sessions.get(index);
    }

    /** Reader: the session that authenticated {@code slot}, taken (cleared). */
    PeerSession takeSession(int slot) {
        PeerSession s = slotSession[slot];
        slotSession[slot] = null;
        return s;
    }

    /** Reader: why {@code slot} was dropped. */
    TransportCounter dropReason(int slot) {
        return slotDropReason[slot];
    }
}
