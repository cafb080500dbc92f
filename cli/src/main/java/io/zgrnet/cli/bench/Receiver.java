package io.zgrnet.cli.bench;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One receiver under test: a bound loopback socket and whoever drains it (a Java thread over a
 * {@code DatagramBackend}, or an external process such as a C recvmmsg/liburing receiver). The
 * harness only asks for counter snapshots; the receiving side takes them itself, so its counters
 * are never read racily.
 */
public interface Receiver extends AutoCloseable {
    /** The address the load sender targets. */
    InetSocketAddress address();

    /** Datagrams received so far (cheap; used to detect that the receiver has drained). */
    long receivedSoFar() throws IOException;

    /**
     * Counters since open, taken by the receiving side.
     *
     * @param resetLatency start a new latency window after this snapshot
     */
    Snapshot snapshot(boolean resetLatency) throws IOException, InterruptedException;

    /** Extra facts about the last run for the report (e.g. how shards split the load), or null. */
    default String detail() {
        return null;
    }

    @Override
    void close();

    /**
     * Cumulative counters.
     *
     * @param received datagrams received
     * @param cpuNanos CPU time (user + system) of the receiving thread
     * @param calls receive system calls (io_uring_enter for rings), -1 when unknown
     * @param cqes receive CQEs reaped, -1 when not a ring
     * @param cqeBatches reaps that found CQEs, -1 when not a ring
     * @param latency one-way latency since the last reset, null when not measured
     */
    record Snapshot(long received, long cpuNanos, long calls, long cqes, long cqeBatches, LatencyHistogram latency) {
    }

    /** A kind of receiver the bench can open, or say why it cannot. */
    interface Kind {
        /** Short name for reports, e.g. "uring-multishot", "c-recvmmsg". */
        String name();

        /** Why it cannot run here, or null. */
        String unavailabilityCause();

        /**
         * Opens a receiver on loopback port 0.
         *
         * @param size expected datagram size
         * @param cpu CPU to pin the receiving thread to, or -1
         */
        Receiver open(int size, int cpu) throws IOException;
    }
}
