package io.zgrnet.cli.bench;

import io.zgrnet.IOMode;
import io.zgrnet.PeerKey;
import io.zgrnet.StreamChannel;
import io.zgrnet.TransportConfig;
import io.zgrnet.TransportCounter;
import io.zgrnet.UDP;
import io.zgrnet.netsim.LossyForwarder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/*
 * Threads: per run, one writer and one reader thread per stream (platform threads of a pool that
 * lives as long as the bench), the harness thread waiting for the readers. Everything is in this
 * process: both transports with their threads, the lossy forwarder when there is one, and for TCP
 * the kernel's loopback. CPU is the whole process's CPU time over the measured window, so it
 * counts the sending and the receiving side (and the forwarder) together.
 */

/**
 * Reliable streams end to end: two zgrnet-java transports on loopback, one opening streams to the
 * other (KCP and the stream mux, encrypted), bytes written on one side and read on the other, at
 * 0 % loss directly and at set losses through a {@link LossyForwarder}; beside them the same bytes
 * over TCP on loopback (java.nio SocketChannel). A run moves a fixed number of bytes, split evenly
 * over the streams, and is timed from the first write until the last reader has all its bytes.
 */
public final class StreamBench implements AutoCloseable {
    /** Seed of the forwarder's decisions: every run of a row loses the same datagrams in order. */
    private static final long SEED = 16;
    /** Bytes per application write and read. */
    private static final int CHUNK = 64 << 10;

    /**
     * One row.
     *
     * @param transport "zgrnet" (its backend in parentheses) or "tcp"
     * @param path "direct" or "forwarder" (through the lossy forwarder)
     * @param streams streams (or TCP connections) at once
     * @param lossPercent transport messages the forwarder drops, percent
     * @param bytes bytes per run, all streams together
     * @param runs runs summarised
     * @param values every metric of {@link #METRICS} by key
     * @param note what went wrong, the forwarder's counters, and the transports' drops (whole row,
     *     warm-up included)
     */
    public record Row(String transport, String path, int streams, double lossPercent, long bytes, int runs,
                      Map<String, Spread> values, String note) {
        /** One metric's spread (NaN when not measured). */
        public Spread get(Metric<?> m) {
            return values.getOrDefault(m.key(), Spread.of());
        }

        /** The loss as the table shows it. */
        public String lossLabel() {
            return StreamBench.lossLabel(lossPercent);
        }
    }

    /**
     * One run.
     *
     * @param bytes bytes delivered
     * @param elapsedNanos from the first write until the last reader had all its bytes
     * @param cpuNanos process CPU time in that window (-1 unknown)
     * @param frames stream frames sent by both transports in that window (-1 for TCP)
     * @param segments KCP data segments sent for the first time in that window (-1 for TCP)
     * @param resent KCP data segments sent again in that window (-1 for TCP)
     */
    public record Run(long bytes, long elapsedNanos, long cpuNanos, long frames, long segments, long resent) {
        double mbPerSecond() {
            return elapsedNanos == 0 ? Double.NaN : bytes * 1e3 / elapsedNanos;
        }

        /** Milliseconds of CPU per MB (10^6 bytes) delivered, the same number as ns per byte. */
        double cpuMsPerMb() {
            return cpuNanos < 0 || bytes == 0 ? Double.NaN : (double) cpuNanos / bytes;
        }

        double cpuPercent() {
            return cpuNanos < 0 || elapsedNanos == 0 ? Double.NaN : 100.0 * cpuNanos / elapsedNanos;
        }

        double framesPerMb() {
            return frames < 0 || bytes == 0 ? Double.NaN : frames * 1e6 / bytes;
        }

        /** Retransmissions per first transmission, percent. */
        double resentPercent() {
            return segments <= 0 || resent < 0 ? Double.NaN : 100.0 * resent / segments;
        }
    }

    /** "0", "1", "0.5". */
    public static String lossLabel(double percent) {
        return percent == Math.rint(percent) ? Long.toString((long) percent)
                : String.format(Locale.ROOT, "%.2f", percent).replaceAll("0+$", "");
    }

    /** The stream rows' metrics, in table order. */
    public static final List<Metric<Run>> METRICS = List.of(
            new Metric<>("mb_per_s", "MB/s [min-max]", "MB/s", Metric.Style.NUMBER_RANGE, true, Run::mbPerSecond),
            new Metric<>("cpu_ms_per_mb", "CPU ms/MB", "ms", Metric.Style.THREE_DECIMALS, true, Run::cpuMsPerMb),
            new Metric<>("cpu_percent", "CPU % of a core", "%", Metric.Style.INT, false, Run::cpuPercent),
            new Metric<>("frames_per_mb", "frames/MB", "frames", Metric.Style.INT, false, Run::framesPerMb),
            new Metric<>("resent_percent", "resent %", "%", Metric.Style.PERCENT, false, Run::resentPercent));

