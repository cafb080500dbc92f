package io.zgrnet;

import io.zgrnet.noise.SessionKeys;
import io.zgrnet.peer.ProtocolLimits;
import io.zgrnet.peer.Session;
import io.zgrnet.wire.TransportHeader;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * A transport session as the transport tracks it: the protocol {@link Session} plus whose it is,
 * when it began, who started it, and whether the peer has proven it with an authenticated packet.
 *
 * <p>Threads: senders call {@link #seal} concurrently (counters from the peer's one atomic counter);
 * decrypt workers call {@link #open} concurrently (stateless); only the in-order reader calls
 * {@link #acceptCounter} (the replay window's single owner).
 */
final class PeerSession {
    final Peer peer;
    final int localIndex;
    final boolean initiator;
    final long createdNs;
    /** Where this session's peer was when the handshake came: used until it is confirmed. */
    final Endpoint endpoint;
    /** True once an authenticated transport packet (or, for an initiator, the response) proved it. */
    volatile boolean confirmed;
    /** Unlimited: the endpoint is proven (ours as initiator, or the peer's confirmed address). */
    static final long UNLIMITED = Long.MAX_VALUE;
    /** Anti-amplification (RFC 9000 8.1): bytes the candidate may still send to its unproven endpoint. */
    private final java.util.concurrent.atomic.AtomicLong budget;
    /** The initiator's ephemeral key of a responder session (replay memory once confirmed), else null. */
    final byte[] initEphemeral;
    /** The peer's send counter when this session began (for the rekey-after-messages limit). */
    private final long firstCounter;
    private final java.util.concurrent.atomic.AtomicLong counters;
    /** {@link #seal} result: the session was retired; its slot must be dropped, not sent. */
    static final int RETIRED = Integer.MIN_VALUE;

    private final Session session;
    private volatile boolean destroyed;

    /**
     * @param budgetBytes {@link #UNLIMITED}, or what may be sent to {@code endpoint} before it is proven
     * @param initEphemeral a responder session's initiator ephemeral key, or null
     */
    PeerSession(Peer peer, SessionKeys keys, int localIndex, boolean initiator, long createdNs, Endpoint endpoint,
                long budgetBytes, byte[] initEphemeral) {
        this.peer = peer;
        this.session = new Session(keys);
        this.localIndex = localIndex;
        this.initiator = initiator;
        this.createdNs = createdNs;
        this.endpoint = endpoint;
        this.budget = new java.util.concurrent.atomic.AtomicLong(budgetBytes);
        this.initEphemeral = initEphemeral;
        this.counters = peer.nextSendCounter;
        this.firstCounter = counters.get();
    }

    /**
     * Takes {@code bytes} from the anti-amplification budget; false (nothing taken) when it does
     * not hold that many. Unlimited once proven.
     */
    boolean spend(int bytes) {
        while (true) {
            long b = budget.get();
            if (b == UNLIMITED) {
                return true;
            }
            if (b < bytes) {
                return false;
            }
            if (budget.compareAndSet(b, b - bytes)) {
                return true;
            }
        }
    }

    /** Adds to the budget what another datagram from the unproven endpoint brought (3 times its size). */
    void credit(long bytes) {
        budget.getAndUpdate(b -> b == UNLIMITED ? b : Math.min(b + bytes, UNLIMITED - 1));
    }

    /** The endpoint is proven: no more limit. */
    void proven() {
        budget.set(UNLIMITED);
    }

    /** Past its reject time or retired: never used again. */
    boolean expired(long nowNs) {
        return destroyed || nowNs - createdNs >= ProtocolLimits.REJECT_AFTER_TIME_NS;
    }

    /**
     * True when a message was sealed since this session began. The counter is the peer's, so a
     * send on another session of the peer counts too: it may say yes for nothing sent here, never
     * no for something sent.
     */
    boolean sealedSinceStart() {
        return counters.get() != firstCounter;
    }

    /** True when an initiator should start a new handshake before sending more. */
    boolean dueForRekey(long nowNs) {
        return nowNs - createdNs >= ProtocolLimits.REKEY_AFTER_TIME_NS
                || Long.compareUnsigned(counters.get() - firstCounter, ProtocolLimits.REKEY_AFTER_MESSAGES) >= 0;
    }

    /**
     * Seals a message into a full datagram at {@code dst[dstOff]}; negative when the session is spent,
     * or {@link #RETIRED} when it was retired before or during the call (nothing may be sent then).
     */
    int seal(int protocol, MemorySegment src, long srcOff, int len, MemorySegment dst, long dstOff) {
        if (destroyed) {
            return RETIRED;
        }
        long counter = counters.getAndIncrement();
        if (Long.compareUnsigned(counter, ProtocolLimits.REJECT_AFTER_MESSAGES) >= 0) {
            return io.zgrnet.peer.TransportResult.COUNTER_EXHAUSTED;
        }
        return validated(session.sealAt(counter, protocol, src, srcOff, len, dst, dstOff));
    }

    /** Seals a keepalive (empty plaintext); see {@link #seal}. */
    int sealKeepalive(MemorySegment dst, long dstOff) {
        if (destroyed) {
            return RETIRED;
        }
        return validated(session.sealAt(counters.getAndIncrement(), io.zgrnet.wire.ProtocolByte.NONE,
                MemorySegment.NULL, 0, 0, dst, dstOff));
    }

    /**
     * A sender may have read the session just before {@link #destroy()} erased its keys, so a seal
     * can run on a half- or fully-zeroed key: a datagram anyone could open. Seqlock-style check
     * after the fact: the key reads above may not move below the fence, and {@code destroy()}
     * publishes its flag before erasing; a seal that saw any erased byte therefore sees the flag.
     */
    private int validated(int n) {
        VarHandle.acquireFence();
        return destroyed ? RETIRED : n;
    }

    /**
     * Authenticates and decrypts the datagram in place (plaintext lands after the 13-byte header);
     * the replay window is not touched. Any thread.
     *
     * @return plaintext length (0 = keepalive), or negative when it does not authenticate
     */
    int open(MemorySegment segment, long off, int len) {
        return session.decrypt(segment, off, len, segment, off + TransportHeader.LENGTH);
    }

    /** Reader only: records an authenticated counter; false for a replay. */
    boolean acceptCounter(long counter) {
        return session.acceptCounter(counter);
    }

    /** Erases the keys; the session is unusable afterwards (a seal racing this one fails, see {@link #seal}). */
    void destroy() {
        destroyed = true;
        VarHandle.fullFence(); // the flag is visible before the first key byte is erased
        session.keys().sendKey().destroy();
        session.keys().receiveKey().destroy();
    }

    @Override
    public String toString() {
        return "session " + Integer.toUnsignedString(localIndex) + " with " + peer.key
                + (initiator ? " (initiator)" : " (responder)") + (confirmed ? "" : " unconfirmed");
    }
}
