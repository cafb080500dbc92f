package io.zgrnet.cli;

import io.zgrnet.IOMode;
import io.zgrnet.cli.bench.Baseline;
import io.zgrnet.cli.bench.E2eBench;
import io.zgrnet.cli.bench.HostStats;
import io.zgrnet.cli.bench.Html;
import io.zgrnet.cli.bench.LoadSender;
import io.zgrnet.cli.bench.Machine;
import io.zgrnet.cli.bench.RawBench;
import io.zgrnet.cli.bench.Receivers;
import io.zgrnet.cli.bench.Report;
import io.zgrnet.cli.bench.SenderProcess;
import io.zgrnet.cli.bench.StreamBench;
import io.zgrnet.cli.bench.ZeroLoss;
import io.zgrnet.io.UdpLimits;
import io.zgrnet.wire.TransportHeader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zgrnet bench}: the receive paths with raw datagrams from a separate sender process, then
 * two encrypted transports end to end, and the zero-loss rate of the main ones. Progress on stderr,
 * the report on stdout, optionally JSON and an offline HTML page. {@link #call()} parses the options
 * into a {@link Plan}, runs its parts, and writes the report.
 */
@Command(name = "bench", sortOptions = false, description = {
    "Benchmarks this machine: raw datagrams from a separate sender process through each receive path",
    "(zgrnet-java's io_uring multishot and armed, recvmmsg, NIO, with and without UDP GRO; the C references;",
    "Netty's epoll and io_uring datagram channels) at stepped offered loads, then two encrypted zgrnet",
    "transports end to end, and the zero-loss rate (RFC 2544 throughput) of the default backend and",
    "recvmmsg, raw and e2e. Default: about four minutes; --quick: under 30 s. --streams adds reliable",
    "streams (KCP and the stream mux) beside TCP, at 0 %% and 1 %% loss; --streams-only runs just those."})
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

    @Option(names = "--streams", description = {"also run the stream rows: 1 and 4 zgrnet streams over loopback at 0 %%"
            + " loss and through a lossy forwarder, beside TCP over loopback with the same bytes"})
    boolean streams;

    @Option(names = "--streams-only", description = "run the stream rows only (no raw, e2e or zero-loss part)")
    boolean streamsOnly;

    @Option(names = "--stream-bytes", paramLabel = "MB",
            description = "megabytes each stream run moves, all streams together (default 200; quick 4)")
    Integer streamMegabytes;

    @Option(names = "--stream-counts", split = ",", paramLabel = "N", description = "streams at once (default 1,4)")
    List<Integer> streamCounts;

    @Option(names = "--stream-loss", split = ",", paramLabel = "PERCENT",
            description = {"losses of the stream rows: 0 = directly, above 0 through an in-process forwarder dropping",
                "that share of the transport messages both ways, which also gets a row at 0 %% (its own cost)",
                "(default 0,1)"})
    List<Double> streamLoss;

    @Option(names = "--loads", split = ",", paramLabel = "PPS",
            description = "offered loads, e.g. 250k,500k,1M,max, or none (the zero-loss search only, raw and e2e)"
                    + " (default 250k,500k,1M,max; quick: 250k,max)")
    List<String> loads;

    /**
     * Largest --sizes value: the largest zgrnet payload over IPv4 (65,507 less its 30 bytes of header, protocol byte and tag), which both the raw
     * rows (a datagram of that many bytes) and the e2e rows (a payload) can carry.
     */
    static final int MAX_SIZE = UdpLimits.MAX_IPV4_PAYLOAD - TransportHeader.OVERHEAD;

    @Option(names = "--sizes", split = ",", paramLabel = "BYTES",
            description = "datagram sizes, 8..65477 (default 64,1200; e.g. 8000,60000 for whole-message datagrams)")
    List<Integer> sizes;

    @Option(names = "--backends", split = ",", paramLabel = "NAME",
            description = {"raw receivers: uring-multishot, uring-multishot-gro, uring-armed (uring-armed-32: 32 in flight), mmsg,",
                "mmsg-gro, nio (-gro: with UDP_GRO),",
                "the C references c-recvmmsg, c-recvmmsg-gro and c-uring-multishot, Netty's netty-epoll-mmsg",
                "and netty-uring, and NAME/xN: N SO_REUSEPORT shards of a zgrnet receiver on one port",
                "(default: all but c-recvmmsg-gro; the -gro ones and uring-multishot/x2 at the first size only)"})
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

    @Option(names = "--zero-loss", negatable = true,
            description = {"search the zero-loss rate of every selected raw receiver and e2e backend",
                "(default: uring-multishot and mmsg raw, uring and mmsg e2e; --no-zero-loss: none)"})
    Boolean zeroLoss;

    @Option(names = "--zero-loss-trial", paramLabel = "SECONDS",
            description = "seconds per zero-loss trial (default 0.5 raw, 1.0 e2e; quick 0.1)")
    Double zeroLossTrial;

    @Option(names = "--zero-loss-steps", paramLabel = "N",
            description = "most bisection trials after the one at the maximum (default 6; quick 2)")
    Integer zeroLossSteps;

    @Option(names = "--zero-loss-workers", paramLabel = "N", defaultValue = "2",
            description = "decrypt workers of the e2e zero-loss search (default ${DEFAULT-VALUE})")
    int zeroLossWorkers;

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

    @Option(names = "--baseline", paramLabel = "OLD.json",
            description = "a saved --json run: every row also shows its ratio (new/old) to the same row there")
    Path baselineFile;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "also write an offline HTML report with SVG charts")
    Path html;

    /**
     * What to run, from the options.
     *
     * @param loads offered loads (0 = max); empty: no stepped-load rows
     * @param receivers raw receivers in order
     * @param firstSizeOnly receivers that run at the first size only
     * @param zeroLossReceivers raw receivers searched for their zero-loss rate
     * @param modes e2e backends
     * @param zeroLossModes e2e backends searched
     */
    record Plan(List<Long> loads, List<Integer> sizes, List<Receivers.Entry> receivers,
                List<Receivers.Entry> firstSizeOnly, List<Receivers.Entry> zeroLossReceivers, List<IOMode> modes,
                List<IOMode> zeroLossModes, List<Integer> workers, int runs, double rawSeconds, double e2eSeconds,
                int senderCpu, int receiverCpu, long e2eRatePps, ZeroLoss rawSearch, ZeroLoss e2eSearch,
                Baseline baseline, List<String> notes, StreamPlan streams) {
    }

    /**
     * The stream rows to run, or none.
     *
     * @param counts streams at once, one group of rows each
     * @param losses percent; 0: directly, above 0: through the forwarder
     * @param bytes bytes per run
     * @param runs runs per row
     */
    record StreamPlan(List<Integer> counts, List<Double> losses, long bytes, int runs) {
        static final StreamPlan NONE = new StreamPlan(List.of(), List.of(), 0, 0);

        /** Forwarder rows at these losses: every loss above 0, and 0 before them when there is one. */
        List<Double> forwarded() {
            List<Double> out = new ArrayList<>();
            losses.stream().filter(l -> l > 0).forEach(out::add);
            if (!out.isEmpty()) {
                out.add(0, 0.0);
            }
            return out;
        }

        /** Rows per count: the direct one, the forwarder's, TCP. */
        int rowsPerCount() {
            return (losses.contains(0.0) ? 1 : 0) + forwarded().size() + 1;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Plan plan = plan();
        Machine machine = Machine.probe();
        err.println("zgrnet bench: " + machine.line());
        Progress progress = new Progress(err, steps(plan));
        long t0 = System.nanoTime();
        long[] steal0 = HostStats.stealTimes();
        List<String> notes = new ArrayList<>(plan.notes());
        List<ZeroLoss.Row> zero = new ArrayList<>();
        List<RawBench.Row> rawRows = raw && !streamsOnly ? runRaw(plan, zero, notes, progress) : List.of();
        List<E2eBench.Row> e2eRows = e2e && !streamsOnly ? runE2e(plan, zero, progress) : List.of();
        List<StreamBench.Row> streamRows = runStreams(plan.streams(), progress);
        progress.done();
        notes.add(String.format(Locale.ROOT, "the bench took %.0f s", (System.nanoTime() - t0) / 1e9));
        double steal = HostStats.stealPercent(steal0, HostStats.stealTimes());
        if (!Double.isNaN(steal)) {
            notes.add(String.format(Locale.ROOT, "CPU steal time during the bench: %.1f %% (time the hypervisor gave"
                    + " this VM's CPUs to others; above ~1 %% every row is slower than on a quiet host)", steal));
        }
        write(new Report(machine, "zgrnet " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
                settings(plan), rawRows, e2eRows, zero, streamRows, notes, plan.baseline()));
        return 0;
    }

    /** Parses and checks the options; every error names its option. */
    Plan plan() {
        List<Long> loadList = new ArrayList<>();
        try {
            List<String> given = loads != null ? loads : quick ? List.of("250k", "max") : List.of("250k", "500k", "1M", "max");
            if (!(given.size() == 1 && given.get(0).equalsIgnoreCase("none"))) {
                for (String l : given) {
                    loadList.add(RawBench.parseLoad(l));
                }
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
            if (s < 8 || s > MAX_SIZE) {
                throw new UsageException("--sizes: each size must be 8.." + MAX_SIZE + " bytes, got " + s);
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
        List<IOMode> modes = e2eBackends != null ? e2eBackends
                : quick ? List.of(IOMode.MMSG) : List.of(IOMode.URING, IOMode.MMSG, IOMode.NIO);
        if (modes.contains(IOMode.AUTO)) {
            throw new UsageException("--e2e-backends: name a backend (uring, mmsg, nio), not AUTO");
        }
        double trial = zeroLossTrial != null ? zeroLossTrial : quick ? 0.1 : -1;
        int steps = zeroLossSteps != null ? zeroLossSteps : quick ? 2 : 6;
        if ((zeroLossTrial != null && (trial <= 0 || trial > 60)) || steps < 1 || steps > 20) {
            throw new UsageException("--zero-loss-trial must be in (0, 60] s and --zero-loss-steps 1..20, got "
                    + zeroLossTrial + " s, " + steps);
        }
        if (zeroLossWorkers < 1) {
            throw new UsageException("--zero-loss-workers must be >= 1, got " + zeroLossWorkers);
        }
        Baseline base = null;
        if (baselineFile != null) {
            try {
                base = Baseline.load(baselineFile);
            } catch (IOException e) {
                throw new UsageException("--baseline: " + Failures.fileProblem(baselineFile, e));
            }
        }
        // The report files are written after minutes of measuring: refuse a path that cannot work now.
        checkOutputFile(json, "--json");
        checkOutputFile(html, "--html");

        Path sources = nativeDir != null ? nativeDir : defaultNativeDir();
        Receivers registry = Receivers.standard(sources,
                sources.toAbsolutePath().normalize().resolveSibling("target").resolve("native"));
        List<String> notes = new ArrayList<>();
        List<Receivers.Entry> picked = new ArrayList<>();
        List<Receivers.Entry> firstSizeOnly = new ArrayList<>();
        if (backends != null) {
            for (String name : backends) {
                try {
                    picked.add(registry.find(name));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--backends: " + e.getMessage());
                }
            }
        } else if (raw && !streamsOnly) {
            for (Receivers.Entry e : registry.defaults(quick)) {
                // Unnamed receivers that cannot run here (no gcc, no liburing-dev, Netty's native
                // transport not loadable) are a note, not a row.
                String cause = e.kind().get().unavailabilityCause();
                if (cause != null) {
                    notes.add(e.name() + " skipped: " + cause);
                    continue;
                }
                picked.add(e);
                if (e.scope() == Receivers.Scope.FIRST_SIZE) {
                    firstSizeOnly.add(e);
                }
            }
        }
        List<Receivers.Entry> zeroRaw = Boolean.FALSE.equals(zeroLoss) ? List.of()
                : picked.stream().filter(e -> Boolean.TRUE.equals(zeroLoss) || e.zeroLoss()).toList();
        List<IOMode> zeroModes = Boolean.FALSE.equals(zeroLoss) ? List.of()
                : modes.stream().filter(m -> Boolean.TRUE.equals(zeroLoss) || m == IOMode.URING || m == IOMode.MMSG)
                .toList();
        return new Plan(loadList, sizeList, picked, firstSizeOnly, zeroRaw, modes, zeroModes, workerList, runCount,
                rawSeconds, e2eSeconds, senderCpu, receiverCpu, e2eRatePps,
                new ZeroLoss(trial > 0 ? trial : 0.5, steps), new ZeroLoss(trial > 0 ? trial : 1.0, steps), base,
                notes, streamPlan(runCount));
    }

    /** The stream part of the plan from --streams, --streams-only and their options. */
    private StreamPlan streamPlan(int runCount) {
        if (!streams && !streamsOnly) {
            return StreamPlan.NONE;
        }
        int mb = streamMegabytes != null ? streamMegabytes : quick ? 4 : 200;
        if (mb < 1 || mb > 100_000) {
            throw new UsageException("--stream-bytes must be 1..100000 MB, got " + mb);
        }
        List<Integer> counts = streamCounts != null ? streamCounts : List.of(1, 4);
        for (int c : counts) {
            if (c < 1 || c > 64) {
                throw new UsageException("--stream-counts: each count must be 1..64, got " + c);
            }
        }
        List<Double> losses = streamLoss != null ? streamLoss : List.of(0.0, 1.0);
        for (double l : losses) {
            if (!(l >= 0 && l <= 50)) {
                throw new UsageException("--stream-loss: each loss must be 0..50 percent, got " + l);
            }
        }
        return new StreamPlan(counts, losses.stream().distinct().toList(), mb * 1_000_000L, runCount);
    }

    /** The stream rows: per count, directly at 0 %, through the forwarder at each loss, TCP. */
    private static List<StreamBench.Row> runStreams(StreamPlan plan, Progress progress) throws Exception {
        List<StreamBench.Row> rows = new ArrayList<>();
        if (plan.counts().isEmpty()) {
            return rows;
        }
        try (StreamBench bench = new StreamBench(plan.bytes(), plan.runs(), Duration.ofSeconds(100))) {
            for (int n : plan.counts()) {
                if (plan.losses().contains(0.0)) {
                    rows.add(bench.measureStreams(n, 0, false, progress::step));
                }
                for (double loss : plan.forwarded()) {
                    rows.add(bench.measureStreams(n, loss, true, progress::step));
                }
                rows.add(bench.measureTcp(n, progress::step));
            }
        }
        return rows;
    }

    /** The raw rows (every receiver at every load) and the raw zero-loss searches, on one sender process. */
    private List<RawBench.Row> runRaw(Plan plan, List<ZeroLoss.Row> zero, List<String> notes, Progress progress)
            throws Exception {
        List<RawBench.Row> rows = new ArrayList<>();
        try (SenderProcess sender = new SenderProcess(plan.senderCpu())) {
            if (plan.senderCpu() >= 0 && !sender.pinned()) {
                notes.add("the sender could not pin itself to CPU " + plan.senderCpu());
            }
            RawBench bench = new RawBench(sender, !noGso, plan.receiverCpu(), plan.rawSeconds(),
                    warmup(plan.rawSeconds()), plan.runs(), flows);
            for (int size : plan.sizes()) {
                for (Receivers.Entry e : plan.zeroLossReceivers()) {
                    if (size == plan.sizes().get(0) || !plan.firstSizeOnly().contains(e)) {
                        zero.add(bench.zeroLoss(e.kind().get(), size, plan.rawSearch(), progress::step));
                    }
                }
            }
            if (plan.loads().isEmpty()) {
                return rows;
            }
            for (int size : plan.sizes()) {
                for (Receivers.Entry e : plan.receivers()) {
                    if (size == plan.sizes().get(0) || !plan.firstSizeOnly().contains(e)) {
                        rows.addAll(bench.measure(e.kind().get(), size, plan.loads(), progress::step));
                    }
                }
            }
        }
        return rows;
    }

    /** The e2e zero-loss searches, then the e2e rows. */
    private List<E2eBench.Row> runE2e(Plan plan, List<ZeroLoss.Row> zero, Progress progress) throws Exception {
        E2eBench bench = new E2eBench(plan.e2eSeconds(), Math.min(0.5, plan.e2eSeconds()), plan.runs(), !noGro,
                plan.e2eRatePps());
        for (IOMode mode : plan.zeroLossModes()) {
            for (int size : plan.sizes()) {
                zero.add(bench.zeroLoss(mode, size, zeroLossWorkers, plan.e2eSearch(), progress::step));
            }
        }
        List<E2eBench.Row> rows = new ArrayList<>();
        if (plan.loads().isEmpty()) { // --loads none: the zero-loss search only
            return rows;
        }
        for (IOMode mode : plan.modes()) {
            for (int size : plan.sizes()) {
                for (int w : e2eWorkers(mode, plan.modes(), plan.workers())) {
                    rows.add(bench.measure(mode, size, w, progress::step));
                }
            }
        }
        return rows;
    }

    private String settings(Plan plan) {
        StreamPlan sp = plan.streams();
        String streamPart = sp.counts().isEmpty() ? "" : String.format(Locale.ROOT,
                "; streams: %d MB per run (after a warm-up run of a quarter), %d run(s) per row", sp.bytes() / 1_000_000,
                sp.runs());
        if (streamsOnly) {
            return streamPart.substring(2);
        }
        return String.format(Locale.ROOT,
                "raw: %.2f s per run, %.2f s warm-up per row, %d run(s) per row, load %s from %d source socket(s), sender %s,"
                        + " receiver %s; e2e: %.2f s per run, %d run(s) per row, writer %s%s; %s (raw; e2e trials of %.2f s,"
                        + " %d decrypt workers)",
                plan.rawSeconds(), warmup(plan.rawSeconds()), plan.runs(),
                noGso ? "sendmmsg (no GSO)" : "UDP GSO (sendmmsg fallback)", flows,
                plan.senderCpu() >= 0 ? "pinned to CPU " + plan.senderCpu() : "unpinned",
                plan.receiverCpu() >= 0 ? "pinned to CPU " + plan.receiverCpu() : "unpinned", plan.e2eSeconds(),
                plan.runs(), plan.e2eRatePps() == 0 ? "unpaced" : "paced at " + RawBench.loadLabel(plan.e2eRatePps())
                        + " msgs/s", noGro ? ", UDP GRO off" : "", plan.rawSearch().describe(),
                plan.e2eSearch().trialSeconds(), zeroLossWorkers) + streamPart;
    }

    private void write(Report report) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        out.print(report.table());
        out.flush();
        if (json != null) {
            Files.writeString(json, Json.writeRows(report.toJson()), StandardCharsets.UTF_8);
            err.println("zgrnet bench: wrote " + json);
        }
        if (html != null) {
            Files.writeString(html, Html.write(report), StandardCharsets.UTF_8);
            err.println("zgrnet bench: wrote " + html);
        }
    }

    /** A report file's directory must exist, and the file must not be a directory. */
    private static void checkOutputFile(Path file, String option) {
        if (file == null) {
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UsageException(option + ": " + file + ": directory " + parent + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new UsageException(option + ": " + file + " is a directory; give a file name");
        }
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

    /** Progress lines the plan will print: runs of rows plus zero-loss trials (at most). */
    private int steps(Plan plan) {
        StreamPlan sp = plan.streams();
        int n = sp.counts().size() * sp.rowsPerCount() * (sp.runs() + 1);
        if (streamsOnly) {
            return n;
        }
        int trialsPerSearch = 1 + plan.rawSearch().steps();
        if (raw) {
            for (int size : plan.sizes()) {
                for (Receivers.Entry e : plan.receivers()) {
                    if (size == plan.sizes().get(0) || !plan.firstSizeOnly().contains(e)) {
                        n += plan.loads().size() * plan.runs();
                    }
                }
                for (Receivers.Entry e : plan.zeroLossReceivers()) {
                    if (size == plan.sizes().get(0) || !plan.firstSizeOnly().contains(e)) {
                        n += trialsPerSearch;
                    }
                }
            }
        }
        if (e2e) {
            for (IOMode m : plan.loads().isEmpty() ? List.<IOMode>of() : plan.modes()) {
                n += plan.sizes().size() * e2eWorkers(m, plan.modes(), plan.workers()).size() * plan.runs();
            }
            n += plan.zeroLossModes().size() * plan.sizes().size() * trialsPerSearch;
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

        Progress(PrintWriter err, int total) {
            this.err = err;
            this.total = total;
        }

        void step(String what) {
            steps++;
            String line = String.format(Locale.ROOT, "[%d/%s %3.0f s] %s", steps, steps <= total ? total : "?",
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
