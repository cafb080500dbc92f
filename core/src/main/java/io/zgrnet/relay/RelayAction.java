package io.zgrnet.relay;

import io.zgrnet.PeerKey;
import java.lang.foreign.MemorySegment;

/**
 * What {@link RelayEngine#handle} decided, in a holder the caller reuses (no allocation per
 * datagram). Valid until the next {@code handle} call with the same holder; the segments it names
 * are the caller's input or output buffers (or the engine's BIND scratch).
 *
 * <ul>
 *   <li>{@link #FORWARD}: send {@code output[offset, offset+length)} with {@link #protocol()} (67
 *       or 68) to {@link #target()} <b>directly over the session with that peer</b>, no further
 *       route lookup. In bind mode it may come with an {@linkplain #hasAnswer() answer}.</li>
 *   <li>{@link #ANSWER}: send the output (a PONG, protocol 71) back to {@link #target()}, the peer
 *       it came from, over the same session.</li>
 *   <li>{@link #DELIVER}: process {@code input[innerOffset, innerOffset+innerLength)} as a zgrnet
 *       datagram (type 1, 2 or 4) that arrived through the neighbour {@link #via()}, claiming to
 *       be from the key at {@code input[sourceOffset]}.</li>
 *   <li>{@link #PASS}: not the relay's business; hand {@code protocol · body} to the application
 *       unchanged (PONG, BIND/ALIAS outside bind mode, any other protocol byte).</li>
 *   <li>{@link #REFUSED}: drop it; {@link #reason()} says why (already counted).</li>
 * </ul>
 */
public final class RelayAction {
    /** Dropped; see {@link #reason()}. */
    public static final int REFUSED = -1;
    /** Not for the relay: give it to the application. */
    public static final int PASS = 0;
    /** Send the output to the next hop. */
    public static final int FORWARD = 1;
    /** Send the output back to the sender. */
    public static final int ANSWER = 2;
    /** Process the inner datagram locally. */
    public static final int DELIVER = 3;

    private int kind;
    private RelayCounter reason;
    private PeerKey target;
    private int protocol;
    private MemorySegment output;
    private long offset;
    private int length;
    private int answerProtocol;
    private MemorySegment answerSegment;
    private long answerOffset;
    private int answerLength;
    private PeerKey via;
    private MemorySegment input;
    private long sourceOffset;
    private long innerOffset;
    private int innerLength;

    /** A holder to pass to {@link RelayEngine#handle} again and again. */
    public RelayAction() {
    }

    /** {@link #REFUSED}, {@link #PASS}, {@link #FORWARD}, {@link #ANSWER} or {@link #DELIVER}. */
    public int kind() {
        return kind;
    }

    /** Why it was refused; null unless {@link #REFUSED}. */
    public RelayCounter reason() {
        return reason;
    }

    /** FORWARD: the next hop; ANSWER: the sender. A listed {@link PeerDirectory} instance. */
    public PeerKey target() {
        return target;
    }

    /** FORWARD/ANSWER: the protocol byte to send with. */
    public int protocol() {
        return protocol;
    }

    /** FORWARD/ANSWER: the segment holding the body to send (the caller's output buffer). */
    public MemorySegment output() {
        return output;
    }

    /** FORWARD/ANSWER: where the body starts in {@link #output()}. */
    public long offset() {
        return offset;
    }

    /** FORWARD/ANSWER: the body length. */
    public int length() {
        return length;
    }

    /** FORWARD in bind mode: true if a RELAY_0_BIND must also go back to the sender. */
    public boolean hasAnswer() {
        return answerLength > 0;
    }

    /** The extra answer's protocol byte (72). */
    public int answerProtocol() {
        return answerProtocol;
    }

    /** The extra answer's body: the engine's scratch, valid until its next {@code handle}. */
    public MemorySegment answerSegment() {
        return answerSegment;
    }

    /** Where the extra answer starts in {@link #answerSegment()}. */
    public long answerOffset() {
        return answerOffset;
    }

    /** The extra answer's length; 0 if none. */
    public int answerLength() {
        return answerLength;
    }

    /** DELIVER: the neighbour that delivered the RELAY_2 (answers to a relayed init go back through it). */
    public PeerKey via() {
        return via;
    }

    /** DELIVER: the caller's input segment holding the source key and the inner datagram. */
    public MemorySegment input() {
        return input;
    }

    /** DELIVER: where the claimed 32-byte source key starts in {@link #input()}. Unverified. */
    public long sourceOffset() {
        return sourceOffset;
    }

    /** DELIVER: where the inner datagram starts in {@link #input()}. */
    public long innerOffset() {
        return innerOffset;
    }

    /** DELIVER: the inner datagram's length (&ge; 1). */
    public int innerLength() {
        return innerLength;
    }

    void reset() {
        kind = REFUSED;
        reason = null;
        target = null;
        protocol = -1;
        output = null;
        offset = 0;
        length = 0;
        answerProtocol = -1;
        answerSegment = null;
        answerOffset = 0;
        answerLength = 0;
        via = null;
        input = null;
        sourceOffset = 0;
        innerOffset = 0;
        innerLength = 0;
    }

    int refuse(RelayCounter why) {
        kind = REFUSED;
        reason = why;
        return REFUSED;
    }

    int pass() {
        kind = PASS;
        return PASS;
    }

    int send(int how, PeerKey to, int proto, MemorySegment out, long off, int len) {
        kind = how;
        target = to;
        protocol = proto;
        output = out;
        offset = off;
        length = len;
        return how;
    }

    void answer(int proto, MemorySegment seg, long off, int len) {
        answerProtocol = proto;
        answerSegment = seg;
        answerOffset = off;
        answerLength = len;
    }

    int deliver(PeerKey from, MemorySegment in, long srcOff, long innerOff, int innerLen) {
        kind = DELIVER;
        via = from;
        input = in;
        sourceOffset = srcOff;
        innerOffset = innerOff;
        innerLength = innerLen;
        return DELIVER;
    }

    /** For logs and test failures. */
    @Override
    public String toString() {
        return switch (kind) {
            case REFUSED -> "REFUSED(" + reason + ")";
            case PASS -> "PASS";
            case FORWARD, ANSWER -> (kind == FORWARD ? "FORWARD" : "ANSWER") + "[to=" + target + ", protocol="
                    + protocol + ", length=" + length + (hasAnswer() ? ", +answer " + answerProtocol : "") + "]";
            case DELIVER -> "DELIVER[via=" + via + ", inner=" + innerLength + " bytes]";
            default -> "UNKNOWN(" + kind + ")";
        };
    }
}
