package io.zgrnet.peer;

/**
 * The receive-side replay filter: accepts each counter at most once within a sliding window of
 * {@link #WINDOW_SIZE} counters below the highest accepted one (zgrnet replay.go semantics).
 * For counter n and highest accepted counter max (0 initially, unsigned 64-bit):
 * n &gt; max is new; otherwise d = max - n, d &ge; 2048 is too old, else n is accepted iff it was
 * not accepted before.
 *
 * <p>{@link #check} only looks; {@link #update} records. Call {@code update} only after the
 * datagram's tag has verified, so an unauthenticated datagram can never move the window (zgrnet
 * updates before authenticating, and one forged counter 2^64-1 then kills its session).
 *
 * <p>Not thread-safe: one owner, the stage that delivers a session's datagrams in order.
 *
 * <p>Layout: a ring of 64 words indexed by absolute counter ({@code (n >>> 6) & 63}), twice the
 * window. When max advances, only the words between the old and new max are cleared; the spare 32
 * words guarantee no word still inside the window is ever cleared, so the window is exact to the
 * bit rather than WireGuard's word-granular approximation, with no shifting of the bitmap.
 */
public final class ReplayWindow {
    /** Window size in counters (protocol constant). */
    public static final int WINDOW_SIZE = 2048;

    private static final int WORD_BITS = 64;
    private static final int RING_WORDS = 2 * WINDOW_SIZE / WORD_BITS;
    private static final int RING_MASK = RING_WORDS - 1;

    private final long[] ring = new long[RING_WORDS];
    private long max;

    /** True if {@code counter} would be accepted now. Changes nothing. */
    public boolean check(long counter) {
        if (Long.compareUnsigned(counter, max) > 0) {
            return true;
        }
        long d = max - counter;
        if (Long.compareUnsigned(d, WINDOW_SIZE) >= 0) {
            return false;
        }
        return (ring[slot(counter)] & bit(counter)) == 0;
    }

    /**
     * Records {@code counter} if it is acceptable; call only for authenticated datagrams.
     *
     * @return true if accepted (and now recorded), false if replayed or too old (nothing changes)
     */
    public boolean update(long counter) {
        if (Long.compareUnsigned(counter, max) > 0) {
            advanceTo(counter);
            ring[slot(counter)] |= bit(counter);
            return true;
        }
        long d = max - counter;
        if (Long.compareUnsigned(d, WINDOW_SIZE) >= 0) {
            return false;
        }
        int slot = slot(counter);
        long bit = bit(counter);
        if ((ring[slot] & bit) != 0) {
            return false;
        }
        ring[slot] |= bit;
        return true;
    }

    /** The highest counter accepted so far (0 before any). */
    public long max() {
        return max;
    }

    /** Forgets everything, as a new session would. */
    public void reset() {
        java.util.Arrays.fill(ring, 0);
        max = 0;
    }

    /** Clears the words after max's word up to the new max's word, then moves max. */
    private void advanceTo(long counter) {
        long oldWord = max >>> 6;
        long newWord = counter >>> 6;
        long words = newWord - oldWord;
        if (words >= RING_WORDS) {
            java.util.Arrays.fill(ring, 0);
        } else {
            for (long w = oldWord + 1; w <= newWord; w++) {
                ring[(int) (w & RING_MASK)] = 0;
            }
        }
        max = counter;
    }

    private static int slot(long counter) {
        return (int) ((counter >>> 6) & RING_MASK);
    }

    private static long bit(long counter) {
        return 1L << (counter & (WORD_BITS - 1));
    }
}
