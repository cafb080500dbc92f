package io.zgrnet.cli.bench;

import io.zgrnet.IOMode;
import io.zgrnet.MessageHandler;
import io.zgrnet.PeerKey;
import io.zgrnet.TransportConfig;
import io.zgrnet.io.SocketOptions;
import io.zgrnet.io.SocketOptionsReport;
import io.zgrnet.TransportCounter;
import io.zgrnet.UDP;
import io.zgrnet.io.BackendSelector;
import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/*
 * Threads: the harness thread writes as fast as the send queue accepts (spinning when full); a
 * reader thread drains B with poll and publishes its count through a volatile field; each
 * transport runs its own I/O agent and decrypt workers. The pair lives for all runs of a row.
 */

/** End to end: two zgrnet-java transports with encryption on loopback, one peer writing to the other. */
public final class E2eBench {
    /**
     * One row.
     *
     * @param backend the transport's backend (as it reports itself)
     * @param size payload bytes
     * @param workers decrypt workers of each transport
     * @param offeredPps the writer's pace in messages per second; 0: as fast as it can
     * @param durationSeconds measured seconds per run
     * @param runs runs summarised
     * @param pps messages delivered to the reader per second
     * @param megabytesPerSecond payload MB/s delivered (10^6 bytes)
     * @param lossPercent messages accepted by writeTo but not delivered during the run
     * @param note why the row is empty
     */
    public record Row(String backend, int size, int workers, long offeredPps, double durationSeconds, int runs,
                      Spread pps,
                      Spread megabytesPerSecond, Spread lossPercent, String note) {
    }

    private final double seconds;
    private final double warmupSeconds;
    private final int runs;
    private final SocketOptions socketOptions;
    private final long ratePps;

    /**
     * @param seconds measured seconds per run
     * @param warmupSeconds unmeasured writing before the runs
     * @param runs runs per row
     * @param udpGro request UDP_GRO on both transports' sockets
     * @param ratePps messages per second the writer offers; 0: as fast as it can (UDP has no
     *     backpressure, so an unpaced writer measures the receiver's maximum and its loss)
     */
    public E2eBench(double seconds, double warmupSeconds, int runs, boolean udpGro, long ratePps) {
        if (ratePps < 0) {
            throw new IllegalArgumentException("ratePps must be >= 0, got " + ratePps);
        }
        this.ratePps = ratePps;
        this.seconds = seconds;
        this.warmupSeconds = warmupSeconds;
        this.runs = runs;
        this.socketOptions = SocketOptions.builder().udpGro(udpGro).build();
    }

    /** Measures one backend, size and worker count. */
    public Row measure(IOMode mode, int size, int workers, Consumer<String> progress) throws Exception {
        String label = mode.name().toLowerCase(java.util.Locale.ROOT);
        String cause = BackendSelector.unavailabilityCause(mode);
        if (cause != null) {
            Spread none = Spread.of();
            return new Row(label, size, workers, ratePps, seconds, 0, none, none, none, "unavailable: " + cause);
        }
        SecureRandom random = new SecureRandom();
        byte[] ka = new byte[32];
        byte[] kb = new byte[32];
        random.nextBytes(ka);
        random.nextBytes(kb);
        try (UDP a = UDP.open(TransportConfig.builder().privateKey(ka).ioMode(mode).socketOptions(socketOptions)
                        .decryptWorkers(workers).build());
                UDP b = UDP.open(TransportConfig.builder().privateKey(kb).ioMode(mode).socketOptions(socketOptions)
                        .decryptWorkers(workers).build())) {
            PeerKey bKey = b.hostInfo().publicKey();
            a.setPeerEndpoint(bKey, b.hostInfo().localAddress());
            b.setPeerEndpoint(a.hostInfo().publicKey(), a.hostInfo().localAddress());
            a.connect(bKey, Duration.ofSeconds(10));
            label = b.ioInfo().backend();
            SocketOptionsReport.Entry gro = b.ioInfo().socketOptions().entry("UDP_GRO");
            if (gro != null && gro.applied() && "on".equals(gro.requested())) {
                label += "+gro";
            }
            Reader reader = new Reader(b);
            Thread t = new Thread(reader, "bench-e2e-reader");
            t.setDaemon(true);
            t.start();
            byte[] payload = new byte[size];
            try {
                write(a, bKey, payload, (long) (warmupSeconds * 1e9), ratePps);
                double[] pps = new double[runs];
                double[] mbs = new double[runs];
                double[] loss = new double[runs];
                long kernel0 = HostStats.rcvbufErrors();
                long queue0 = b.stats().get(TransportCounter.DROP_RECEIVE_QUEUE_FULL);
                long pool0 = b.stats().get(TransportCounter.DROP_POOL_EXHAUSTED);
                for (int r = 0; r < runs; r++) {
                    progress.accept(String.format("e2e %s %d B %d worker(s) run %d/%d", label, size, workers, r + 1,
                            runs));
                    long rx0 = reader.count;
                    long t0 = System.nanoTime();
                    long written = write(a, bKey, payload, (long) (seconds * 1e9), ratePps);
                    long elapsed = System.nanoTime() - t0;
                    long rx1 = reader.count;
                    // Let the in-flight tail arrive before the next run; count it towards loss only.
                    a.flush(Duration.ofSeconds(1));
                    Thread.sleep(50);
                    long delivered = reader.count - rx0;
                    pps[r] = (rx1 - rx0) * 1e9 / elapsed;
                    mbs[r] = pps[r] * size / 1e6;
                    loss[r] = written == 0 ? Double.NaN : 100.0 * Math.max(0, written - delivered) / written;
                }
                return new Row(label, size, workers, ratePps, seconds, runs, Spread.of(pps), Spread.of(mbs), Spread.of(loss),
                        lossNote(HostStats.rcvbufErrors(), kernel0,
                                b.stats().get(TransportCounter.DROP_RECEIVE_QUEUE_FULL) - queue0,
                                b.stats().get(TransportCounter.DROP_POOL_EXHAUSTED) - pool0));
            } finally {
                reader.stop = true;
                t.join(TimeUnit.SECONDS.toMillis(2));
            }
        }
    }

