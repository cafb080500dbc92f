package io.zgrnet.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters of one datagram backend. Written by the backend's I/O thread only (single writer, opaque
 * stores, no locks or CAS on the hot path); readable from any thread.
 */
public final class BackendStats {
    /** The counters, with stable ids (their ordinals) and labels. */
    public enum Counter {
        DATAGRAMS_RECEIVED("datagrams received"),
        BYTES_RECEIVED("bytes received"),
        RECEIVE_CALLS("receive calls (syscalls or CQE batches)"),
        DATAGRAMS_TRUNCATED("datagrams dropped: larger than the pool's largest slot (the receive limit)"),
        RECEIVE_NO_SLOT("receives skipped: packet pool exhausted"),
        RECEIVE_ERRORS("receive errors"),
        DATAGRAMS_SENT("datagrams sent"),
        BYTES_SENT("bytes sent"),
        SEND_CALLS("send calls"),
        SEND_ERRORS("datagrams the kernel refused to send"),
        WAKEUPS("wakeups"),
        SEND_MALFORMED("datagrams dropped before sending: bad length, offset or address"),
        GSO_SENDS("sends that carried several datagrams (UDP GSO)"),
        GSO_DATAGRAMS("datagrams sent inside GSO sends"),
        GSO_REFUSED("GSO sends the kernel refused (resent one by one; GSO limited or off from then on)"),
        GRO_RECEIVES("received buffers that carried several datagrams (UDP GRO)"),
        GRO_DATAGRAMS("datagrams received inside GRO buffers"),
        LARGE_RECEIVED("datagrams received into large slots (larger than a small slot)"),
        LARGE_NO_SLOT("datagrams dropped: larger than a small slot, and no large slot free");

        private final String label;

        Counter(String label) {
            this.label = label;
        }

        /** A human-readable description. */
        public String label() {
            return label;
        }
    }

    /** Errnos above this are counted together in the last bucket. */
    private static final int MAX_ERRNO = 134;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] counters = new long[Counter.values().length];
    private final long[] sendErrorsByErrno = new long[MAX_ERRNO + 1];

    /** Adds {@code delta} to a counter (owner thread only). */
    public void add(Counter counter, long delta) {
        int i = counter.ordinal();
        LONGS.setOpaque(counters, i, (long) LONGS.getOpaque(counters, i) + delta);
    }

    /** Adds one to a counter (owner thread only). */
    public void increment(Counter counter) {
        add(counter, 1);
    }

    /** Counts one refused send with its errno, 0 when the errno is not known (owner thread only). */
    public void sendError(int errno) {
        int i = Math.min(Math.max(errno, 0), MAX_ERRNO);
        LONGS.setOpaque(sendErrorsByErrno, i, (long) LONGS.getOpaque(sendErrorsByErrno, i) + 1);
        increment(Counter.SEND_ERRORS);
    }

    /** Current value of a counter. */
    public long get(Counter counter) {
        return (long) LONGS.getOpaque(counters, counter.ordinal());
    }

    /** Refused sends by errno name, only those that occurred. */
    public Map<String, Long> sendErrorsByErrno() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i <= MAX_ERRNO; i++) {
            long n = (long) LONGS.getOpaque(sendErrorsByErrno, i);
            if (n != 0) {
                out.put(i == 0 ? "errno unknown (the portable backend sees exceptions, not errno)"
                        : io.zgrnet.sys.Errno.describe(i), n);
            }
        }
        return out;
    }

    /** A snapshot of all counters by label. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Counter c : Counter.values()) {
            out.put(c.label(), get(c));
        }
        return out;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
