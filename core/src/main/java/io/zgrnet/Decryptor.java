package io.zgrnet;

import io.zgrnet.io.PacketPool;
import io.zgrnet.pipeline.OrderedPipeline;
import io.zgrnet.wire.TransportHeader;
import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;

/**
 * What a decrypt worker does with one transport datagram of the in-order ring: find its session
 * by index, authenticate and decrypt it in place. The replay window is not touched here (the
 * reader moves it, in arrival order, after this authenticated the packet). Any number of workers
 * run it at once: it only reads shared state, and writes the per-slot results the reader takes.
 */
final class Decryptor implements OrderedPipeline.Processor {
    /** Result code: dropped; the counter is in {@link #dropReason(int)}. */
    static final int DROPPED = -1;
    /**
     * Result code: not opened yet, its session may come from a response still with the control
     * agent; the reader opens it once {@link #ready(int)} ({@link #openHeld(int)}).
     */
    static final int HELD = -2;

    private final TransportContext ctx;
    private final PacketPool pool;
    private final MemorySegment slab;
    private final HandoffTickets responses;
    private final PeerSession[] slotSession;
    private final TransportCounter[] slotDropReason;
    /** Of a {@link #HELD} slot: the responses the control agent must have handled before it is opened. */
    private final long[] slotTicket;

    /** @param responses the handshake responses queued to and handled by the control agent */
    Decryptor(TransportContext ctx, HandoffTickets responses) {
        this.ctx = ctx;
        this.pool = ctx.pool;
        this.slab = ctx.slab;
        this.responses = responses;
        this.slotSession = new PeerSession[pool.capacity()];
        this.slotDropReason = new TransportCounter[pool.capacity()];
        this.slotTicket = new long[pool.capacity()];
    }

    @Override
    public int process(int slot) {
        long off = pool.slotOffset(slot) + pool.dataOffset(slot);
        int len = pool.length(slot);
        if (TransportHeader.validate(slab, off, len) != WireResult.OK) {
            return drop(slot, TransportCounter.DROP_MALFORMED);
        }
        int index = TransportHeader.receiverIndex(slab, off);
        PeerSession s = ctx.sessions.get(index);
        if (s == null) {
            // The responder of our initiation may speak right behind its response (zgrnet Go
            // switches the moment it answers), and that response may still be with the control
            // agent: two X25519, or longer when the JIT is cold, the agent is not scheduled or a
            // GC pauses it, so any clock-bounded wait here loses such packets now and then.
            // Instead the datagram is held in its ring entry, where it already is, until the
            // control agent has finished with every response that arrived before it (a ticket:
            // arrival order, not time), and the reader opens it then. Only an index
            // of ours in flight qualifies, so a forged datagram still costs a lookup and a
            // counter; one that names a sniffed index with a (forged) response queued is held no
            // longer than the agent takes to drain its bounded response queue, and holds no slot
            // or memory beyond its own ring entry.
            long ticket = responses.ticket();
            if (ctx.pendingByIndex.get(index) != null && !responses.finishedUpTo(ticket)) {
                slotTicket[slot] = ticket;
                return HELD;
            }
            // Not held: the responses before it were handled, and an install comes before both
            // the pending entry's removal and the count, so a session of theirs is visible now.
            s = ctx.sessions.get(index);
        }
        return open(slot, s, off, len);
    }

    /** Reader: true when the {@link #HELD} datagram in {@code slot} can be opened. */
    boolean ready(int slot) {
        return responses.finishedUpTo(slotTicket[slot]);
    }

    /** Reader: opens a {@link #HELD} datagram once {@link #ready}; a result as {@link #process} gives. */
    int openHeld(int slot) {
        long off = pool.slotOffset(slot) + pool.dataOffset(slot);
        return open(slot, ctx.sessions.get(TransportHeader.receiverIndex(slab, off)), off, pool.length(slot));
    }

    private int open(int slot, PeerSession s, long off, int len) {
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

    private int drop(int slot, TransportCounter why) {
        slotDropReason[slot] = why;
        return DROPPED;
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
