package io.zgrnet.kcp;

/**
 * ikcp's receive buffer and receive queue in one ring, indexed by sequence number.
 *
 * <pre>
 *   head          nxt                          nxt + rcvWnd
 *    | queue (in order) | buffer (out of order, sparse) |
 * </pre>
 *
 * {@code [head, nxt)} is the receive queue (segments in order, waiting for the application;
 * {@code nrcv_que = nxt − head ≤ rcvWnd}); slots from {@code nxt} on hold segments that arrived
 * ahead of a gap ({@code rcv_buf}), only ever within {@code rcvWnd} of {@code nxt}. Both together
 * span at most {@code 2·rcvWnd} sequence numbers, the ring's size, so a slot is never shared and
 * a duplicate is simply a non-null slot.
 */
final class ReceiveBuffer {
    private final Segment[] ring;
    private final int mask;
    private final int window;
    private int head;
    private int nxt;
    private int held;

    /** @param window the receive window, a power of two */
    ReceiveBuffer(int window) {
        this.window = window;
        ring = new Segment[2 * window];
        mask = ring.length - 1;
    }

    /** {@code rcv_nxt}: the next sequence number expected in order. */
    int nxt() {
        return nxt;
    }

    /** Segments in the receive queue ({@code nrcv_que}). */
    int queued() {
        return nxt - head;
    }

    /** Segments held out of order ({@code nrcv_buf}). */
    int held() {
        return held;
    }

    /** ikcp_wnd_unused: the window we advertise. */
    int unusedWindow() {
        int q = queued();
        return q < window ? window - q : 0;
    }

    /** Whether a segment with this sn is already held; sn must be in [nxt, nxt + window). */
    boolean holds(int sn) {
        return ring[sn & mask] != null;
    }

    /** Stores an out-of-order or next-in-order segment (caller checked window and duplicates). */
    void store(Segment s) {
        ring[s.sn & mask] = s;
        held++;
    }

    /** Moves segments that are now in order into the queue while it has room (ikcp_parse_data). */
    void promote() {
        while (nxt - head < window) {
            Segment s = ring[nxt & mask];
            if (s == null) {
                return;
            }
            nxt++;
            held--;
        }
    }

    /**
     * ikcp_peeksize: bytes of the message at the head of the queue, or -1 if the queue is empty or
     * the message's fragments are not all there.
     */
    int peekSize() {
        if (head == nxt) {
            return -1;
        }
        Segment first = ring[head & mask];
        if (first.frg == 0) {
            return first.len;
        }
        if (nxt - head < first.frg + 1) {
            return -1;
        }
        int length = 0;
        for (int sn = head; sn != nxt; sn++) {
            Segment s = ring[sn & mask];
            length += s.len;
            if (s.frg == 0) {
                break;
            }
        }
        return length;
    }

    /** The segment at the head of the queue (the queue must not be empty). */
    Segment first() {
        return ring[head & mask];
    }

    /** Removes the head of the queue and returns it to the pool. */
    void dropFirst(SegmentPool pool) {
        int i = head & mask;
        Segment s = ring[i];
        ring[i] = null;
        head++;
        pool.release(s);
    }

    /** Returns every segment to the pool (control block released). */
    void clear(SegmentPool pool) {
        for (int i = 0; i < ring.length; i++) {
            Segment s = ring[i];
            if (s != null) {
                ring[i] = null;
                pool.release(s);
            }
        }
        head = nxt;
        held = 0;
    }
}
