package io.zgrnet.cli;

import io.zgrnet.IOMode;
import io.zgrnet.cli.bench.E2eBench;
import io.zgrnet.cli.bench.HostStats;
import io.zgrnet.cli.bench.Html;
import io.zgrnet.cli.bench.JavaReceiver;
import io.zgrnet.cli.bench.Json;
import io.zgrnet.cli.bench.LoadSender;
import io.zgrnet.cli.bench.Machine;
import io.zgrnet.cli.bench.NativeReceivers;
import io.zgrnet.cli.bench.RawBench;
import io.zgrnet.cli.bench.Receiver;
import io.zgrnet.cli.bench.Report;
import io.zgrnet.cli.bench.SenderProcess;
import io.zgrnet.cli.bench.ShardedReceiver;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zgrnet bench}: the receive paths with raw datagrams from a separate sender process, then
 * two encrypted transports end to end. Progress on stderr, the report on stdout, optionally JSON
 * and an offline HTML page.
 */
@Command(name = "bench", sortOptions = false, description = {
    "Benchmarks this machine: raw datagrams from a separate sender process through each receive backend",
    "(io_uring multishot and armed, recvmmsg, NIO; multishot and recvmmsg also with UDP GRO) at stepped offered loads, then two encrypted",
    "zgrnet transports end to end. Default: about two and a half minutes; --quick: under 30 s."})
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "tiny matrix, 1 run, short durations (a smoke test; < 30 s)")
    boolean quick;

    @Option(names = "--raw", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "run the raw receive benchmark (default: yes)")
    boolean raw;

    @Option(names = "--e2e", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "run the encrypted end-to-end benchmark (default: yes)")
    boolean e2e;

    @Option(names = "--loads", split = ",", paramLabel = "PPS",
            description = "offered loads, e.g. 250k,500k,1M,max (default 250k,500k,1M,max; quick: 250k,max)")
    List<String> loads;

    @Option(names = "--sizes", split = ",", paramLabel = "BYTES", description = "datagram sizes (default 64,1200)")
    List<Integer> sizes;

    @Option(names = "--backends", split = ",", paramLabel = "NAME",
            description = {"raw receivers: uring-multishot, uring-multishot-gro, uring-armed, mmsg, mmsg-gro, nio (-gro: with UDP_GRO),",
                "the C references c-recvmmsg, c-recvmmsg-gro and",
                "c-uring-multishot, and NAME/xN: N SO_REUSEPORT shards of a Java receiver on one port",
                "(default: all single ones but c-recvmmsg-gro; the -gro ones and uring-multishot/x2 at the first size only)"})
    List<String> backends;

    @Option(names = "--e2e-backends", split = ",", paramLabel = "MODE",
            description = "transport backends: uring,mmsg,nio (default: all)")
    List<IOMode> e2eBackends;

    @Option(names = "--workers", paramLabel = "LIST", defaultValue = "1,2,N",
            description = "decrypt workers for e2e, N = cores (default ${DEFAULT-VALUE})")
    String workers;

    @Option(names = "--runs", paramLabel = "N", description = "runs per row; rows report the median (default 3; quick 1)")
    Integer runs;

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "measured seconds per run (default 0.5 raw, 1.0 e2e; quick 0.2)")
    Double duration;

    @Option(names = "--pin", paramLabel = "SENDER,RECEIVER",
            description = "pin the sender process and the receiving thread to these CPUs, e.g. 0,1 (default: no pinning)")
    String pin;

    @Option(names = "--flows", paramLabel = "N", defaultValue = "16",
            description = "source sockets the raw load rotates over, 1..64 (SO_REUSEPORT shards need several; default ${DEFAULT-VALUE})")
    int flows;

    @Option(names = "--no-gso", description = "load with sendmmsg of single datagrams instead of UDP GSO")
    boolean noGso;

    @Option(names = "--e2e-rate", paramLabel = "PPS", defaultValue = "max",
            description = "messages per second the e2e writer offers, e.g. 200k; max: as fast as it can (default)")
    String e2eRate;

    @Option(names = "--no-gro", description = "e2e: open the transports without UDP GRO (on by default; io_uring multishot"
            + " and recvmmsg apply it, NIO reports it unsupported); rows that have it say +gro")
    boolean noGro;

    @Option(names = "--native-dir", paramLabel = "DIR",
            description = "sources of the C reference receivers, built into DIR/../target/native with gcc when present"
                    + " (default: bench/native of this checkout)")
    Path nativeDir;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "also write an offline HTML report with SVG charts")
    Path html;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Long> loadList = new ArrayList<>();
        try {
            for (String l : loads != null ? loads : quick ? List.of("250k", "max") : List.of("250k", "500k", "1M", "max")) {
                loadList.add(RawBench.parseLoad(l));
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("--loads: " + e.getMessage());
        }
        long e2eRatePps;
        try {
            e2eRatePps = RawBench.parseLoad(e2eRate);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--e2e-rate: " + e.getMessage());
        }
        List<Integer> sizeList = sizes != null ? sizes : List.of(64, 1200);
        for (int s : sizeList) {
            if (s < 8 || s > 1400) {
                throw new UsageException("--sizes: each size must be 8..1400 bytes, got " + s);
            }
        }
        int runCount = runs != null ? runs : quick ? 1 : 3;
        if (runCount < 1) {
            throw new UsageException("--runs must be >= 1, got " + runCount);
        }
        double rawSeconds = duration != null ? duration : quick ? 0.2 : 0.5;
        double e2eSeconds = duration != null ? duration : quick ? 0.2 : 1.0;
        if (rawSeconds <= 0 || rawSeconds > 60) {
            throw new UsageException("--duration must be in (0, 60] seconds, got " + rawSeconds);
        }
        if (flows < 1 || flows > LoadSender.MAX_FLOWS) {
            throw new UsageException("--flows must be 1.." + LoadSender.MAX_FLOWS + ", got " + flows);
        }
        List<Integer> workerList;
        try {
            workerList = E2eBench.parseWorkers(quick && !spec.commandLine().getParseResult().hasMatchedOption("--workers")
                    ? "1" : workers);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--workers: " + e.getMessage());
        }
        int senderCpu = -1;
        int receiverCpu = -1;
        if (pin != null && !pin.equals("none")) {
            String[] p = pin.split(",");
            try {
                senderCpu = Integer.parseInt(p[0].trim());
                receiverCpu = p.length > 1 ? Integer.parseInt(p[1].trim()) : -1;
            } catch (NumberFormatException e) {
                throw new UsageException("--pin: expected SENDER,RECEIVER CPU numbers, got " + pin);
            }
        }
        List<String> notes = new ArrayList<>();
        List<Receiver.Kind> kinds = new ArrayList<>(JavaReceiver.kinds());
        /* Sharded receivers run at the first size only unless named: their question is pps. */
        List<Receiver.Kind> firstSizeOnly = new ArrayList<>();
        if (raw) {
            Path sources = nativeDir != null ? nativeDir : defaultNativeDir();
            NativeReceivers natives = NativeReceivers.prepare(sources,
                    sources.toAbsolutePath().normalize().resolveSibling("target").resolve("native"));
            kinds.addAll(natives.kinds());
            notes.addAll(natives.notes());
        }
        if (backends != null) {
            List<Receiver.Kind> picked = new ArrayList<>();
            for (String name : backends) {
                picked.add(pick(kinds, name));
            }
            kinds.clear();
            kinds.addAll(picked);
        } else {
            if (quick) {
                kinds.removeIf(k -> k.name().equals("uring-armed") || k.name().equals("nio"));
            }
            // GRO rows answer "how much does coalescing save" at the first size; their C reference
            // runs only when named (keeps the default near two and a half minutes).
            kinds.removeIf(k -> k.name().equals("c-recvmmsg-gro"));
            kinds.stream().filter(k -> k.name().endsWith("-gro")).forEach(firstSizeOnly::add);
            Receiver.Kind sharded = pick(kinds, "uring-multishot/x2");
            kinds.add(sharded);
            firstSizeOnly.add(sharded);
        }
        List<IOMode> modes = e2eBackends != null ? e2eBackends
                : quick ? List.of(IOMode.MMSG) : List.of(IOMode.URING, IOMode.MMSG, IOMode.NIO);
        if (modes.contains(IOMode.AUTO)) {
            throw new UsageException("--e2e-backends: name a backend (uring, mmsg, nio), not AUTO");
        }

        Machine machine = Machine.probe();
        String command = "zgrnet " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        String settings = String.format(Locale.ROOT,
                "raw: %.2f s per run, %.2f s warm-up per row, %d run(s) per row, load %s from %d source socket(s), sender %s,"
                        + " receiver %s; "
                        + "e2e: %.2f s per run, %d run(s) per row, writer %s%s",
                rawSeconds, warmup(rawSeconds), runCount, noGso ? "sendmmsg (no GSO)" : "UDP GSO (sendmmsg fallback)", flows,
                senderCpu >= 0 ? "pinned to CPU " + senderCpu : "unpinned",
                receiverCpu >= 0 ? "pinned to CPU " + receiverCpu : "unpinned", e2eSeconds, runCount,
                e2eRatePps == 0 ? "unpaced" : "paced at " + RawBench.loadLabel(e2eRatePps) + " msgs/s",
                noGro ? ", UDP GRO off" : "");
        err.println("zgrnet bench: " + machine.line());
        Progress progress = new Progress(err, (raw ? (kinds.size() * sizeList.size()
                - firstSizeOnly.size() * (sizeList.size() - 1)) * loadList.size() : 0)
                + (e2e ? e2eRows(modes, sizeList, workerList) : 0), runCount);
        long t0 = System.nanoTime();
        long[] steal0 = HostStats.stealTimes();

        List<RawBench.Row> rawRows = new ArrayList<>();
        if (raw) {
            try (SenderProcess sender = new SenderProcess(senderCpu)) {
                if (senderCpu >= 0 && !sender.pinned()) {
                    notes.add("the sender could not pin itself to CPU " + senderCpu);
                }
                RawBench bench = new RawBench(sender, !noGso, receiverCpu, rawSeconds, warmup(rawSeconds), runCount,
                        flows);
                for (int size : sizeList) {
                    for (Receiver.Kind kind : kinds) {
                        if (size != sizeList.get(0) && firstSizeOnly.contains(kind)) {
                            continue;
                        }
                        rawRows.addAll(bench.measure(kind, size, loadList, progress::step));
                    }
                }
            }
        }
        List<E2eBench.Row> e2eRows = new ArrayList<>();
        if (e2e) {
            E2eBench bench = new E2eBench(e2eSeconds, Math.min(0.5, e2eSeconds), runCount, !noGro, e2eRatePps);
            for (IOMode mode : modes) {
                for (int size : sizeList) {
                    for (int w : e2eWorkers(mode, modes, workerList)) {
                        e2eRows.add(bench.measure(mode, size, w, progress::step));
                    }
                }
            }
        }
        progress.done();
        notes.add(String.format(Locale.ROOT, "the bench took %.0f s", (System.nanoTime() - t0) / 1e9));
        double steal = HostStats.stealPercent(steal0, HostStats.stealTimes());
        if (!Double.isNaN(steal)) {
            notes.add(String.format(Locale.ROOT, "CPU steal time during the bench: %.1f %% (time the hypervisor gave"
                    + " this VM's CPUs to others; above ~1 %% every row is slower than on a quiet host)", steal));
        }
        Report report = new Report(machine, command, settings, rawRows, e2eRows, notes);
        out.print(report.table());
        out.flush();
        if (json != null) {
            Files.writeString(json, Json.write(report), StandardCharsets.UTF_8);
            err.println("zgrnet bench: wrote " + json);
        }
        if (html != null) {
            Files.writeString(html, Html.write(report), StandardCharsets.UTF_8);
            err.println("zgrnet bench: wrote " + html);
        }
        return 0;
    }

    /** A receiver by name: one of {@code kinds}, or "NAME/xN" for N shards of Java receiver NAME. */
    private static Receiver.Kind pick(List<Receiver.Kind> kinds, String name) {
        for (Receiver.Kind k : kinds) {
            if (k.name().equals(name)) {
                return k;
            }
        }
        int x = name.lastIndexOf("/x");
        if (x > 0) {
            String base = name.substring(0, x);
            int shards;
            try {
                shards = Integer.parseInt(name.substring(x + 2));
            } catch (NumberFormatException e) {
                shards = -1;
            }
            if (shards < 1 || shards > 16) {
                throw new UsageException("--backends: " + name + ": shards must be 1..16");
            }
            if (JavaReceiver.kinds().stream().noneMatch(k -> k.name().equals(base))) {
                throw new UsageException("--backends: " + name + ": only Java receivers shard ("
                        + String.join(",", JavaReceiver.kinds().stream().map(Receiver.Kind::name).toList()) + ")");
            }
            return ShardedReceiver.kind(JavaReceiver.kind(base), shards);
        }
        throw new UsageException("--backends: unknown receiver " + name + " (known: "
                + String.join(",", kinds.stream().map(Receiver.Kind::name).toList()) + ", and NAME/xN)");
    }

    /**
     * bench/native of this checkout: the launcher exports ZGRNET_HOME (the checkout's root);
     * without it, relative to the working directory.
     */
    private static Path defaultNativeDir() {
        String home = System.getenv("ZGRNET_HOME");
        return (home != null && !home.isBlank() ? Path.of(home) : Path.of("")).resolve("bench").resolve("native");
    }

    private static double warmup(double seconds) {
        return Math.min(0.25, Math.max(0.05, seconds / 4));
    }

    /** Worker counts for one mode: the full list for the first backend, 1 worker for the others. */
    private static List<Integer> e2eWorkers(IOMode mode, List<IOMode> modes, List<Integer> workers) {
        return mode == modes.get(0) ? workers : List.of(workers.get(0));
    }

    private static int e2eRows(List<IOMode> modes, List<Integer> sizes, List<Integer> workers) {
        int n = 0;
        for (IOMode m : modes) {
            n += sizes.size() * e2eWorkers(m, modes, workers).size();
        }
        return n;
    }

    /** One progress line on stderr, rewritten in place on a terminal. */
    private static final class Progress {
        private final PrintWriter err;
        private final int total;
        private final boolean tty = System.console() != null;
        private final long start = System.nanoTime();
        private int steps;
        private final int runs;

        Progress(PrintWriter err, int rows, int runs) {
            this.err = err;
            this.total = rows * runs;
            this.runs = runs;
        }

        void step(String what) {
            steps++;
            String line = String.format(Locale.ROOT, "[%d/%d %3.0f s] %s", steps, total,
                    (System.nanoTime() - start) / 1e9, what);
            if (tty) {
                err.print("\r\033[K" + line);
            } else {
                err.println(line);
            }
            err.flush();
        }

        void done() {
            if (tty) {
                err.print("\r\033[K");
                err.flush();
            }
        }
    }
}
