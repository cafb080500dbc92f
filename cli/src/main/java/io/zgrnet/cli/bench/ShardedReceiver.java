package io.zgrnet.cli.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Several {@link JavaReceiver}s of one kind on one port with SO_REUSEPORT: the kernel hashes each
 * flow (source address and port) to one socket, so each shard is a socket, a backend (a ring for
 * io_uring) and a receiving thread of its own, as a sharded transport would run them. The load
 * must come from several flows ({@link LoadSender} flows) for the hash to spread it.
 *
 * <p>Counters are the sums over the shards, so CPU per datagram is the total receive CPU over the
 * total datagrams; {@link #detail()} says how the kernel split the datagrams.
 */
public final class ShardedReceiver implements Receiver {
    private final List<JavaReceiver> shards;
    /** Per-shard cumulative counts at the last reset (the start of a run). */
    private long[] runStart = new long[0];
    /** Per-shard datagrams of the last finished run. */
    private long[] runSplit = new long[0];

    private ShardedReceiver(List<JavaReceiver> shards) {
        this.shards = shards;
    }

    /** The kind "NAME/xN", e.g. "uring-multishot/x2", over Java receiver kind {@code base}. */
    public static Receiver.Kind kind(Receiver.Kind base, int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be >= 1, got " + shards);
        }
        return new Receiver.Kind() {
            @Override
            public String name() {
                return base.name() + "/x" + shards;
            }

            @Override
            public String unavailabilityCause() {
                return base.unavailabilityCause();
            }

            @Override
            public Receiver open(int size, int cpu) throws IOException {
                return ShardedReceiver.open(base.name(), shards, cpu, size);
            }
        };
    }

    /** Opens {@code count} shards; pinned shards go to consecutive CPUs from {@code cpu}. */
    static ShardedReceiver open(String name, int count, int cpu, int size) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        List<JavaReceiver> shards = new ArrayList<>();
        try {
            int port = 0;
            for (int i = 0; i < count; i++) {
                JavaReceiver r = JavaReceiver.open(name, cpu < 0 ? -1 : (cpu + i) % cores, size, port, true);
                shards.add(r);
                port = r.address().getPort();
            }
        } catch (IOException | RuntimeException e) {
            shards.forEach(JavaReceiver::close);
            throw e;
        }
        return new ShardedReceiver(List.copyOf(shards));
    }

    @Override
    public InetSocketAddress address() {
        return shards.get(0).address();
    }

    @Override
    public long receivedSoFar() throws IOException {
        long sum = 0;
        for (JavaReceiver r : shards) {
            sum += r.receivedSoFar();
        }
        return sum;
    }

    @Override
    public Snapshot snapshot(boolean resetLatency) throws IOException, InterruptedException {
        long received = 0;
        long cpu = 0;
        long calls = 0;
        long cqes = 0;
        long batches = 0;
        long[] split = new long[shards.size()];
        LatencyHistogram latency = new LatencyHistogram();
        for (int i = 0; i < shards.size(); i++) {
            Snapshot s = shards.get(i).snapshot(resetLatency);
            split[i] = s.received();
            received += s.received();
            cpu += s.cpuNanos();
            calls = sumKnown(calls, s.calls());
            cqes = sumKnown(cqes, s.cqes());
            batches = sumKnown(batches, s.cqeBatches());
            if (s.latency() != null) {
                latency.add(s.latency());
            }
        }
        if (resetLatency) {
            runStart = split; // RawBench resets at the start of a run and reads at its end
        } else if (runStart.length == split.length) {
            for (int i = 0; i < split.length; i++) {
                split[i] -= runStart[i];
            }
            runSplit = split;
        }
        return new Snapshot(received, cpu, calls, cqes, batches, latency);
    }

    private static long sumKnown(long sum, long value) {
        return sum < 0 || value < 0 ? -1 : sum + value;
    }

    /** The last run's share of datagrams per shard, e.g. "shares 52/48%". */
    @Override
    public String detail() {
        long total = 0;
        for (long v : runSplit) {
            total += v;
        }
        if (total == 0) {
            return null;
        }
        StringBuilder b = new StringBuilder("shard shares ");
        for (int i = 0; i < runSplit.length; i++) {
            b.append(i == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.0f", 100.0 * runSplit[i] / total));
        }
        return b.append('%').toString();
    }

    @Override
    public void close() {
        shards.forEach(JavaReceiver::close);
    }
}
