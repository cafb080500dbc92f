package io.zgrnet.kcp;

/**
 * One PUSH segment held by a control block: in its send ring (queued or in flight) or its receive
 * ring (out of order or waiting for the application). Pooled: the data array is allocated once,
 * with room for one MSS, and every field is rewritten when the segment is reused.
 */
final class Segment {
    final byte[] data;
    int frg;
    int wnd;
    int ts;
    int sn;
    int una;
    int len;
    /** Send side: when the next timeout retransmission is due. */
    int resendTs;
    /** Send side: this segment's own RTO (grows with each timeout, uncapped). */
    int rto;
    /** Send side: ACK batches that skipped this segment since its last transmission. */
    int fastAck;
    /** Send side: transmissions so far. */
    int xmit;

    Segment(int capacity) {
        data = new byte[capacity];
    }

    void reset() {
        frg = 0;
        wnd = 0;
        ts = 0;
        sn = 0;
        una = 0;
        len = 0;
        resendTs = 0;
        rto = 0;
        fastAck = 0;
        xmit = 0;
    }
}
