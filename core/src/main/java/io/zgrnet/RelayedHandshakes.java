package io.zgrnet;

import io.zgrnet.io.BoundedIntQueue;
import io.zgrnet.wire.HandshakeInit;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Handshake messages that arrived relayed (inside a RELAY_2, docs/RELAY.md "destination"), on
 * their way from the receive consumer to the control agent: a fixed table of {@value #ENTRIES}
 * entries, each the handshake message, the RELAY_2 src it claims and the neighbour that delivered
 * it. The socket path's {@link HandshakeAdmission} keys on source addresses; a relayed message has
 * none, so fairness here is per delivering neighbour: a token bucket on the {@link Peer}
 * ({@value #PER_SECOND} per second, burst {@value #BURST}), then the bounded table. Refusals are
 * counted; nothing is allocated.
 *
 * <p>Threads: {@link #offer} on the receive consumer (one at a time; turns between the application
 * and the delivery agent are ordered by the reader's turn flag); {@link #poll}, the accessors and
 * {@link #release} on the control agent. An entry is written only while it is free and read only
 * while it is ready: the queues' release/acquire order the bytes.
 */
final class RelayedHandshakes {
    /** Relayed handshake messages waiting at most. */
    static final int ENTRIES = 64;
    /** Bytes kept of a message (an initiation, the longer of the two; a longer tail is ignored, as zgrnet does). */
    static final int BYTES = HandshakeInit.LENGTH;
    static final int KEY = 32;
    /** Per delivering neighbour: refill and burst. */
    static final int PER_SECOND = 100;
    static final int BURST = 20;
    private static final long REFILL_NS = TimeUnit.SECONDS.toNanos(1) / PER_SECOND;

    /** Native, like the control agent's other scratch: the handshake reads it in place. */
    private final MemorySegment messages = Arena.ofAuto().allocate((long) ENTRIES * BYTES, 8);
    private final MemorySegment sources = MemorySegment.ofArray(new byte[ENTRIES * KEY]);
    private final int[] types = new int[ENTRIES];
    private final int[] lengths = new int[ENTRIES];
    private final Peer[] via = new Peer[ENTRIES];
    private final BoundedIntQueue free = new BoundedIntQueue(ENTRIES);
    private final BoundedIntQueue ready = new BoundedIntQueue(ENTRIES);
    private final TransportStats stats;
    private final Runnable wakeControl;

    /** Messages accepted (by the receive consumer) and handled (by the control agent). */
    private final HandoffTickets tickets;

    RelayedHandshakes(TransportStats stats, Runnable wakeControl, Runnable wakeReader) {
        this.stats = stats;
        this.wakeControl = wakeControl;
        this.tickets = new HandoffTickets(wakeReader);
        for (int i = 0; i < ENTRIES; i++) {
            free.offer(i);
        }
    }

    /**
     * Receive consumer: keeps a copy of the handshake message {@code message[off, +len)} of
     * {@code type}, delivered by {@code from} with RELAY_2 src {@code message[srcOff, +32)}.
     *
     * @return false if refused (counted)
     */
    boolean offer(Peer from, int type, MemorySegment message, long srcOff, long off, int len, long nowNs) {
        // GCRA as one timestamp: the time the bucket would have been empty-equivalent; a full
        // bucket for a new neighbour. Wrap-safe: nanoTime may be negative.
        long full = nowNs - BURST * REFILL_NS;
        long at = from.relayedHandshakesAt;
        if (at == Peer.NEVER || at - full < 0) {
            at = full;
        }
        if (nowNs - at < REFILL_NS) {
            stats.increment(TransportCounter.DROP_RELAYED_HANDSHAKE_LIMITED);
            return false;
        }
        int entry = free.poll();
        if (entry < 0) {
            stats.increment(TransportCounter.DROP_RELAYED_HANDSHAKE_LIMITED);
            return false;
        }
        from.relayedHandshakesAt = at + REFILL_NS;
        int n = Math.min(len, BYTES);
        MemorySegment.copy(message, off, messages, (long) entry * BYTES, n);
        MemorySegment.copy(message, srcOff, sources, (long) entry * KEY, KEY);
        types[entry] = type;
        lengths[entry] = n;
        via[entry] = from;
        ready.offer(entry); // cannot fail: one place per entry
        tickets.handedOver();
        wakeControl.run();
        return true;
    }

    /** Control agent: the next ready entry, or -1. */
    int poll() {
        return ready.poll();
    }

    boolean hasWork() {
        return !ready.isEmpty();
    }

    int type(int entry) {
        return types[entry];
    }

    int length(int entry) {
        return lengths[entry];
    }

    Peer via(int entry) {
        return via[entry];
    }

    /** The message's bytes: {@code messages()[offset(entry), +length(entry))}. */
    MemorySegment messages() {
        return messages;
    }

    long offset(int entry) {
        return (long) entry * BYTES;
    }

    /** True if the RELAY_2 src of {@code entry} is {@code key}. */
    boolean sourceIs(int entry, byte[] key) {
        return MemorySegment.mismatch(sources, (long) entry * KEY, (long) entry * KEY + KEY,
                MemorySegment.ofArray(key), 0, KEY) < 0;
    }

    /**
     * Control agent, once it has finished with {@code entry} (a session it made is installed): the
     * entry may be written again, and a reader waiting on a ticket that covers it may go on.
     */
    void release(int entry) {
        via[entry] = null;
        free.offer(entry);
        tickets.finished();
    }

    /**
     * The messages accepted and handled: the receive consumer takes a relayed transport
     * datagram's ticket, which covers every relayed handshake message that arrived before it.
     */
    HandoffTickets tickets() {
        return tickets;
    }

    /** At close, with the consumers stopped: drops what waits. */
    void clear() {
        int entry;
        while ((entry = ready.poll()) >= 0) {
            release(entry);
        }
    }
}
