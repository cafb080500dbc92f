package io.zgrnet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The reference C receivers of {@code bench/native/} ({@code recvmmsg_rx}, {@code uring_multishot_rx}),
 * built once per process with {@code build.sh} and run as child processes, so a benchmark can put
 * a plain C receiver next to the Java backends under the same load. They are comparison tools, not
 * part of the library (which uses FFM only).
 *
 * <p>Protocol: the child prints {@code READY port=P} once bound, then, when it stops (a datagram
 * count, a duration, an idle gap, or {@link Running#stop()} followed by a quiet drain), one line {@code RESULT receiver=... datagrams=N bytes=B
 * seconds=S cpu_user_ns=U cpu_sys_ns=Y cpu_ns=C ns_per_datagram=X ...} (see the C files).
 *
 * <p>Where the sources come from: {@code -Dzgrnet.native.dir=DIR} (holding build.sh), else
 * {@code bench/native} found from the working directory upwards (binaries then go to
 * {@code bench/target/native}), else the copies packaged in this jar under {@code native/},
 * extracted to a temporary directory. Loopback only: the receivers refuse other addresses.
 *
 * <p>Driver ({@link #main}): each receiver pinned to CPU 1, {@link GsoSender} on CPU 0 at a fixed
 * rate, as {@link ReceiveBench} does for the Java backends:
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.zgrnet.bench.NativeReceivers \
 *     --receivers=recvmmsg,uring_multishot --sizes=64,1200 --rate=1000000 --seconds=5 --runs=3
 * </pre>
 *
 * <p>Concurrency: {@link #build()} is synchronized and runs build.sh at most once per process; each
 * {@link Running} is used by one thread (two daemon threads per child drain its stdout and stderr).
 */
public final class NativeReceivers {
    private static final String[] SOURCES = {"build.sh", "recvmmsg_rx.c", "uring_multishot_rx.c"};
    private static final long READY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    /** The receivers in bench/native. */
    public enum Receiver {
        /** recvmmsg(MSG_WAITFORONE), batch 64. */
        RECVMMSG("recvmmsg", "recvmmsg_rx"),
        /** liburing multishot recvmsg over a provided-buffer ring (built only with liburing-dev). */
        URING_MULTISHOT("uring_multishot", "uring_multishot_rx");

        private final String label;
        private final String binary;

        Receiver(String label, String binary) {
            this.label = label;
            this.binary = binary;
        }

        /** The name it reports as {@code receiver=} in its RESULT line. */
        public String label() {
            return label;
        }

        /** The executable's file name. */
        public String binary() {
            return binary;
        }

        /** The receiver whose {@link #label()} or binary name is {@code name}. */
        public static Receiver of(String name) {
            for (Receiver r : values()) {
                if (r.label.equals(name) || r.binary.equals(name)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown native receiver '" + name + "' (recvmmsg, uring_multishot)");
        }
    }

    /**
     * The outcome of build.sh.
     *
     * @param dir where the binaries are
     * @param unavailable for each receiver that was not built: why (e.g. "liburing-dev not installed")
     * @param log what build.sh printed
     */
    public record Build(Path dir, Map<Receiver, String> unavailable, String log) {
        /** True when {@code r} was built. */
        public boolean available(Receiver r) {
            return !unavailable.containsKey(r);
        }

        /** The path of {@code r}'s executable. */
        public Path binary(Receiver r) {
            return dir.resolve(r.binary());
        }
    }

    /**
     * How to run a receiver; 0 disables a limit.
     *
     * @param bind loopback address to bind (port 0: any)
     * @param seconds stop this long after the first datagram
     * @param count stop after this many datagrams
     * @param idleMillis stop when no datagram came for this long (after the first)
     * @param drainMillis after {@link Running#stop()}: stop once no datagram came for this long
     * @param waitSeconds give up when no datagram came at all for this long
     * @param cpu pin the receiver to this CPU, -1 for no pinning
     */
    public record Options(InetSocketAddress bind, double seconds, long count, long idleMillis, long drainMillis,
                          double waitSeconds, int cpu) {
        /** Validates the limits. */
        public Options {
            if (bind == null || bind.isUnresolved() || !bind.getAddress().isLoopbackAddress()) {
                throw new IllegalArgumentException("bind must be a loopback address, got " + bind);
            }
            if (seconds < 0 || count < 0 || idleMillis < 0 || drainMillis < 0 || waitSeconds < 0) {
                throw new IllegalArgumentException("limits must be >= 0");
            }
        }

        List<String> args() {
            String host = bind.getAddress() instanceof java.net.Inet6Address
                    ? "[" + bind.getAddress().getHostAddress().replaceFirst("%.*$", "") + "]"
                    : bind.getAddress().getHostAddress();
            return List.of("--bind", host + ":" + bind.getPort(), "--seconds", Double.toString(seconds),
                    "--count", Long.toString(count), "--idle-ms", Long.toString(idleMillis),
                    "--drain-ms", Long.toString(drainMillis),
                    "--wait-seconds", Double.toString(waitSeconds), "--cpu", Integer.toString(cpu));
        }
    }

    /**
     * A parsed RESULT line.
     *
     * @param receiver the receiver's label
     * @param datagrams datagrams received (truncated ones excluded)
     * @param bytes payload bytes of those
     * @param seconds first to last datagram
     * @param cpuUserNs the receiving thread's user CPU time
     * @param cpuSysNs the receiving thread's system CPU time
     * @param cpuNs the receiving thread's CPU time (CLOCK_THREAD_CPUTIME_ID)
     * @param nsPerDatagram {@code cpuNs / datagrams}
     * @param fields every key=value of the line, in order (including receiver-specific counters)
     */
    public record Result(String receiver, long datagrams, long bytes, double seconds, long cpuUserNs, long cpuSysNs,
                         long cpuNs, double nsPerDatagram, Map<String, String> fields) {
        /**
         * Parses {@code RESULT key=value ...}.
         *
         * @throws IllegalArgumentException if the line is not a RESULT line or lacks a field
         */
        public static Result parse(String line) {
            String[] words = line.strip().split("\\s+");
            if (words.length == 0 || !words[0].equals("RESULT")) {
                throw new IllegalArgumentException("not a RESULT line: " + line);
            }
            Map<String, String> f = new LinkedHashMap<>();
            for (int i = 1; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("bad field '" + words[i] + "' in: " + line);
                }
                f.put(words[i].substring(0, eq), words[i].substring(eq + 1));
            }
            try {
                return new Result(need(f, "receiver", line), Long.parseLong(need(f, "datagrams", line)),
                        Long.parseLong(need(f, "bytes", line)), Double.parseDouble(need(f, "seconds", line)),
                        Long.parseLong(need(f, "cpu_user_ns", line)), Long.parseLong(need(f, "cpu_sys_ns", line)),
                        Long.parseLong(f.getOrDefault("cpu_ns", "-1")),
                        Double.parseDouble(need(f, "ns_per_datagram", line)), Collections.unmodifiableMap(f));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad number in: " + line, e);
            }
        }

        private static String need(Map<String, String> f, String key, String line) {
            String v = f.get(key);
            if (v == null) {
                throw new IllegalArgumentException("no " + key + "= in: " + line);
            }
            return v;
        }
    }

    /** A started receiver: bound, READY seen. Close it to kill a child that has not finished. */
    public static final class Running implements AutoCloseable {
        private final Receiver receiver;
        private final Process process;
        private final BlockingQueue<String> stdout;
        private final StringBuffer stderr;
        private final int port;

        private Running(Receiver receiver, Process process, BlockingQueue<String> stdout, StringBuffer stderr,
                int port) {
            this.receiver = receiver;
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
            this.port = port;
        }

        /** The port the receiver bound. */
        public int port() {
            return port;
        }

        /** The child process id. */
        public long pid() {
            return process.pid();
        }

        /**
         * Tells the receiver the load is over (SIGTERM to our own child): it keeps receiving until
         * the socket has been quiet for {@link Options#drainMillis()}, then prints RESULT and exits.
         */
        public void stop() {
            // Through the handle: Process.destroy() would also close our end of the child's stdout,
            // and the RESULT line with it.
            process.toHandle().destroy();
        }

        /**
         * Waits for the RESULT line and the child's exit.
         *
         * @throws IOException if the child exits without a RESULT, fails, or {@code timeoutNanos} pass
         */
        public Result await(long timeoutNanos) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeoutNanos;
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException(receiver.binary() + ": no RESULT line within "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms" + stderrSuffix());
                }
                String line = stdout.poll(left, TimeUnit.NANOSECONDS);
                if (line == null) {
                    continue;
                }
                if (line.equals(EOF)) {
                    process.waitFor(1, TimeUnit.SECONDS);
                    throw new IOException(receiver.binary() + " ended without a RESULT line (exit "
                            + (process.isAlive() ? "?" : process.exitValue()) + ")" + stderrSuffix());
                }
                if (line.startsWith("RESULT ")) {
                    Result r = Result.parse(line);
                    if (!process.waitFor(Math.max(1, (deadline - System.nanoTime()) / 1_000_000),
                            TimeUnit.MILLISECONDS)) {
                        throw new IOException(receiver.binary() + " printed RESULT but did not exit");
                    }
                    return r;
                }
            }
        }

        private String stderrSuffix() {
            String e = stderr.toString().strip();
            return e.isEmpty() ? "" : ": " + e;
        }

        /** Ends the child if it is still running (our own child, by its handle): SIGTERM, then SIGKILL. */
        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static final String EOF = "\u0000EOF";
    private static Build build;

    private NativeReceivers() {
    }

    /**
     * Builds the receivers (once per process; later calls return the first outcome).
     *
     * @throws IOException if gcc is absent (build.sh exit 3; the message says so) or a compile fails
     */
    public static synchronized Build build() throws IOException, InterruptedException {
        if (build != null) {
            return build;
        }
        Path[] dirs = sourceAndOutput();
        Path script = dirs[0].resolve("build.sh");
        Process p = new ProcessBuilder("sh", script.toString(), dirs[1].toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("build.sh did not finish in 120 s: " + log.strip());
        }
        int rc = p.exitValue();
        if (rc != 0) {
            throw new IOException("build.sh failed (exit " + rc + (rc == 3 ? ", no C compiler" : "") + "): "
                    + log.strip());
        }
        Map<Receiver, String> unavailable = new EnumMap<>(Receiver.class);
        for (String line : log.lines().toList()) {
            for (Receiver r : Receiver.values()) {
                if (line.startsWith("skipped: " + r.binary())) {
                    unavailable.put(r, line.substring(line.indexOf(':', "skipped: ".length()) + 1).strip());
                }
            }
        }
        for (Receiver r : Receiver.values()) {
            if (!unavailable.containsKey(r) && !Files.isExecutable(dirs[1].resolve(r.binary()))) {
                unavailable.put(r, "build.sh did not produce " + r.binary());
            }
        }
        build = new Build(dirs[1], Collections.unmodifiableMap(unavailable), log);
        return build;
    }

    /** {source dir, output dir}. */
    private static Path[] sourceAndOutput() throws IOException {
        String configured = System.getProperty("zgrnet.native.dir");
        if (configured != null) {
            Path src = Path.of(configured).toAbsolutePath();
            return new Path[] {src, src.resolveSibling("target").resolve("native")};
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path src = d.resolve("bench").resolve("native");
            if (Files.isRegularFile(src.resolve("build.sh"))) {
                return new Path[] {src, d.resolve("bench").resolve("target").resolve("native")};
            }
            if (d.getFileName() != null && d.getFileName().toString().equals("bench")
                    && Files.isRegularFile(d.resolve("native").resolve("build.sh"))) {
                return new Path[] {d.resolve("native"), d.resolve("target").resolve("native")};
            }
        }
        Path tmp = Files.createTempDirectory("zgrnet-native");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(tmp), "zgrnet-native-cleanup"));
        for (String name : SOURCES) {
            try (InputStream in = NativeReceivers.class.getResourceAsStream("/native/" + name)) {
                if (in == null) {
                    throw new IOException("bench/native not found from " + Path.of("").toAbsolutePath()
                            + " and not packaged (native/" + name + "); set -Dzgrnet.native.dir");
                }
                Files.copy(in, tmp.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return new Path[] {tmp, tmp.resolve("bin")};
    }

    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // best effort: a temporary directory
        }
    }

    /**
     * Builds if needed and starts {@code receiver}; returns once it printed READY.
     *
     * @throws IOException if it is not built here (the message says why) or does not get ready
     */
    public static Running start(Receiver receiver, Options options) throws IOException, InterruptedException {
        Build b = build();
        if (!b.available(receiver)) {
            throw new IOException(receiver.binary() + " unavailable: " + b.unavailable().get(receiver));
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(b.binary(receiver).toString());
        cmd.addAll(options.args());
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        StringBuffer err = new StringBuffer();
        drain(p.getInputStream(), receiver.binary() + "-out", line -> lines.add(line), () -> lines.add(EOF));
        drain(p.getErrorStream(), receiver.binary() + "-err", line -> err.append(line).append('\n'), () -> { });
        long deadline = System.nanoTime() + READY_TIMEOUT_NS;
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
                if (line == null || line.equals(EOF)) {
                    p.waitFor(200, TimeUnit.MILLISECONDS);
                    throw new IOException(receiver.binary() + " did not print READY"
                            + (p.isAlive() ? " within 10 s" : " (exit " + p.exitValue() + ")")
                            + (err.isEmpty() ? "" : ": " + err.toString().strip()));
                }
                if (line.startsWith("READY port=")) {
                    return new Running(receiver, p, lines, err, Integer.parseInt(line.substring(11).strip()));
                }
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private static void drain(InputStream in, String name, java.util.function.Consumer<String> onLine,
            Runnable onEnd) {
        Thread.ofPlatform().daemon().name(name).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    onLine.accept(line);
                }
            } catch (IOException e) {
                // the child is gone
            } finally {
                onEnd.run();
            }
        });
    }

    /** One driver run: what the sender offered and what the receiver reported. */
    record Run(Result result, long sent, double senderSeconds, double othersBusy) {
        double lossPercent() {
            return sent == 0 ? 0 : 100.0 * (sent - result.datagrams()) / sent;
        }
    }

    /**
     * Driver: offers a paced GSO load on loopback to each C receiver and prints a Markdown table
     * (median run by CPU per datagram), like {@link ReceiveBench} for the Java backends.
     * Options: {@code --receivers=recvmmsg,uring_multishot --sizes=64,1200 --rate=1000000
     * --seconds=5 --runs=3 --gso=true --await-quiet=0.15}.
     */
    public static void main(String[] args) throws Exception {
        List<Receiver> receivers = List.of(Receiver.values());
        List<Integer> sizes = List.of(64, 1200);
        long rate = 1_000_000;
        double seconds = 5;
        int runs = 3;
        boolean gso = true;
        double quiet = 0.15;
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            String v = kv.length > 1 ? kv[1] : "";
            switch (kv[0]) {
                case "receivers" -> receivers = java.util.Arrays.stream(v.split(",")).map(Receiver::of).toList();
                case "sizes" -> sizes = java.util.Arrays.stream(v.split(",")).map(Integer::valueOf).toList();
                case "rate" -> rate = Long.parseLong(v);
                case "seconds" -> seconds = Double.parseDouble(v);
                case "runs" -> runs = Integer.parseInt(v);
                case "gso" -> gso = Boolean.parseBoolean(v);
                case "await-quiet" -> quiet = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        Build b = build();
        System.out.print(b.log().lines().map(l -> "# " + l + "\n").reduce("", String::concat));
        System.out.printf(Locale.ROOT, "# offered %d pps for %.1f s, %d runs, GSO %s; receiver on CPU 1, sender on "
                + "CPU 0; median run by CPU/datagram%n", rate, seconds, runs, gso);
        System.out.println("| receiver | size B | sent | received | loss % | rx pps | rx CPU ns/dgram | user % | "
                + "others' CPU % | counters |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (int size : sizes) {
            for (Receiver r : receivers) {
                if (!b.available(r)) {
                    System.out.printf(Locale.ROOT, "| %s | %d | skipped: %s |||||||%n", r.label(), size,
                            b.unavailable().get(r));
                    continue;
                }
                List<Run> results = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    ReceiveBench.awaitQuiet(quiet);
                    Run run = runOnce(r, size, rate, seconds, gso);
                    System.err.printf(Locale.ROOT, "  run %s %dB: %.0f ns/dgram, loss %.2f%%, sent %d in %.2f s; %s%n",
                            r.label(), size, run.result().nsPerDatagram(), run.lossPercent(), run.sent(),
                            run.senderSeconds(), run.result().fields());
                    results.add(run);
                }
                results.sort(Comparator.comparingDouble(x -> x.result().nsPerDatagram()));
                Run m = results.get(results.size() / 2);
                Result x = m.result();
                Map<String, String> extra = new LinkedHashMap<>(x.fields());
                for (String k : List.of("receiver", "datagrams", "bytes", "seconds", "cpu_user_ns", "cpu_sys_ns",
                        "cpu_ns", "ns_per_datagram", "pps")) {
                    extra.remove(k);
                }
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %.2f | %.0f | %.0f | %.0f | %.1f | %s |%n",
                        x.receiver(), size, m.sent(), x.datagrams(), m.lossPercent(),
                        x.seconds() > 0 ? x.datagrams() / x.seconds() : 0, x.nsPerDatagram(),
                        100.0 * x.cpuUserNs() / Math.max(1, x.cpuUserNs() + x.cpuSysNs()), m.othersBusy() * 100,
                        extra.toString().replace("{", "").replace("}", ""));
            }
        }
    }

    private static Run runOnce(Receiver receiver, int size, long rate, double seconds, boolean gso)
            throws Exception {
        Options o = new Options(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0, 0, 0, 100,
                30, 1);
        Affinity.pin(0);
        try (Running rx = start(receiver, o);
                GsoSender sender = new GsoSender(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(),
                        rx.port()), size, gso)) {
            long[] cpu0 = cpuTimes();
            long t0 = System.nanoTime();
            long sent = sender.run((long) (rate * seconds), rate);
            double senderSeconds = (System.nanoTime() - t0) / 1e9;
            long[] cpu1 = cpuTimes();
            rx.stop();
            Result r = rx.await(TimeUnit.SECONDS.toNanos(30));
            // Rough share of the CPUs used by processes other than the two of us (cannot separate
            // the child exactly here, so: total busy minus what the sender core and the receiver's
            // CPU time account for).
            long total = cpu1[0] - cpu0[0];
            double busy = total == 0 ? 0 : 1.0 - (double) (cpu1[1] - cpu0[1]) / total;
            double ours = (senderSeconds + r.cpuNs() / 1e9) / (senderSeconds * Runtime.getRuntime().availableProcessors());
            return new Run(r, sent, senderSeconds, Math.max(0, busy - ours));
        }
    }

    /** {total, idle} jiffies from the first line of /proc/stat. */
    private static long[] cpuTimes() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }
}