    private final long bytesPerRun;
    private final int runs;
    private final Duration runTimeout;
    private final ExecutorService threads = Executors.newCachedThreadPool(
            r -> Thread.ofPlatform().daemon().name("bench-stream").unstarted(r));

    /**
     * @param bytesPerRun bytes each run moves, all streams together
     * @param runs runs per row (after one unmeasured warm-up run of a quarter of the bytes)
     * @param runTimeout a run that takes longer fails its row
     */
    public StreamBench(long bytesPerRun, int runs, Duration runTimeout) {
        if (bytesPerRun < 1) {
            throw new IllegalArgumentException("bytesPerRun must be >= 1, got " + bytesPerRun);
        }
        this.bytesPerRun = bytesPerRun;
        this.runs = runs;
        this.runTimeout = runTimeout;
    }

    /**
     * zgrnet streams: {@code streams} at once from A to B, directly (loss 0 and not
     * {@code viaForwarder}) or through a forwarder dropping {@code lossPercent} of the transport
     * messages both ways.
     */
    public Row measureStreams(int streams, double lossPercent, boolean viaForwarder, Consumer<String> progress)
            throws Exception {
        String path = viaForwarder ? "forwarder" : "direct";
        long kernel0 = HostStats.rcvbufErrors();
        try (UDP a = open(); UDP b = open();
             LossyForwarder net = viaForwarder ? new LossyForwarder(a.hostInfo().localAddress(),
                     b.hostInfo().localAddress(), lossPercent / 100, 0, 0, SEED) : null) {
            String transport = "zgrnet (" + b.ioInfo().backend() + ")";
            PeerKey bKey = b.hostInfo().publicKey();
            a.setPeerEndpoint(bKey, net != null ? net.forA() : b.hostInfo().localAddress());
            b.setPeerEndpoint(a.hostInfo().publicKey(), net != null ? net.forB() : a.hostInfo().localAddress());
            a.connect(bKey, Duration.ofSeconds(10));
            Supplier<long[]> counters = () -> new long[] {
                a.stats().get(TransportCounter.STREAM_FRAMES_SENT) + b.stats().get(TransportCounter.STREAM_FRAMES_SENT),
                a.stats().get(TransportCounter.STREAM_SEGMENTS_SENT)
                        + b.stats().get(TransportCounter.STREAM_SEGMENTS_SENT),
                a.stats().get(TransportCounter.STREAM_SEGMENTS_RESENT)
                        + b.stats().get(TransportCounter.STREAM_SEGMENTS_RESENT)};
            List<Run> done = new ArrayList<>();
            try {
                for (int r = 0; r <= runs; r++) {
                    progress.accept(String.format(Locale.ROOT, "streams %s %d stream(s) %s %% loss %s",
                            transport, streams, lossLabel(lossPercent),
                            r == 0 ? "warm-up" : "run " + r + "/" + runs));
                    List<ByteChannel> out = new ArrayList<>();
                    List<ByteChannel> in = new ArrayList<>();
                    for (int i = 0; i < streams; i++) {
                        out.add(a.openStream(bKey, 0, new byte[0], Duration.ofSeconds(10)));
                    }
                    for (int i = 0; i < streams; i++) {
                        StreamChannel c = b.acceptStream(Duration.ofSeconds(10));
                        if (c == null) {
                            throw new TimeoutException("stream " + i + " was not accepted within 10 s");
                        }
                        in.add(c);
                    }
                    Run run = transfer(out, in, r == 0 ? Math.max(1, bytesPerRun / 4) : bytesPerRun, counters);
                    if (r > 0) {
                        done.add(run);
                    }
                }
            } catch (TimeoutException | IOException | ExecutionException e) {
                return new Row(transport, path, streams, lossPercent, bytesPerRun, done.size(),
                        Metric.summarise(METRICS, done), "failed after " + done.size() + " run(s): " + e
                        + (net != null ? "; forwarder: " + net : ""));
            }
            StringBuilder note = new StringBuilder(net == null ? "" : "forwarder: " + net);
            long kernel = HostStats.rcvbufErrors();
            for (Object[] d : new Object[][] {
                {"stream(s) reset", TransportCounter.STREAMS_RESET},
                {"frames dropped: stream thread's queue full", TransportCounter.DROP_STREAM_QUEUE_FULL},
                {"datagrams dropped: receive queue full", TransportCounter.DROP_RECEIVE_QUEUE_FULL},
                {"not sent: send queue full", TransportCounter.DROP_SEND_QUEUE_FULL},
                {"dropped: packet pool exhausted", TransportCounter.DROP_POOL_EXHAUSTED}}) {
                long n = a.stats().get((TransportCounter) d[1]) + b.stats().get((TransportCounter) d[1]);
                if (n > 0) {
                    note.append(note.isEmpty() ? "" : "; ").append(n).append(' ').append(d[0]);
                }
            }
            if (kernel0 >= 0 && kernel - kernel0 > 0) {
                note.append(note.isEmpty() ? "" : "; ").append(kernel - kernel0)
                        .append(" lost to full socket buffers (kernel RcvbufErrors, system-wide)");
            }
            return new Row(transport, path, streams, lossPercent, bytesPerRun, done.size(),
                    Metric.summarise(METRICS, done), note.toString());
        }
    }

