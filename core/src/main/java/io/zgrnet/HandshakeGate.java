package io.zgrnet;

import io.zgrnet.io.BoundedIntQueue;
import io.zgrnet.io.PacketPool;
import io.zgrnet.peer.IndexTable;
import io.zgrnet.pipeline.IoAgent;
import io.zgrnet.wire.HandshakeResponse;
import io.zgrnet.wire.MessageType;
import java.lang.foreign.MemorySegment;

/**
 * The I/O thread's door to the control agent for handshake datagrams (length already checked):
 * initiations go through {@link HandshakeAdmission} (per-source budget, one waiting per source,
 * copied out so the slot is freed at once); a response is queued only if its receiver index names
 * a handshake of ours that is pending, so forged or stray responses cost a counter and a lookup.
 * Never allocates.
 */
final class HandshakeGate implements IoAgent.HandshakeIntake {
    /** Responses waiting for the control agent; bounded, refusals counted. */
    static final int RESPONSE_QUEUE = 256;

    private final PacketPool pool;
    private final MemorySegment slab;
    private final TransportStats stats;
    private final HandshakeAdmission admission;
    private final IndexTable<Peer> pendingByIndex;
    private final BoundedIntQueue responses = new BoundedIntQueue(RESPONSE_QUEUE);
    private final Runnable wakeControl;
    private final io.zgrnet.config.Clock clock;
    /** Responses queued (by the I/O thread) and handled (by the control agent): see {@link Decryptor#HELD}. */
    private final HandoffTickets tickets;

    HandshakeGate(PacketPool pool, TransportStats stats, HandshakeAdmission admission,
                  IndexTable<Peer> pendingByIndex, Runnable wakeControl, Runnable wakeReader,
                  io.zgrnet.config.Clock clock) {
        this.pool = pool;
        this.slab = pool.slab();
        this.stats = stats;
        this.admission = admission;
        this.pendingByIndex = pendingByIndex;
        this.wakeControl = wakeControl;
        this.tickets = new HandoffTickets(wakeReader);
        this.clock = clock;
    }

    @Override
    public boolean take(int slot, int type) {
        if (type == MessageType.HANDSHAKE_INIT) {
            switch (admission.offer(slot, clock.nanoTime())) {
                case QUEUED -> wakeControl.run();
                case RATE_LIMITED -> stats.increment(TransportCounter.DROP_HANDSHAKE_RATE_LIMITED);
                case ALREADY_WAITING -> stats.increment(TransportCounter.DROP_HANDSHAKE_SOURCE_BUSY);
                case TABLE_FULL -> stats.increment(TransportCounter.DROP_HANDSHAKE_ADMISSION_FULL);
            }
            return false; // copied out (or refused): the slot goes back now
        }
        int receiverIndex = HandshakeResponse.receiverIndex(slab, pool.slotOffset(slot) + pool.dataOffset(slot));
        if (pendingByIndex.get(receiverIndex) == null) {
            stats.increment(TransportCounter.DROP_RESPONSE_UNMATCHED);
            return false;
        }
        if (!responses.offer(slot)) {
            stats.increment(TransportCounter.DROP_CONTROL_QUEUE_FULL);
            return false;
        }
        // Counted before this thread routes the next datagram: a transport datagram on the new
        // session right behind the response (Go speaks at once) reads a ticket that covers it.
        tickets.handedOver();
        wakeControl.run();
        return true;
    }

    /**
     * The responses queued and handled: a worker takes a datagram's ticket after it was routed (so
     * it covers every response that arrived before it); the control agent marks each response
     * {@linkplain HandoffTickets#finished() finished} after it polled and handled it.
     */
    HandoffTickets tickets() {
        return tickets;
    }

    /** Control agent: the next queued response's slot (the caller releases it), or -1. */
    int pollResponse() {
        return responses.poll();
    }

    /** True when a response or an initiation waits. */
    boolean hasWork() {
        return !responses.isEmpty() || admission.hasWaiting();
    }

    /** At close, with the I/O agent stopped: returns the queued slots, drops waiting initiations. */
    void clear() {
        int slot;
        while ((slot = responses.poll()) >= 0) {
            pool.release(slot);
        }
        admission.clear();
    }
}
