package io.zgrnet.peer;

import io.zgrnet.crypto.AeadKey;
import io.zgrnet.crypto.ChaChaPoly;
import io.zgrnet.noise.SessionKeys;
import io.zgrnet.wire.ProtocolByte;
import io.zgrnet.wire.TransportHeader;
import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A transport session: turns payloads into type-4 datagrams and back, with the keys of one finished
 * handshake. Datagram: {@code 04 · receiver index · counter · AEAD(key, LE64(counter)||0^4, ad = "",
 * protocol byte · payload)}; an empty plaintext is a keepalive.
 *
 * <p>Concurrency. Send side: any number of threads may call {@link #seal}; each call takes a
 * unique counter from one {@link AtomicLong}. Receive side: one owner, the stage that delivers
 * this session's datagrams in order, calls {@link #open} (or {@link #acceptCounter}), because the
 * {@link ReplayWindow} is not thread-safe. {@link #decrypt} touches no session state and may run
 * on any thread, e.g. parallel decrypt workers followed by {@code acceptCounter} on the owner.
 *
 * <p>Nothing here allocates or throws for a malformed datagram: results are lengths (&ge; 0) or
 * {@link TransportResult} codes. Arguments that only a programming error can produce (a protocol
 * outside 0..255, a destination too small) throw.
 */
public final class Session {
    private final SessionKeys keys;
    private final AeadKey sendKey;
    private final AeadKey receiveKey;
    private final int localIndex;
    private final int remoteIndex;
    private final AtomicLong nextSendCounter = new AtomicLong();
    private final ReplayWindow window = new ReplayWindow();

    /** A session over the keys of a finished handshake, sending from counter 0. */
    public Session(SessionKeys keys) {
        this(keys, 0);
    }

    /** Tests: a session whose send counter starts at {@code firstSendCounter} (to reach the limits). */
    Session(SessionKeys keys, long firstSendCounter) {
        this.keys = keys;
        this.nextSendCounter.set(firstSendCounter);
        this.sendKey = keys.sendKey();
        this.receiveKey = keys.receiveKey();
        this.localIndex = keys.localIndex();
        this.remoteIndex = keys.remoteIndex();
    }

    /** The handshake's result this session runs on. */
    public SessionKeys keys() {
        return keys;
    }

    /** Our index: incoming datagrams for this session carry it. */
    public int localIndex() {
        return localIndex;
    }

    /** The peer's index: outgoing datagrams carry it. */
    public int remoteIndex() {
        return remoteIndex;
    }

    /**
     * The counter the next {@link #seal} will take (unsigned), i.e. how many counters were taken.
     * Compare with {@link ProtocolLimits#REKEY_AFTER_MESSAGES} to decide on a rekey.
     */
    public long nextSendCounter() {
        return nextSendCounter.get();
    }

    /**
     * Seals {@code protocol · payload} into a complete datagram at {@code dst[dstOff]}, using the
     * next counter. Thread-safe. The payload may already sit at {@code dst[dstOff + 14]} (the
     * zero-copy layout); other overlaps are also handled.
     *
     * @param protocol 0..255, or {@link ProtocolByte#NONE} for a keepalive (payloadLen must be 0)
     * @param payload the payload's segment ({@link MemorySegment#NULL} if payloadLen is 0)
     * @param dst needs {@code payloadLen + }{@link TransportHeader#OVERHEAD} bytes at {@code dstOff}
     * @return the datagram length, or {@link TransportResult#PAYLOAD_TOO_LARGE},
     *         {@link TransportResult#COUNTER_EXHAUSTED} (the session must be replaced)
     */
    public int seal(int protocol, MemorySegment payload, long payloadOff, int payloadLen, MemorySegment dst,
                    long dstOff) {
        checkPlaintext(protocol, payloadLen);
        if (payloadLen > TransportHeader.MAX_PAYLOAD_LENGTH) {
            return TransportResult.PAYLOAD_TOO_LARGE;
        }
        long counter = nextSendCounter.getAndIncrement();
        // Refused calls keep incrementing; 2^64 of them cannot happen, so the counter cannot wrap.
        if (Long.compareUnsigned(counter, ProtocolLimits.REJECT_AFTER_MESSAGES) >= 0) {
            return TransportResult.COUNTER_EXHAUSTED;
        }
        return sealAt(counter, protocol, payload, payloadOff, payloadLen, dst, dstOff);
    }

    /** Seals an empty plaintext (a 29-byte keepalive) with the next counter; see {@link #seal}. */
    public int sealKeepalive(MemorySegment dst, long dstOff) {
        return seal(ProtocolByte.NONE, MemorySegment.NULL, 0, 0, dst, dstOff);
    }

    /**
     * Seals with an explicit counter, for a pipeline that assigns counters in order and encrypts in
     * parallel, and for test vectors. The caller must never use a counter twice with this session
     * (that would reuse a nonce) nor mix this with {@link #seal} unless counters are partitioned.
     *
     * @return the datagram length, or {@link TransportResult#PAYLOAD_TOO_LARGE}, or {@link
     *         TransportResult#COUNTER_EXHAUSTED} for counters &ge; 2^64 - 2 (unsigned)
     */
    public int sealAt(long counter, int protocol, MemorySegment payload, long payloadOff, int payloadLen,
                      MemorySegment dst, long dstOff) {
        checkPlaintext(protocol, payloadLen);
        if (payloadLen > TransportHeader.MAX_PAYLOAD_LENGTH) {
            return TransportResult.PAYLOAD_TOO_LARGE;
        }
        if (Long.compareUnsigned(counter, ProtocolLimits.MAX_COUNTER_EXCLUSIVE) >= 0) {
            return TransportResult.COUNTER_EXHAUSTED;
        }
        long plaintextOff = dstOff + TransportHeader.LENGTH;
        int plaintextLen = 0;
        if (protocol != ProtocolByte.NONE) {
            // Payload first (copy has memmove semantics), so no write below can clobber its source.
            if (payloadLen > 0 && !(payload == dst && payloadOff == plaintextOff + 1)) {
                MemorySegment.copy(payload, payloadOff, dst, plaintextOff + 1, payloadLen);
            }
            dst.set(ValueLayout.JAVA_BYTE, plaintextOff, (byte) protocol);
            plaintextLen = payloadLen + 1;
        }
        TransportHeader.write(dst, dstOff, remoteIndex, counter);
        int sealed = ChaChaPoly.seal(sendKey, counter, MemorySegment.NULL, 0, 0,
                dst, plaintextOff, plaintextLen, dst, plaintextOff);
        return TransportHeader.LENGTH + sealed;
    }

    /**
     * Opens a datagram for this session: checks it, decrypts it into {@code dst[dstOff]}, and only
     * after the tag verifies records its counter in the replay window. Receive-side owner only.
     *
     * <p>On success {@code dst} holds the plaintext: length 0 is a keepalive; otherwise
     * {@code dst[dstOff]} is the protocol byte and the payload is the {@code n - 1} bytes after it.
     * In-place is allowed: {@code dst == src, dstOff == off + }{@link TransportHeader#LENGTH}.
     *
     * @return the plaintext length, or {@link TransportResult#TOO_SHORT}, {@link
     *         TransportResult#WRONG_TYPE}, {@link TransportResult#WRONG_INDEX}, {@link
     *         TransportResult#REPLAYED}, {@link TransportResult#DECRYPT_FAILED}; on any failure the
     *         replay window is unchanged
     */
    public int open(MemorySegment src, long off, int len, MemorySegment dst, long dstOff) {
        int r = TransportHeader.validate(src, off, len);
        if (r != WireResult.OK) {
            return r;
        }
        if (TransportHeader.receiverIndex(src, off) != localIndex) {
            return TransportResult.WRONG_INDEX;
        }
        long counter = TransportHeader.counter(src, off);
        // Cheap early drop of replays; looks only, so a forged counter cannot move anything.
        if (!window.check(counter)) {
            return TransportResult.REPLAYED;
        }
        int n = ChaChaPoly.open(receiveKey, counter, MemorySegment.NULL, 0, 0,
                src, off + TransportHeader.LENGTH, len - TransportHeader.LENGTH, dst, dstOff);
        if (n < 0) {
            return TransportResult.DECRYPT_FAILED;
        }
        // Authentic: now, and only now, the window moves. Always true for a single owner.
        return window.update(counter) ? n : TransportResult.REPLAYED;
    }

    /**
     * The stateless half of {@link #open}: checks and decrypts without consulting or changing the
     * replay window. Any thread. A success must be followed by {@link #acceptCounter} on the
     * receive-side owner before the payload is delivered.
     *
     * @return the plaintext length (see {@link #open}), or a negative {@link TransportResult}
     */
    public int decrypt(MemorySegment src, long off, int len, MemorySegment dst, long dstOff) {
        int r = TransportHeader.validate(src, off, len);
        if (r != WireResult.OK) {
            return r;
        }
        if (TransportHeader.receiverIndex(src, off) != localIndex) {
            return TransportResult.WRONG_INDEX;
        }
        long counter = TransportHeader.counter(src, off);
        int n = ChaChaPoly.open(receiveKey, counter, MemorySegment.NULL, 0, 0,
                src, off + TransportHeader.LENGTH, len - TransportHeader.LENGTH, dst, dstOff);
        return n < 0 ? TransportResult.DECRYPT_FAILED : n;
    }

    /**
     * Records the counter of a datagram that {@link #decrypt} authenticated. Receive-side owner
     * only; never call it for an unauthenticated counter.
     *
     * @return true to deliver, false if it is a replay or too old (drop it)
     */
    public boolean acceptCounter(long counter) {
        return window.update(counter);
    }

    /** The highest counter received so far (unsigned; 0 before any). Receive-side owner only. */
    public long maxReceivedCounter() {
        return window.max();
    }

    private static void checkPlaintext(int protocol, int payloadLen) {
        if (!ProtocolByte.isValid(protocol)) {
            throw new IllegalArgumentException("protocol must be 0..255 or ProtocolByte.NONE, got " + protocol);
        }
        if (payloadLen < 0 || (protocol == ProtocolByte.NONE && payloadLen != 0)) {
            throw new IllegalArgumentException("payloadLen " + payloadLen + " with protocol " + protocol);
        }
    }

    /** Indices only, never key material. */
    @Override
    public String toString() {
        return "Session[local=" + Integer.toUnsignedString(localIndex) + ", remote="
                + Integer.toUnsignedString(remoteIndex) + "]";
    }
}