    /** TCP on loopback: {@code connections} at once, the same bytes per run. */
    public Row measureTcp(int connections, Consumer<String> progress) throws Exception {
        List<Run> done = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int r = 0; r <= runs; r++) {
                progress.accept(String.format(Locale.ROOT, "streams tcp %d connection(s) %s", connections,
                        r == 0 ? "warm-up" : "run " + r + "/" + runs));
                List<ByteChannel> out = new ArrayList<>();
                List<ByteChannel> in = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    SocketChannel c = SocketChannel.open(server.getLocalAddress());
                    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    out.add(c);
                    in.add(server.accept());
                }
                Run run = transfer(out, in, r == 0 ? Math.max(1, bytesPerRun / 4) : bytesPerRun,
                        () -> new long[] {-1, -1, -1});
                if (r > 0) {
                    done.add(run);
                }
            }
        } catch (TimeoutException | IOException | ExecutionException e) {
            return new Row("tcp", "direct", connections, 0, bytesPerRun, done.size(), Metric.summarise(METRICS, done),
                    "failed after " + done.size() + " run(s): " + e);
        }
        return new Row("tcp", "direct", connections, 0, bytesPerRun, done.size(), Metric.summarise(METRICS, done), "");
    }

    /**
     * Moves {@code total} bytes, split over the pairs {@code out[i] -> in[i]}: writers write their
     * share and close; readers count their share (the clock stops when the last has it), then
     * read to the end and close. {@code counters}: stream frames, segments sent and resent so far
     * (-1 each for TCP).
     */
    private Run transfer(List<ByteChannel> out, List<ByteChannel> in, long total, Supplier<long[]> counters)
            throws IOException, InterruptedException, ExecutionException, TimeoutException {
        int n = out.size();
        CountDownLatch allIn = new CountDownLatch(n);
        List<Future<Void>> work = new ArrayList<>();
        long cpu0 = processCpuNanos();
        long[] c0 = counters.get();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long share = total / n + (i == n - 1 ? total % n : 0);
            ByteChannel w = out.get(i);
            ByteChannel r = in.get(i);
            work.add(threads.submit(() -> {
                write(w, share);
                return null;
            }));
            work.add(threads.submit(() -> {
                read(r, share, allIn);
                return null;
            }));
        }
        try {
            long deadline = t0 + runTimeout.toNanos();
            if (!allIn.await(runTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                for (Future<Void> f : work) {
                    if (f.isDone()) {
                        f.get(); // a writer or reader that failed says why
                    }
                }
                throw new TimeoutException("a run took longer than " + runTimeout.toSeconds() + " s");
            }
            long elapsed = System.nanoTime() - t0;
            long cpu1 = processCpuNanos();
            for (Future<Void> f : work) {
                f.get(Math.max(1, deadline - System.nanoTime() + TimeUnit.SECONDS.toNanos(10)), TimeUnit.NANOSECONDS);
            }
            // The segment counters are added every 1 ms: read them once the writers are done.
            long[] c1 = counters.get();
            return new Run(total, elapsed, cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0,
                    c0[0] < 0 ? -1 : c1[0] - c0[0], c0[1] < 0 ? -1 : c1[1] - c0[1], c0[2] < 0 ? -1 : c1[2] - c0[2]);
        } finally {
            for (Future<Void> f : work) {
                f.cancel(true);
            }
            for (int i = 0; i < n; i++) {
                out.get(i).close();
                in.get(i).close();
            }
        }
    }

    private static void write(ByteChannel c, long bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long left = bytes;
        while (left > 0) {
            buf.clear().limit((int) Math.min(CHUNK, left));
            while (buf.hasRemaining()) {
                left -= c.write(buf);
            }
        }
        c.close(); // streams: FIN once every byte is acknowledged; TCP: FIN after the data
    }

    private static void read(ByteChannel c, long bytes, CountDownLatch allIn) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long got = 0;
        boolean counted = false;
        while (true) {
            buf.clear();
            int r = c.read(buf);
            if (r < 0) {
                break;
            }
            got += r;
            if (!counted && got >= bytes) {
                counted = true;
                allIn.countDown();
            }
        }
        if (got != bytes) {
            throw new IOException("read " + got + " bytes, expected " + bytes);
        }
        c.close();
    }

    private static UDP open() throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return UDP.open(TransportConfig.builder().privateKey(key).ioMode(IOMode.AUTO).build());
    }

    /** The whole process's CPU time, or -1 when the JVM cannot tell. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** Stops the pool's threads. */
    @Override
    public void close() {
        threads.shutdownNow();
    }
}
