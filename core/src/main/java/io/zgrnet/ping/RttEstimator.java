package io.zgrnet.ping;

import java.util.concurrent.TimeUnit;

/**
 * Round-trip time of one peer from ping samples, as RFC 6298 §2 computes it, in nanoseconds:
 * the first sample R sets {@code srtt = R, rttvar = R/2}; each later one sets
 * {@code rttvar = 3/4 rttvar + 1/4 |srtt - R|} (with the old srtt), then
 * {@code srtt = 7/8 srtt + 1/8 R}; {@code rto = srtt + max(G, 4 rttvar)}, clamped to
 * [minRto, maxRto]. Before any sample the RTO is the initial one (RFC: 1 s). {@link #backoff}
 * doubles it after a loss (RFC 6298 §5.5). Also keeps the last and the smallest sample.
 *
 * <p>Integer arithmetic (division truncates). Not thread-safe: one owner per peer, e.g. the thread
 * that matches that peer's pongs.
 */
public final class RttEstimator {
    /** RFC 6298's initial RTO: 1 s. */
    public static final long DEFAULT_INITIAL_RTO_NS = TimeUnit.SECONDS.toNanos(1);
    /** RFC 6298's lower bound: 1 s. */
    public static final long DEFAULT_MIN_RTO_NS = TimeUnit.SECONDS.toNanos(1);
    /** RFC 6298 allows any upper bound of at least 60 s. */
    public static final long DEFAULT_MAX_RTO_NS = TimeUnit.SECONDS.toNanos(60);
    /** Clock granularity G: a 1 ms timer tick. */
    public static final long DEFAULT_GRANULARITY_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final long granularityNs;
    private final long minRtoNs;
    private final long maxRtoNs;
    private long srttNs;
    private long rttvarNs;
    private long rtoNs;
    private long lastRttNs = -1;
    private long minRttNs = -1;
    private long samples;

    /** RFC 6298's defaults: initial and minimum RTO 1 s, maximum 60 s, G = 1 ms. */
    public RttEstimator() {
        this(DEFAULT_INITIAL_RTO_NS, DEFAULT_MIN_RTO_NS, DEFAULT_MAX_RTO_NS, DEFAULT_GRANULARITY_NS);
    }

    /**
     * @param initialRtoNs the RTO before the first sample
     * @param minRtoNs lower bound of the RTO
     * @param maxRtoNs upper bound of the RTO
     * @param granularityNs the clock granularity G
     */
    public RttEstimator(long initialRtoNs, long minRtoNs, long maxRtoNs, long granularityNs) {
        if (minRtoNs < 0 || maxRtoNs < minRtoNs) {
            throw new IllegalArgumentException("minRtoNs/maxRtoNs: need 0 <= min <= max, got " + minRtoNs + ", "
                    + maxRtoNs);
        }
        if (initialRtoNs < minRtoNs || initialRtoNs > maxRtoNs) {
            throw new IllegalArgumentException("initialRtoNs: must be within [minRtoNs, maxRtoNs], got "
                    + initialRtoNs);
        }
        if (granularityNs < 0) {
            throw new IllegalArgumentException("granularityNs: must be >= 0, got " + granularityNs);
        }
        this.granularityNs = granularityNs;
        this.minRtoNs = minRtoNs;
        this.maxRtoNs = maxRtoNs;
        this.rtoNs = initialRtoNs;
    }

    /**
     * Adds one measurement.
     *
     * @return false (and nothing changes) for a negative sample
     */
    public boolean sample(long rttNs) {
        if (rttNs < 0) {
            return false;
        }
        if (samples == 0) {
            srttNs = rttNs;
            rttvarNs = rttNs / 2;
        } else {
            // RFC 6298 2.3: rttvar first, from the srtt before this sample.
            rttvarNs = (3 * rttvarNs + Math.abs(srttNs - rttNs)) / 4;
            srttNs = (7 * srttNs + rttNs) / 8;
        }
        rtoNs = clamp(srttNs + Math.max(granularityNs, 4 * rttvarNs));
        lastRttNs = rttNs;
        minRttNs = minRttNs < 0 ? rttNs : Math.min(minRttNs, rttNs);
        samples++;
        return true;
    }

    /** After a loss: doubles the RTO, up to the maximum (RFC 6298 5.5). Srtt and rttvar stay. */
    public void backoff() {
        rtoNs = rtoNs > maxRtoNs / 2 ? maxRtoNs : clamp(rtoNs * 2);
    }

    /** The smoothed RTT; 0 before the first sample. */
    public long srttNs() {
        return srttNs;
    }

    /** The RTT variation; 0 before the first sample. */
    public long rttvarNs() {
        return rttvarNs;
    }

    /** The retransmission timeout the estimate implies. */
    public long rtoNs() {
        return rtoNs;
    }

    /** The latest sample; -1 before the first. */
    public long lastRttNs() {
        return lastRttNs;
    }

    /** The smallest sample; -1 before the first. */
    public long minRttNs() {
        return minRttNs;
    }

    /** How many samples were taken. */
    public long samples() {
        return samples;
    }

    private long clamp(long v) {
        return Math.min(maxRtoNs, Math.max(minRtoNs, v));
    }

    @Override
    public String toString() {
        return "RttEstimator[srtt=" + srttNs + "ns, rttvar=" + rttvarNs + "ns, rto=" + rtoNs + "ns, last="
                + lastRttNs + "ns, samples=" + samples + "]";
    }
}
