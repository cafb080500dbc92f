package io.zgrnet.ping;

import io.zgrnet.config.Clock;
import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;

/**
 * The sending side of ping/pong: writes PINGs, matches PONGs to them and measures the round trip
 * with an injectable {@link Clock}.
 *
 * <p>Ids are sequential, so an outstanding ping lives in slot {@code id & (capacity - 1)} of a
 * fixed ring: matching is one array read, and nothing is allocated after construction. A ping
 * still outstanding when its slot is needed again is counted lost. The PING's timestamp is our own
 * clock reading at send time; the PONG must echo it unchanged, and the RTT is computed from our
 * record of it, not from what the peer echoed.
 *
 * <p>Peers are named by {@code K}, any type with value equality (the transport uses its public
 * key type; this package does not depend on it, so the transport can use this class without a
 * package cycle).
 *
 * <p>Concurrency: pings are written by a timer or the application and pongs arrive on the receive
 * thread, so every method takes this object's monitor. Pings are infrequent (a few per second per
 * peer); the lock is never contended on a data path.
 */
public final class PingTracker<K> {
    /** {@link #onPong} result: shorter than {@link Pong#LENGTH}. */
    public static final long TOO_SHORT = WireResult.TOO_SHORT;
    /** {@link #onPong} result: no outstanding ping has this id (unknown, answered already, or expired). */
    public static final long UNMATCHED = -2;
    /** {@link #onPong} result: the ping with this id went to another peer (the ping stays outstanding). */
    public static final long WRONG_PEER = -3;
    /** {@link #onPong} result: the echoed timestamp differs from the one sent (the ping stays outstanding). */
    public static final long TIMESTAMP_MISMATCH = -4;
    /** {@link #onPong} result: it came after the timeout; the ping is counted lost. */
    public static final long LATE = -5;

    private final Clock clock;
    private final long timeoutNs;
    private final int mask;
    private final int[] ids;
    private final Object[] peers;
    private final long[] sentNs;
    private final PingStats stats = new PingStats();
    private int nextId;
    private int outstanding;

    /**
     * @param clock the time source (monotonic nanoseconds)
     * @param capacity how many pings may be outstanding at once (rounded up to a power of two)
     * @param timeoutNs how long a ping waits for its pong before it counts as lost
     * @param firstId the id of the first ping (tests pick it; otherwise any value, e.g. random)
     */
    public PingTracker(Clock clock, int capacity, long timeoutNs, int firstId) {
        if (clock == null) {
            throw new IllegalArgumentException("clock: must not be null");
        }
        if (capacity < 1 || capacity > 1 << 20) {
            throw new IllegalArgumentException("capacity: must be 1..2^20, got " + capacity);
        }
        if (timeoutNs <= 0) {
            throw new IllegalArgumentException("timeoutNs: must be positive, got " + timeoutNs);
        }
        int size = Integer.highestOneBit(capacity);
        size = size < capacity ? size << 1 : size;
        this.clock = clock;
        this.timeoutNs = timeoutNs;
        this.mask = size - 1;
        this.ids = new int[size];
        this.peers = new Object[size];
        this.sentNs = new long[size];
        this.nextId = firstId;
    }

    /**
     * Writes a PING body ({@link Ping#LENGTH} bytes) for {@code peer} at {@code out[off]} and
     * records it. The caller sends it with protocol byte 70 directly over the session with
     * {@code peer}.
     *
     * @return {@link Ping#LENGTH}
     */
    public synchronized int writePing(K peer, MemorySegment out, long off) {
        if (peer == null) {
            throw new IllegalArgumentException("peer: must not be null");
        }
        int id = nextId++;
        int slot = id & mask;
        if (peers[slot] != null) {
            stats.increment(PingCounter.PINGS_LOST); // the ring came round: that one never got its pong
            outstanding--;
        }
        long now = clock.nanoTime();
        ids[slot] = id;
        peers[slot] = peer;
        sentNs[slot] = now;
        outstanding++;
        stats.increment(PingCounter.PINGS_SENT);
        return Ping.write(out, off, id, now);
    }

    /**
     * Matches a PONG body received from {@code from} (protocol byte 71, directly over the session
     * with that peer).
     *
     * @return the round-trip time in nanoseconds (&ge; 0), or {@link #TOO_SHORT}, {@link #UNMATCHED},
     *         {@link #WRONG_PEER}, {@link #TIMESTAMP_MISMATCH}, {@link #LATE}; each refusal is counted
     */
    public synchronized long onPong(K from, MemorySegment body, long off, int len) {
        if (Pong.validate(body, off, len) != WireResult.OK) {
            stats.increment(PingCounter.REFUSED_TOO_SHORT);
            return TOO_SHORT;
        }
        int id = Pong.id(body, off);
        int slot = id & mask;
        if (peers[slot] == null || ids[slot] != id) {
            stats.increment(PingCounter.REFUSED_UNMATCHED);
            return UNMATCHED;
        }
        // A wrong peer or timestamp is not the answer to our ping: keep waiting for the real one.
        if (!peers[slot].equals(from)) {
            stats.increment(PingCounter.REFUSED_WRONG_PEER);
            return WRONG_PEER;
        }
        if (Pong.timestamp(body, off) != sentNs[slot]) {
            stats.increment(PingCounter.REFUSED_TIMESTAMP_MISMATCH);
            return TIMESTAMP_MISMATCH;
        }
        long rtt = clock.nanoTime() - sentNs[slot];
        free(slot);
        if (rtt > timeoutNs) {
            stats.increment(PingCounter.REFUSED_LATE);
            stats.increment(PingCounter.PINGS_LOST);
            return LATE;
        }
        stats.increment(PingCounter.PONGS_MATCHED);
        return rtt;
    }

    /**
     * Counts every ping older than the timeout as lost and forgets it. Call it from a timer; a
     * pong that arrives later is {@link #UNMATCHED}.
     *
     * @return how many pings expired
     */
    public synchronized int expire() {
        long now = clock.nanoTime();
        int expired = 0;
        for (int slot = 0; slot <= mask; slot++) {
            if (peers[slot] != null && now - sentNs[slot] > timeoutNs) {
                free(slot);
                stats.increment(PingCounter.PINGS_LOST);
                expired++;
            }
        }
        return expired;
    }

    /**
     * Gives up on the ping with id {@code id} (its sender stopped waiting): it counts as lost, and
     * a pong for it that comes later is {@link #UNMATCHED}.
     *
     * @return true if that ping was outstanding
     */
    public synchronized boolean forget(int id) {
        int slot = id & mask;
        if (peers[slot] == null || ids[slot] != id) {
            return false;
        }
        free(slot);
        stats.increment(PingCounter.PINGS_LOST);
        return true;
    }

    /** Pings waiting for their pong. */
    public synchronized int outstanding() {
        return outstanding;
    }

    /** The counters. */
    public PingStats stats() {
        return stats;
    }

    /** A stable label for an {@link #onPong} result; {@code "RTT"} for a sample. */
    public static String resultName(long result) {
        if (result >= 0) {
            return "RTT";
        }
        return switch ((int) result) {
            case (int) TOO_SHORT -> "TOO_SHORT";
            case (int) UNMATCHED -> "UNMATCHED";
            case (int) WRONG_PEER -> "WRONG_PEER";
            case (int) TIMESTAMP_MISMATCH -> "TIMESTAMP_MISMATCH";
            case (int) LATE -> "LATE";
            default -> "UNKNOWN(" + result + ")";
        };
    }

    private void free(int slot) {
        peers[slot] = null;
        outstanding--;
    }
}
