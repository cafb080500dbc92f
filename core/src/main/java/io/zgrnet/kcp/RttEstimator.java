package io.zgrnet.kcp;

/**
 * ikcp's smoothed RTT and RTO (services.md §2.3, "RTT/RTO"): the first sample sets
 * {@code srtt = rtt, rttval = rtt/2}; later ones {@code rttval = (3·rttval + |rtt − srtt|)/4},
 * {@code srtt = max(1, (7·srtt + rtt)/8)}; then {@code rto = clamp(srtt + max(interval, 4·rttval),
 * minRto, RTO_MAX)}. A sample of 0 while srtt is 0 leaves srtt at 0, so the next sample counts as
 * the first again, exactly as in ikcp.
 *
 * <p>Arithmetic is done in longs: ikcp's 32-bit expressions would overflow only for round trips of
 * days (a peer echoing a forged {@code ts}), where our result is the clamped one.
 */
final class RttEstimator {
    private final int minRtoMs;
    private final int intervalMs;
    private long srtt;
    private long rttval;
    private int rto = KcpConstants.RTO_DEF_MS;

    RttEstimator(int minRtoMs, int intervalMs) {
        this.minRtoMs = minRtoMs;
        this.intervalMs = intervalMs;
    }

    /** Takes one sample; {@code rttMs} is {@code now − echoed ts}, already known to be ≥ 0. */
    void sample(int rttMs) {
        if (srtt == 0) {
            srtt = rttMs;
            rttval = rttMs / 2;
        } else {
            long delta = Math.abs(rttMs - srtt);
            rttval = (3 * rttval + delta) / 4;
            srtt = Math.max(1, (7 * srtt + rttMs) / 8);
        }
        long candidate = srtt + Math.max(intervalMs, 4 * rttval);
        rto = (int) Math.max(minRtoMs, Math.min(candidate, KcpConstants.RTO_MAX_MS));
    }

    /** The current retransmission timeout ({@code rx_rto}). */
    int rto() {
        return rto;
    }

    /** Smoothed RTT, 0 before the first sample. */
    int srtt() {
        return (int) srtt;
    }
}