    /** Messages due after {@code elapsedNanos} at {@code ratePps}: the pace of a paced writer. */
    static long due(long elapsedNanos, long ratePps) {
        return (long) ((double) elapsedNanos * ratePps / 1e9); // a double: no overflow at any rate
    }

    /**
     * Where the runs' lost messages went, or "" when nothing was dropped: the kernel's UDP receive
     * buffer overflows (RcvbufErrors, system-wide, so other traffic would count too) and the
     * receiving transport's own drops.
     */
    static String lossNote(long kernelNow, long kernelBefore, long queueFull, long poolExhausted) {
        long kernel = kernelNow < 0 || kernelBefore < 0 ? -1 : kernelNow - kernelBefore;
        if (kernel <= 0 && queueFull == 0 && poolExhausted == 0) {
            return "";
        }
        return "lost in the runs: " + (kernel < 0 ? "?" : Long.toString(kernel))
                + " to the receiving socket's buffer (kernel RcvbufErrors), " + queueFull
                + " to the transport's full receive queue, " + poolExhausted + " to an exhausted packet pool";
    }

    /** Writes for {@code nanos}, at {@code ratePps} accepted messages per second (0: unpaced); returns how many were accepted. */
    private static long write(UDP a, PeerKey to, byte[] payload, long nanos, long ratePps) {
        long start = System.nanoTime();
        long end = start + nanos;
        long written = 0;
        int i = 0;
        while (true) {
            // The pace counts accepted messages: a refused writeTo (the send queue is full) is
            // retried, as an application would, so a row below its offered rate is the limit.
            if (ratePps > 0 && written >= due(System.nanoTime() - start, ratePps)) {
                Thread.onSpinWait(); // ahead of the pace
            } else if (a.writeTo(to, 0, payload, 0, payload.length)) {
                written++;
            } else {
                Thread.onSpinWait();
            }
            if ((++i & 63) == 0 && System.nanoTime() - end >= 0) {
                return written;
            }
        }
    }

    /**
     * Drains B with the zero-copy {@code poll} (up to 256 messages per call), parking 20 us when
     * nothing is ready; the handler is a field, not a capturing lambda.
     */
    private static final class Reader implements Runnable, MessageHandler {
        private static final long IDLE_PARK_NANOS = 20_000;
        private final UDP udp;
        private long n;
        volatile long count;
        volatile boolean stop;

        Reader(UDP udp) {
            this.udp = udp;
        }

        @Override
        public void onMessage(PeerKey sender, int protocol, MemorySegment payload, long offset, int length) {
            n++;
        }

        @Override
        public void run() {
            while (!stop) {
                if (udp.poll(this, 256) > 0) {
                    count = n;
                } else {
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                }
            }
        }
    }

    /** "1,2,N" with N = available processors, deduplicated, in order. */
    public static List<Integer> parseWorkers(String spec) {
        List<Integer> out = new ArrayList<>();
        for (String s : spec.split(",")) {
            String t = s.trim();
            int w = t.equalsIgnoreCase("N") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(t);
            if (w < 1) {
                throw new IllegalArgumentException("decrypt workers must be >= 1, got " + t);
            }
            if (!out.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }
}
