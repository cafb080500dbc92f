package io.zgrnet.kcp;

/**
 * ikcp's send queue and send buffer in one ring, indexed by sequence number.
 *
 * <pre>
 *   una            nxt                 end
 *    | in flight     | queued (no sn yet) |
 * </pre>
 *
 * Slots {@code [una, nxt)} hold segments in flight, or null once selectively acknowledged;
 * {@code una} is always the oldest unacknowledged one (ikcp's {@code snd_una} after
 * {@code shrink_buf}). Slots {@code [nxt, end)} are queued messages, which get {@code sn = slot}
 * when the window admits them, as ikcp assigns {@code snd_nxt++} in queue order.
 *
 * <p>The ring bounds everything not yet acknowledged: {@link #free()} is what a new message may
 * use. ikcp's send queue is unbounded; this bound is our back-pressure. Sequence numbers wrap at
 * 2^32; every comparison is a wrapping difference.
 */
final class SendBuffer {
    private final Segment[] ring;
    private final int mask;
    private int una;
    private int nxt;
    private int end;
    private int inFlight;

    /** @param capacity a power of two */
    SendBuffer(int capacity) {
        ring = new Segment[capacity];
        mask = capacity - 1;
    }

    int una() {
        return una;
    }

    int nxt() {
        return nxt;
    }

    /** Messages' segments waiting for the window ({@code nsnd_que}). */
    int queued() {
        return end - nxt;
    }

    /** Segments sent and not acknowledged ({@code nsnd_buf}). */
    int inFlight() {
        return inFlight;
    }

    /** Slots a new message may take. */
    int free() {
        return ring.length - (end - una);
    }

    void enqueue(Segment s) {
        ring[end & mask] = s;
        end++;
    }

    /** Moves the oldest queued segment into flight and gives it the next sequence number. */
    Segment admit() {
        Segment s = ring[nxt & mask];
        s.sn = nxt;
        nxt++;
        inFlight++;
        return s;
    }

    /** The in-flight segment with this sn, or null if acknowledged; sn must be in [una, nxt). */
    Segment inFlightAt(int sn) {
        return ring[sn & mask];
    }

    /** ikcp_parse_una: everything before {@code peerUna} has arrived. */
    void acknowledgeBelow(int peerUna, SegmentPool pool) {
        for (int sn = una; sn != nxt && peerUna - sn > 0; sn++) {
            releaseSlot(sn, pool);
        }
    }

    /** ikcp_parse_ack: one segment has arrived (ignored outside [una, nxt)). */
    void acknowledge(int sn, SegmentPool pool) {
        if (sn - una < 0 || sn - nxt >= 0) {
            return;
        }
        releaseSlot(sn, pool);
    }

    /** ikcp_shrink_buf: {@code una} moves to the oldest segment still in flight, or to nxt. */
    void shrink() {
        while (una != nxt && ring[una & mask] == null) {
            una++;
        }
    }

    /**
     * ikcp_parse_fastack with IKCP_FASTACK_CONSERVE: every in-flight segment before
     * {@code maxAck} that was sent no later than the acknowledged one was skipped once more.
     *
     * @return whether a segment is now due for fast retransmission
     */
    boolean countSkips(int maxAck, int maxAckTs) {
        if (maxAck - una < 0 || maxAck - nxt >= 0) {
            return false;
        }
        boolean due = false;
        for (int sn = una; maxAck - sn > 0; sn++) {
            Segment s = ring[sn & mask];
            if (s != null && maxAckTs - s.ts >= 0) {
                s.fastAck++;
                due |= s.fastAck >= KcpConstants.FAST_RESEND && s.xmit <= KcpConstants.FASTACK_LIMIT;
            }
        }
        return due;
    }

    /** Returns every segment to the pool (control block released). */
    void clear(SegmentPool pool) {
        for (int sn = una; sn != end; sn++) {
            Segment s = ring[sn & mask];
            if (s != null) {
                ring[sn & mask] = null;
                pool.release(s);
            }
        }
        una = nxt = end;
        inFlight = 0;
    }

    private void releaseSlot(int sn, SegmentPool pool) {
        int i = sn & mask;
        Segment s = ring[i];
        if (s != null) {
            ring[i] = null;
            inFlight--;
            pool.release(s);
        }
    }
}
