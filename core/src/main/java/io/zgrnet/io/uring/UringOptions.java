package io.zgrnet.io.uring;

/**
 * Tuning of the io_uring backend. Validated in one place (the compact constructor); each error
 * names the option.
 *
 * @param receiveMode how receives are kept in flight
 * @param receiveDepth ARMED: RECVMSG operations kept in flight; MULTISHOT: provided-buffer ring
 *        entries (rounded down to a power of two and to half the pool)
 * @param sendDepth SENDMSG operations that may be in flight at once
 * @param sqEntries submission queue size
 * @param cqEntries completion queue size (at least {@code receiveDepth + 2 * sendDepth + 8}, so
 *        in-flight operations cannot overflow it)
 * @param sqpoll use a kernel SQ polling thread (off by default; see {@link Ring})
 * @param sqpollIdleMillis SQPOLL thread idle time before it sleeps
 * @param registerFiles register the socket and eventfd as fixed files (IOSQE_FIXED_FILE)
 * @param zeroCopySend send with IORING_OP_SEND_ZC from the registered pool slab (kernel 6.0)
 * @param sendTo send with IORING_OP_SEND and the destination in addr2 (sendto semantics, kernel
 *        6.1) instead of SENDMSG; used only where the probe allows it
 */
public record UringOptions(ReceiveMode receiveMode, int receiveDepth, int sendDepth, int sqEntries, int cqEntries,
                           boolean sqpoll, int sqpollIdleMillis, boolean registerFiles, boolean zeroCopySend,
                           boolean sendTo) {
    /** How the backend keeps receives in flight. */
    public enum ReceiveMode {
        /**
         * N single-shot IORING_OP_RECVMSG, each over its own pool slot and msghdr, re-armed when
         * reaped (kernel 5.3; 5.7 for FAST_POLL).
         */
        ARMED,
        /**
         * One multishot IORING_OP_RECVMSG over a provided-buffer ring of pool slots (kernel 6.0).
         */
        MULTISHOT
    }

    /** Default in-flight receive operations / buffer ring entries. */
    public static final int DEFAULT_RECEIVE_DEPTH = 256;
    /**
     * Default send opcode: SENDMSG (kernel 5.3). SEND with a destination (6.1) measured no cheaper
     * (docs/benchmarks/uring.md), so the older, wider-supported opcode stays the default.
     */
    public static final boolean DEFAULT_SEND_TO = false;
    /** Default in-flight sends. */
    public static final int DEFAULT_SEND_DEPTH = 256;

    /** Validates every option. */
    public UringOptions {
        if (receiveMode == null) {
            throw new IllegalArgumentException("receiveMode must not be null");
        }
        if (receiveDepth < 1 || receiveDepth > 32768) {
            throw new IllegalArgumentException("receiveDepth must be 1..32768, got " + receiveDepth);
        }
        if (sendDepth < 1 || sendDepth > 32768) {
            throw new IllegalArgumentException("sendDepth must be 1..32768, got " + sendDepth);
        }
        if (sqEntries < 8 || sqEntries > 32768) {
            throw new IllegalArgumentException("sqEntries must be 8..32768, got " + sqEntries);
        }
        if (cqEntries < sqEntries || cqEntries > 65536) {
            throw new IllegalArgumentException("cqEntries must be sqEntries..65536, got " + cqEntries);
        }
        if (cqEntries < receiveDepth + 2 * sendDepth + 8) {
            throw new IllegalArgumentException("cqEntries must be >= receiveDepth + 2 * sendDepth + 8 = "
                    + (receiveDepth + 2 * sendDepth + 8) + ", got " + cqEntries);
        }
        if (sqpollIdleMillis < 0) {
            throw new IllegalArgumentException("sqpollIdleMillis must be >= 0, got " + sqpollIdleMillis);
        }
    }

    /** The defaults for {@code mode}: depth 256 each way, SQ 512, CQ 4096, fixed files, no SQPOLL, no ZC. */
    public static UringOptions defaults(ReceiveMode mode) {
        return new UringOptions(mode, DEFAULT_RECEIVE_DEPTH, DEFAULT_SEND_DEPTH, 512, 4096, false, 0, true, false,
                DEFAULT_SEND_TO);
    }

    /** The default options (receive mode {@link #DEFAULT_MODE}). */
    public static UringOptions defaults() {
        return defaults(DEFAULT_MODE);
    }

    /**
     * The default receive mode: multishot, which measured faster on this project's reference machine
     * (docs/benchmarks/uring.md): one SQE and no per-datagram re-arm, buffers picked by the kernel.
     */
    public static final ReceiveMode DEFAULT_MODE = ReceiveMode.MULTISHOT;

    /** A copy with another receive mode. */
    public UringOptions withReceiveMode(ReceiveMode mode) {
        return new UringOptions(mode, receiveDepth, sendDepth, sqEntries, cqEntries, sqpoll, sqpollIdleMillis,
                registerFiles, zeroCopySend, sendTo);
    }

    /** A copy with another receive depth. */
    public UringOptions withReceiveDepth(int depth) {
        return new UringOptions(receiveMode, depth, sendDepth, sqEntries, cqEntries, sqpoll, sqpollIdleMillis,
                registerFiles, zeroCopySend, sendTo);
    }

    /** A copy with zero-copy send on or off. */
    public UringOptions withZeroCopySend(boolean zc) {
        return new UringOptions(receiveMode, receiveDepth, sendDepth, sqEntries, cqEntries, sqpoll, sqpollIdleMillis,
                registerFiles, zc, sendTo);
    }

    /** A copy with SQPOLL on or off. */
    public UringOptions withSqpoll(boolean on, int idleMillis) {
        return new UringOptions(receiveMode, receiveDepth, sendDepth, sqEntries, cqEntries, on, idleMillis,
                registerFiles, zeroCopySend, sendTo);
    }

    /** A copy with SEND-with-address (sendto) on or off. */
    public UringOptions withSendTo(boolean on) {
        return new UringOptions(receiveMode, receiveDepth, sendDepth, sqEntries, cqEntries, sqpoll, sqpollIdleMillis,
                registerFiles, zeroCopySend, on);
    }

    /** A copy with other SQ and CQ sizes. */
    public UringOptions withRing(int sqEntries, int cqEntries) {
        return new UringOptions(receiveMode, receiveDepth, sendDepth, sqEntries, cqEntries, sqpoll, sqpollIdleMillis,
                registerFiles, zeroCopySend, sendTo);
    }
}
