package io.zgrnet.io.uring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * io_uring-specific counters of one backend (the common ones are in
 * {@link io.zgrnet.io.BackendStats}). Written by the ring-owner thread only (opaque stores, no
 * CAS); readable from any thread.
 */
public final class UringStats {
    /** The counters, with stable ids (ordinals) and labels. */
    public enum Counter {
        ENTER_CALLS("io_uring_enter calls"),
        CQES("CQEs reaped"),
        CQE_BATCHES("reaps that found at least one CQE"),
        RECEIVE_CQES("receive CQEs"),
        MULTISHOT_ARMS("multishot RECVMSG (re)armed"),
        ENOBUFS("multishot stops on ENOBUFS (buffer ring empty)"),
        BUFFERS_PROVIDED("buffers provided to the buffer ring"),
        CQ_OVERFLOWS("CQ overflow flushes"),
        ENTER_BUSY("io_uring_enter EBUSY/EAGAIN (CQ backpressure)"),
        SQ_FULL_FLUSHES("submissions forced by a full SQ"),
        SEND_WAITS("sends that waited for a free send slot"),
        ZC_NOTIFICATIONS("zero-copy notifications"),
        WAKE_COMPLETIONS("wakeup completions"),
        OWNER_CHANGES("rings rebuilt because the calling thread changed"),
        OWNER_CHANGE_FAILURES("owner changes refused: the new ring could not be set up (old ring kept)"),
        HANDLER_FAILURES("completions whose handler threw (counted, CQ head moved past them)"),
        STARVED_WAITS("receives that waited for slots to come back (pool exhausted)"),
        SQ_FULL_DEFERRED("re-arms put off to the next cycle: SQ full and the kernel refused a submit"),
        CANCEL_BY_USER_DATA("cancels sent one per operation (no ASYNC_CANCEL_ANY before 5.19)"),
        CLEANUPS_DEFERRED("closes that left the cleanup to an owner thread still inside"),
        OPERATIONS_LEAKED("operations that never completed at teardown: their memory and slots are leaked");

        private final String label;

        Counter(String label) {
            this.label = label;
        }

        /** A human-readable description. */
        public String label() {
            return label;
        }
    }

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] counters = new long[Counter.values().length];
    private final long[] maxBatch = new long[1];

    /** Adds {@code delta} (owner only). */
    public void add(Counter c, long delta) {
        int i = c.ordinal();
        LONGS.setOpaque(counters, i, (long) LONGS.getOpaque(counters, i) + delta);
    }

    /** Adds one (owner only). */
    public void increment(Counter c) {
        add(c, 1);
    }

    /** Records the size of one reaped CQE batch (owner only). */
    void batch(int cqes) {
        add(Counter.CQES, cqes);
        add(Counter.CQE_BATCHES, 1);
        if (cqes > (long) LONGS.getOpaque(maxBatch, 0)) {
            LONGS.setOpaque(maxBatch, 0, (long) cqes);
        }
    }

    /** A counter's value. */
    public long get(Counter c) {
        return (long) LONGS.getOpaque(counters, c.ordinal());
    }

    /** Largest CQE batch reaped at once. */
    public long maxBatch() {
        return (long) LONGS.getOpaque(maxBatch, 0);
    }

    /** All counters by label. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Counter c : Counter.values()) {
            out.put(c.label(), get(c));
        }
        out.put("largest CQE batch", maxBatch());
        return out;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
