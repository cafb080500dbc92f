package io.zgrnet;

import io.zgrnet.io.PacketPool;
import io.zgrnet.pipeline.OrderedPipeline;
import io.zgrnet.wire.HandshakeResponse;
import io.zgrnet.wire.MessageType;
import io.zgrnet.wire.ProtocolByte;
import io.zgrnet.wire.TransportHeader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The in-order reader: takes the ring's entries in arrival order on the application's reading
 * thread (one at a time: {@code readFrom}/{@code poll} are single-consumer), waiting only for the
 * entry at the head. For each authenticated packet it moves the session's replay window (here and
 * only here, after the tag verified), promotes a candidate session on its first packet, follows a
 * roaming peer, and hands the payload to the protocol handler registered for its protocol byte or
 * else to the application. A RELAY_2 (68) carries a datagram for us through a relay: its inner
 * transport datagram is opened here, in place, and delivered as from its end-to-end peer; inner
 * handshake messages go to the control agent ({@link #consumeRelayed}).
 *
 * <p>Turns: the ring has one consumer at a time, the application's reading thread or, once a
 * service that must not wait for the application is attached (streams, a relay), the delivery
 * agent ({@link #deliver}), which runs the handlers while no application thread reads and keeps
 * the application's messages in the {@link Inbox} until it does. The application reads the inbox
 * before the ring, so arrival order holds across both.
 *
 * <p>Close: {@link UDP#close()} wakes a reader parked here; a reader inside leaves with a
 * {@link TransportClosedException}; close then waits for it to leave and {@link #drain drains}
 * the ring itself (a Dekker handshake on {@link #turn} and the lifecycle's closed flag).
 */
final class Reader {
    private static final long PARK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int SPINS = 100;

    private final TransportContext ctx;
    private final PacketPool pool;
    private final MemorySegment slab;
    private final OrderedPipeline ring;
    private final Decryptor decryptor;
    private final SessionSwitch switcher;
    private final ProtocolHandler[] handlers = new ProtocolHandler[256];
    /** RELAY_2's header: the src key (services.md §4.2). */
    private static final int RELAY2_HEADER = 32;
    private final boolean acceptRelayed;
    private final RelayedHandshakes relayedHandshakes;
    private static final int FREE = 0;
    private static final int APPLICATION = 1;
    private static final int AGENT = 2;

    /** Who consumes the ring now: {@link #FREE}, the {@link #APPLICATION} or the delivery {@link #AGENT}. */
    private final AtomicInteger turn = new AtomicInteger(FREE);
    private final CopyingHandler copier = new CopyingHandler();
    private volatile Thread parked;
    /** Set once, by {@link #attachAgent}, before the agent's first turn. */
    private volatile Inbox inbox;
    private volatile Runnable agentWaker;

    Reader(TransportContext ctx, OrderedPipeline ring, Decryptor decryptor, SessionSwitch switcher,
           RelayedHandshakes relayedHandshakes) {
        this.ctx = ctx;
        this.acceptRelayed = ctx.config.acceptRelayed();
        this.relayedHandshakes = relayedHandshakes;
        this.pool = ctx.pool;
        this.slab = ctx.slab;
        this.ring = ring;
        this.decryptor = decryptor;
        this.switcher = switcher;
    }

    /** Routes protocol byte {@code protocol} to {@code handler} (null: back to the application). */
    void register(int protocol, ProtocolHandler handler) {
        handlers[protocol] = handler;
        VarHandle.releaseFence(); // published before the next packet the reader takes
    }

    /**
     * Lets the delivery agent take turns: {@code inbox} holds what it takes for the application,
     * {@code waker} wakes it when the head entry is ready.
     */
    void attachAgent(Inbox inbox, Runnable waker) {
        this.inbox = inbox;
        this.agentWaker = waker;
    }

    /** Unparks whoever waits for the head entry (workers call it after finishing entries). */
    void wake() {
        Thread t = parked;
        if (t != null) {
            LockSupport.unpark(t);
        }
        Runnable w = agentWaker;
        if (w != null) {
            w.run();
        }
    }

    /** True while an application thread or the delivery agent consumes the ring. */
    boolean inside() {
        return turn.get() != FREE;
    }

    /** True when the delivery agent would find work: the head entry is ready. */
    boolean headReady() {
        return ready();
    }

    /**
     * The head entry can be taken: processed, and if a worker {@link Decryptor#HELD held} it for a
     * response still with the control agent, that response handled (which wakes us). Everything
     * behind waits for the head anyway: holding it here keeps arrival order and costs no thread.
     */
    private boolean ready() {
        return ring.headReady()
                && (ring.headResult() != Decryptor.HELD || decryptor.ready(ring.headSlot()));
    }

    /**
     * The delivery agent's turn: consumes up to {@code limit} ready entries if no application
     * thread is reading (handlers run, application messages go to the inbox). Returns how many
     * entries it consumed.
     */
    int deliver(int limit) {
        if (!turn.compareAndSet(FREE, AGENT)) {
            return 0;
        }
        try {
            if (ctx.lifecycle.closed()) {
                return 0; // close drains the ring itself once the turn is free
            }
            int n = 0;
            while (n < limit && ready()) {
                consumeHead(null);
                n++;
            }
            return n;
        } finally {
            turn.set(FREE);
        }
    }

    /** Takes the application's turn, waiting out the delivery agent's (it is short and bounded). */
    private void takeTurn() {
        while (!turn.compareAndSet(FREE, APPLICATION)) {
            if (turn.get() == APPLICATION) {
                throw new IllegalStateException("another thread is reading: readFrom/poll are single-consumer");
            }
            Thread.onSpinWait();
        }
    }

    /** Copies a message into the caller's array ({@code readFrom}); reused by the one reader. */
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

    /**
     * The single-consumer receive loop: up to {@code limit} messages to {@code handler} (null:
     * copy one into {@code into}/{@code buffer}).
     *
     * @param timeoutNanos 0 = do not wait, negative = until a message comes
     * @throws TransportClosedException when closed or failed, also while waiting
     */
    int receive(MessageHandler handler, Message into, byte[] buffer, int limit, long timeoutNanos)
            throws InterruptedException, TransportClosedException {
        takeTurn();
        try {
            // Dekker with close(): we publish our turn then read "closed", it publishes "closed"
            // then reads the turn; a reader that finds it closed must not touch the ring close drains.
            ctx.lifecycle.check();
            if (handler == null) {
                copier.into = into;
                copier.buffer = buffer;
                handler = copier;
            }
            long deadline = System.nanoTime() + timeoutNanos;
            int delivered = 0;
            int idle = 0;
            Inbox kept = inbox;
            while (delivered < limit) {
                if (kept != null && kept.poll(handler)) {
                    idle = 0;
                    delivered++;
                    continue;
                }
                if (ready()) {
                    idle = 0;
                    delivered += consumeHead(handler);
                    continue;
                }
                if (delivered > 0) {
                    break;
                }
                ctx.lifecycle.check();
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
                if (idle++ < SPINS) {
                    Thread.onSpinWait();
                } else {
                    parked = Thread.currentThread();
                    VarHandle.fullFence(); // pairs with the workers' fence
                    if (!ready() && !ctx.lifecycle.stopped()) {
                        LockSupport.parkNanos(this, timeoutNanos > 0 ? Math.min(left, PARK_NS) : PARK_NS);
                    }
                    parked = null;
                }
            }
            return delivered;
        } finally {
            turn.set(FREE);
        }
    }

    /**
     * Consumes the head entry; returns 1 if it delivered a message to the application (or, with
     * {@code application} null, the delivery agent's turn, to the inbox), 0 for everything else:
     * a drop, a keepalive, a message a protocol handler took.
     */
    private int consumeHead(MessageHandler application) {
        int slot = ring.headSlot();
        int result = ring.headResult();
        try {
            if (result == Decryptor.HELD) {
                result = decryptor.openHeld(slot);
            }
            if (result < 0) {
                TransportCounter why = result == Decryptor.DROPPED ? decryptor.dropReason(slot) : null;
                ctx.stats.increment(why != null ? why : TransportCounter.DROP_MALFORMED);
                return 0;
            }
            PeerSession s = decryptor.takeSession(slot);
            long off = pool.slotOffset(slot) + pool.dataOffset(slot);
            // The window moves only here: after the tag verified, in arrival order, on one thread.
            if (!s.acceptCounter(TransportHeader.counter(slab, off))) {
                ctx.stats.increment(TransportCounter.DROP_REPLAYED);
                return 0;
            }
            Peer p = s.peer;
            authenticated(p, s);
            // Roaming: the endpoint follows the source of authenticated packets only.
            if (s == p.current) {
                Endpoint e = p.endpoint;
                if (e == null || !e.matches(pool.addresses(), pool.addressOffset(slot))) {
                    p.endpoint = Endpoint.copyOf(pool.addresses(), pool.addressOffset(slot));
                    ctx.stats.increment(TransportCounter.ROAMING_UPDATES);
                }
            }
            if (result == 0) {
                ctx.stats.increment(TransportCounter.KEEPALIVES_RECEIVED);
                return 0;
            }
            int protocol = ProtocolByte.read(slab, off);
            if (protocol == ProtocolByte.RELAY2 && acceptRelayed) {
                noteData(p, result - 1);
                return consumeRelayed(p, application, off + ProtocolByte.PAYLOAD_OFFSET, result - 1);
            }
            return deliver(p, protocol, off, result, application, true);
        } finally {
            pool.release(slot);
            ring.advance();
        }
    }

    /** Bookkeeping of a packet that authenticated on {@code s} and passed the replay window. */
    private void authenticated(Peer p, PeerSession s) {
        p.lastReceivedNs = ctx.now();
        p.received = true;
        p.unansweredSinceNs = 0;
        p.messagesReceived++;
        if (!s.confirmed) {
            switcher.confirm(s);
        }
    }

    private void noteData(Peer p, int length) {
        p.lastDataReceivedNs = p.lastReceivedNs;
        p.keepaliveDue = true;
        p.bytesReceived += length;
    }

    /**
     * Hands the opened datagram at {@code off} ({@code result} plaintext bytes: the protocol byte,
     * then the payload) of peer {@code p} to its protocol's handler ({@code handlers} false: to the
     * application whatever the protocol) or to the application; returns 1 if the application got it.
     */
    private int deliver(Peer p, int protocol, long off, int result, MessageHandler application, boolean handlers) {
        long payload = off + ProtocolByte.PAYLOAD_OFFSET;
        int length = result - 1;
        noteData(p, length);
        ProtocolHandler h = handlers ? this.handlers[protocol] : null;
        if (h != null) {
            h.onMessage(p, protocol, slab, payload, length);
            ctx.stats.increment(TransportCounter.MESSAGES_DELIVERED);
            return 0; // not the application's: its read goes on
        }
        if (application != null) {
            application.onMessage(p.key, protocol, slab, payload, length);
        } else if (!inbox.offer(p.key, protocol, slab, payload, length)) {
            ctx.stats.increment(TransportCounter.DROP_INBOX_FULL);
            return 0;
        }
        ctx.stats.increment(TransportCounter.MESSAGES_DELIVERED);
        return 1;
    }

    /**
     * A RELAY_2 {src (32), datagram} from neighbour {@code via} (services.md §4.5; docs/RELAY.md,
     * "the destination"), on this thread, in place in the RELAY_2's slot. A transport datagram is
     * opened with its end-to-end session here rather than by a worker (relayed traffic is the
     * exception; this keeps it in arrival order without a second ring), its src must be the peer
     * the session belongs to (else a lying relay: dropped, counted), then the window moves and
     * the payload goes on as from that peer, with no endpoint or roaming update (the address is
     * the relay's). Protocols 66-71 inside are not acted on (a relayed PING is not answered; zgrnet
     * gives them to the application). Handshake messages go to the control agent.
     *
     * @return 1 if the application got a message
     */
    private int consumeRelayed(Peer via, MessageHandler application, long body, int length) {
        int innerLength = length - RELAY2_HEADER;
        long inner = body + RELAY2_HEADER;
        int type = MessageType.of(slab, inner, innerLength);
        if (innerLength < MessageType.minimumLength(type)) { // an unknown type's minimum is MAX_VALUE
            ctx.stats.increment(TransportCounter.DROP_RELAYED_MALFORMED);
            return 0;
        }
        if (type == MessageType.HANDSHAKE_INIT) {
            relayedHandshakes.offer(via, type, slab, body, inner, innerLength, ctx.now());
            return 0;
        }
        if (type == MessageType.HANDSHAKE_RESPONSE) {
            if (ctx.pendingByIndex.get(HandshakeResponse.receiverIndex(slab, inner)) == null) {
                ctx.stats.increment(TransportCounter.DROP_RESPONSE_UNMATCHED);
            } else {
                relayedHandshakes.offer(via, type, slab, body, inner, innerLength, ctx.now());
            }
            return 0;
        }
        int index = TransportHeader.receiverIndex(slab, inner);
        PeerSession s = ctx.sessions.get(index);
        if (s == null && ctx.pendingByIndex.get(index) != null) {
            s = awaitRelayedSession(index, relayedHandshakes.tickets().ticket());
        }
        if (s == null) {
            ctx.stats.increment(TransportCounter.DROP_UNKNOWN_INDEX);
            return 0;
        }
        if (s.expired(ctx.now())) {
            ctx.stats.increment(TransportCounter.DROP_SESSION_EXPIRED);
            return 0;
        }
        int result = s.open(slab, inner, innerLength);
        if (result < 0) {
            ctx.stats.increment(TransportCounter.DROP_DECRYPT_FAILED);
            return 0;
        }
        Peer p = s.peer;
        if (MemorySegment.mismatch(slab, body, body + RELAY2_HEADER, p.publicKeyBytes, 0, RELAY2_HEADER) >= 0) {
            ctx.stats.increment(TransportCounter.DROP_RELAYED_SOURCE_MISMATCH);
            return 0;
        }
        if (!s.acceptCounter(TransportHeader.counter(slab, inner))) {
            ctx.stats.increment(TransportCounter.DROP_REPLAYED);
            return 0;
        }
        ctx.stats.increment(TransportCounter.RELAYED_RECEIVED);
        authenticated(p, s);
        if (p.endpoint == null) {
            p.endpoint = Endpoint.relayed(via, p.publicKey); // a peer we only know through this relay
        }
        if (result == 0) {
            ctx.stats.increment(TransportCounter.KEEPALIVES_RECEIVED);
            return 0;
        }
        int protocol = ProtocolByte.read(slab, inner);
        boolean service = protocol < ProtocolByte.RELAY0 || protocol > ProtocolByte.PONG;
        return deliver(p, protocol, inner, result, application, service);
    }

    /**
     * A relayed transport datagram for the index of an initiation of ours. Its responder may speak
     * right behind its relayed response (zgrnet Go switches the moment it answers), which this
     * thread handed to the control agent a moment ago: two X25519 away, longer when the JIT is cold
     * or the agent is not scheduled. So this thread parks until the agent has finished with every
     * relayed handshake message that arrived before the datagram (a ticket: arrival order, not a
     * clock that a slow handshake could outlast), as a direct one waits in its ring entry
     * ({@link Decryptor#HELD}); the agent wakes it. A datagram naming a sniffed index waits at most
     * for the agent's bounded queue, and costs a counter after. Closing ends the wait.
     */
    private PeerSession awaitRelayedSession(int index, long ticket) {
        HandoffTickets handled = relayedHandshakes.tickets();
        PeerSession s;
        while ((s = ctx.sessions.get(index)) == null && !handled.finishedUpTo(ticket) && !ctx.lifecycle.stopped()) {
            parked = Thread.currentThread();
            if (!handled.finishedUpTo(ticket) && !ctx.lifecycle.stopped()) {
                LockSupport.parkNanos(this, PARK_NS); // volatile parked, then handled: no lost wake-up
            }
            parked = null;
        }
        // Re-read: the agent installs a session before it counts the message handled.
        return s != null ? s : ctx.sessions.get(index);
    }

    /**
     * At close, once no reader is inside and the workers stopped: every entry left goes back to
     * the pool (decrypted first where a worker had not, so results and slots stay paired).
     */
    void drain() {
        while (ring.size() > 0) {
            ring.processOne();
            if (ring.headReady()) {
                int slot = ring.headSlot();
                decryptor.takeSession(slot);
                pool.release(slot);
                ring.advance();
            }
        }
    }

    /** Waits (bounded) for a reader inside to leave; false if it did not (its handler does not return). */
    boolean awaitLeft(long timeoutNanos) {
        wake();
        long deadline = System.nanoTime() + timeoutNanos;
        while (turn.get() != FREE) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }
}
