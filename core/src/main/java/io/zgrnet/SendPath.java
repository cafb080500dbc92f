package io.zgrnet;

import io.zgrnet.io.BoundedIntQueue;
import io.zgrnet.io.CloseGuard;
import io.zgrnet.io.PacketPool;
import io.zgrnet.wire.ProtocolByte;
import io.zgrnet.wire.TransportHeader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * The send path: runs on the writer's own thread (any number of them), seals into a pool slot and
 * queues the slot for the I/O agent.
 *
 * <p>Concurrency design (see docs/SESSIONS.md). The fast path takes no lock: a volatile read of the
 * peer's {@code staging} flag and its confirmed session, a per-peer in-flight count (so that a
 * session switch can wait for writers that already read the old state), a counter from the peer's
 * one atomic sequence, a lock-free pool slot and queue offer. The slow path (no session yet, or our
 * rekey holding writes) takes the peer's monitor, which session switches also take: messages are
 * staged in order and flushed in order on the session that comes up. Close shuts {@link #senders}
 * first, so no slot is taken once close has begun and the pool outlives every seal.
 *
 * <p>Datagram layout in a slot: the transport header ({@link TransportHeader#LENGTH} bytes), the
 * protocol byte, the payload, the tag; payloads are placed where the plaintext goes and sealed in
 * place. A datagram that does not fit a small slot takes one of the pool's large slots
 * ({@link PacketPool#acquireFor}); the facade refused payloads above {@link UDP#maxPayload()}.
 */
final class SendPath {
    private static final int PAYLOAD = ProtocolByte.PAYLOAD_OFFSET;
    /** RELAY_0's header: ttl (1), strategy (1), dst (32) (services.md §4.2). */
    static final int RELAY0_HEADER = 34;
    /** The ttl a source writes (as zgrnet does). */
    static final int RELAY0_TTL = 8;

    private final TransportContext ctx;
    private final TransportStats stats;
    private final PacketPool pool;
    private final MemorySegment slab;
    private final BoundedIntQueue sendQueue;
    private final Runnable wakeSender;
    private final ControlCommands commands;
    /** Threads between taking a slot and queueing it; close() shuts this first and waits for them. */
    final CloseGuard senders = new CloseGuard();

    SendPath(TransportContext ctx, BoundedIntQueue sendQueue, Runnable wakeSender, ControlCommands commands) {
        this.ctx = ctx;
        this.stats = ctx.stats;
        this.pool = ctx.pool;
        this.slab = ctx.slab;
        this.sendQueue = sendQueue;
        this.wakeSender = wakeSender;
        this.commands = commands;
    }

    /**
     * Sends (or stages) one message; the caller validated the arguments and that the transport
     * is open.
     *
     * @param array the payload's array, or null to read it from {@code data}
     * @return true if sent or staged; false if dropped (counted)
     */
    boolean write(Peer p, int protocol, byte[] array, MemorySegment data, long off, int len) {
        return write(p, protocol, array, data, off, len, false);
    }

    /**
     * As {@link #write(Peer, int, byte[], MemorySegment, long, int)}; {@code hop}: the message is a
     * RELAY_0 for the relay {@code p} ({@link #enqueueRelayed}), whose copies to unproven sessions
     * go only to direct addresses, so that a wrap never leads to another wrap (two relays whose
     * candidate sessions go through each other would otherwise recurse).
     */
    private boolean write(Peer p, int protocol, byte[] array, MemorySegment data, long off, int len, boolean hop) {
        long now = ctx.now();
        if (!p.staging) {
            // Fast path, no lock: a confirmed session. writersInside lets a session switch wait
            // for writers that saw "not staging" before it began (see docs/SESSIONS.md).
            p.writersInside.incrementAndGet();
            try {
                PeerSession s = p.current;
                if (!p.staging && s != null && !s.expired(now)) {
                    return sendData(p, s, protocol, array, data, off, len, now, hop);
                }
            } finally {
                p.writersInside.decrementAndGet();
            }
        }
        return writeSlow(p, protocol, array, data, off, len, now, hop);
    }

    /**
     * No confirmed session, or our rekey holds writes: under the peer's monitor (which a session
     * switch also takes), either send after all, send a budgeted copy to each responder session
     * waiting for proof, or stage the message until a session comes up.
     */
    private boolean writeSlow(Peer p, int protocol, byte[] array, MemorySegment data, long off, int len, long now,
                              boolean hop) {
        synchronized (p) {
            if (!p.staging && p.hasCurrent(now)) {
                return sendData(p, p.current, protocol, array, data, off, len, now, hop);
            }
            if (!p.staging) {
                // First contact as a responder: the initiator may wait for us to speak first, so
                // each candidate gets a copy within its anti-amplification budget.
                boolean any = false;
                for (PeerSession c : p.candidates) {
                    if (!c.expired(now)) {
                        any |= sendBudgeted(p, c, protocol, array, data, off, len, hop);
                    }
                }
                if (any) {
                    stats.increment(TransportCounter.MESSAGES_SENT);
                    return true;
                }
            }
            if (p.stagedCount == Peer.STAGE_LIMIT) {
                stats.increment(TransportCounter.DROP_STAGING_FULL);
                commands.submit(ControlCommands.Kind.STAGING_FULL, p, null);
                return false;
            }
            if (!stage(p, protocol, array, data, off, len)) {
                return false;
            }
            if (!p.hasCurrent(now) && p.candidates.length == 0 && p.endpoint != null && !p.connectRequested) {
                // One request per peer until the control agent acts on it: no flood of commands.
                p.connectRequested = true;
                if (!commands.submit(ControlCommands.Kind.CONNECT, p, null)) {
                    p.connectRequested = false; // refused (counted): the next write asks again
                }
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
            ProtocolByte.write(slab, base, protocol);
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
            int protocol = ProtocolByte.read(slab, base);
            int n = s == null ? -1 : s.seal(protocol, slab, base + PAYLOAD, len, slab, base);
            if (n < 0 || to == null) {
                pool.release(slot);
                stats.increment(TransportCounter.DROP_NO_SESSION);
                continue;
            }
            if (enqueue(slot, n, to, true)) {
                noteSent(p, len, ctx.now());
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
                             long now, boolean hop) {
        boolean sent = sendOn(p, s, protocol, array, data, off, len, p.endpoint);
        for (PeerSession c : p.candidates) {
            // Hardening 2: a re-handshake (a restarted peer, a rekey) is not confirmed yet; the
            // peer may already use it and wait for us. Copies to an unproven address stay within 3x
            // what it sent us, so a spoofed initiation cannot make us reflect traffic.
            if (!c.expired(now)) {
                sendBudgeted(p, c, protocol, array, data, off, len, hop);
            }
        }
        if (sent) {
            stats.increment(TransportCounter.MESSAGES_SENT);
            if (s.initiator && !p.rekeyRequested && s.dueForRekey(now)) {
                p.rekeyRequested = true;
                if (!commands.submit(ControlCommands.Kind.REKEY, p, null)) {
                    p.rekeyRequested = false;
                }
            }
        }
        return sent;
    }

    private boolean sendBudgeted(Peer p, PeerSession c, int protocol, byte[] array, MemorySegment data, long off,
                                 int len, boolean hop) {
        if (hop && c.endpoint != null && c.endpoint.relay() != null) {
            return false; // a relay's unproven session through another relay: no wrap inside a wrap
        }
        if (!c.spend(len + TransportHeader.OVERHEAD)) {
            stats.increment(TransportCounter.DROP_AMPLIFICATION_LIMIT);
            return false;
        }
        return sendOn(p, c, protocol, array, data, off, len, c.endpoint);
    }

    /** Seals one message (protocol &lt; 0: a keepalive) on a session into a slot and queues it. */
    boolean sendOn(Peer p, PeerSession s, int protocol, byte[] array, MemorySegment data, long off, int len,
                   Endpoint to) {
        return sendOn(p, s, protocol, array, data, off, len, to, true);
    }

    /**
     * As {@link #sendOn(Peer, PeerSession, int, byte[], MemorySegment, long, int, Endpoint)}, but
     * without waking the I/O agent when {@code wake} is false: a thread that sends a burst (the
     * stream thread) calls {@link #wakeSender()} once after it, instead of a wake-up system call
     * for each datagram while the agent waits.
     */
    boolean sendOn(Peer p, PeerSession s, int protocol, byte[] array, MemorySegment data, long off, int len,
                   Endpoint to, boolean wake) {
        if (to == null) {
            stats.increment(TransportCounter.DROP_NO_SESSION);
            return false;
        }
        if (!senders.enter()) {
            return false; // closing: no slot may be taken any more
        }
        try {
            return sealAndQueue(p, s, protocol, array, data, off, len, to, wake);
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
        int slot = pool.acquireFor(len + TransportHeader.OVERHEAD); // a small slot when it fits one, else a large one
        if (slot < 0) {
            stats.increment(TransportCounter.DROP_POOL_EXHAUSTED);
            return -1;
        }
        long at = pool.slotOffset(slot) + PAYLOAD;
        if (array != null) {
            MemorySegment.copy(array, (int) off, slab, ValueLayout.JAVA_BYTE, at, len);
        } else if (copySegment && len > 0) {
            MemorySegment.copy(data, off, slab, at, len);
        }
        return slot;
    }

    private boolean sealAndQueue(Peer p, PeerSession s, int protocol, byte[] array, MemorySegment data, long off,
                                 int len, Endpoint to, boolean wake) {
        int slot = slotWithPayload(array, data, off, len, false);
        if (slot < 0) {
            return false;
        }
        long base = pool.slotOffset(slot);
        if (array != null) {
            data = slab;
            off = base + PAYLOAD;
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
                if (!commands.submit(ControlCommands.Kind.REKEY, p, null)) {
                    p.rekeyRequested = false;
                }
            }
            return false;
        }
        if (!enqueue(slot, n, to, wake)) {
            return false;
        }
        if (protocol >= 0) {
            noteSent(p, len, ctx.now());
        } else {
            p.lastSentNs = ctx.now();
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
            return enqueue(slot, datagram.length, to, true);
        } finally {
            senders.exit();
        }
    }

    /**
     * Addresses a filled slot and hands it to the I/O agent (waking it when {@code wake}); a full
     * queue drops and counts it.
     */
    private boolean enqueue(int slot, int length, Endpoint to, boolean wake) {
        if (to.relay() != null) {
            return enqueueRelayed(slot, length, to);
        }
        pool.length(slot, length);
        to.writeTo(pool.addresses(), pool.addressOffset(slot));
        if (!sendQueue.offer(slot)) {
            pool.release(slot);
            stats.increment(TransportCounter.DROP_SEND_QUEUE_FULL);
            return false;
        }
        if (wake) {
            wakeSender.run();
        }
        return true;
    }

    /** Entries the send queue holds. */
    int sendQueueCapacity() {
        return sendQueue.capacity();
    }

    /** Free entries of the send queue now (a snapshot; other senders may take some). */
    int sendQueueRoom() {
        return sendQueue.capacity() - sendQueue.size();
    }

    /** Wakes the I/O agent if it waits (after sends queued with {@code wake} false). */
    void wakeSender() {
        wakeSender.run();
    }

    /**
     * Source side of a relay (docs/RELAY.md): the datagram in {@code slot} (sealed for the peer, or
     * a handshake message) is for a peer reached through {@code to.relay()}. It becomes the payload
     * of a RELAY_0 {ttl 8, strategy 0, dst, datagram} (services.md §4.2, §4.6), which is written to
     * the relay like any message: sealed on the session with it (or staged while it has none), to
     * its direct endpoint. The datagram moves up by the 34-byte header in its own slot (or, if that
     * slot is too small, into a larger one); the seal onto the hop reads it there into a slot of
     * its own, and this one goes back to the pool. The relay must be direct: a relay that is
     * itself relayed is refused, so a wrap never wraps again.
     */
    private boolean enqueueRelayed(int slot, int length, Endpoint to) {
        Peer relay = to.relay();
        Endpoint hop = relay.endpoint;
        int wrapped = length + RELAY0_HEADER;
        // The relay must still be in the table: a removed one's staging queue is never flushed nor dropped again.
        if (hop == null || hop.relay() != null || wrapped + TransportHeader.OVERHEAD > pool.maxDatagram()
                || ctx.peers.get(relay.key) != relay) {
            pool.release(slot);
            stats.increment(TransportCounter.DROP_RELAY_UNREACHABLE);
            return false;
        }
        if (pool.slotSize(slot) < wrapped) {
            int larger = pool.acquireFor(wrapped);
            if (larger < 0) {
                pool.release(slot);
                stats.increment(TransportCounter.DROP_POOL_EXHAUSTED);
                return false;
            }
            MemorySegment.copy(slab, pool.slotOffset(slot), slab, pool.slotOffset(larger) + RELAY0_HEADER, length);
            pool.release(slot);
            slot = larger;
        } else {
            long base = pool.slotOffset(slot);
            MemorySegment.copy(slab, base, slab, base + RELAY0_HEADER, length); // overlapping: copied as if through a buffer
        }
        long base = pool.slotOffset(slot);
        slab.set(ValueLayout.JAVA_BYTE, base, (byte) RELAY0_TTL);
        slab.set(ValueLayout.JAVA_BYTE, base + 1, (byte) 0); // strategy: auto, what zgrnet sends
        MemorySegment.copy(to.relayedTo(), 0, slab, base + 2, 32);
        boolean sent;
        try {
            sent = write(relay, ProtocolByte.RELAY0, null, slab, base, wrapped, true);
        } finally {
            pool.release(slot);
        }
        if (sent) {
            stats.increment(TransportCounter.RELAYED_SENT);
        }
        return sent;
    }

    /** Waits until every queued slot was handed to the kernel, or {@code timeoutNanos}; true if drained. */
    boolean flush(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!sendQueue.isEmpty()) {
            if (ctx.lifecycle.stopped() || System.nanoTime() - deadline >= 0) {
                return sendQueue.isEmpty();
            }
            wakeSender.run();
            Thread.sleep(1); // a flush at exit, not a hot path
        }
        return true;
    }

    /** At close: no slot may be taken any more; waits (bounded) for the senders inside. */
    boolean close() {
        senders.close();
        return senders.awaitIdle(TimeUnit.SECONDS.toNanos(5));
    }
}
