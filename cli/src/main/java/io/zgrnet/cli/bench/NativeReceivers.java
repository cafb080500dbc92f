package io.zgrnet.cli.bench;

import io.zgrnet.sys.RecvmsgOut;
import io.zgrnet.sys.Signals;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The C reference receivers of {@code bench/native} (a recvmmsg loop and a liburing multishot
 * loop) as {@link Receiver}s, built with the directory's {@code build.sh} when gcc is present.
 *
 * <p>Each receiver is a process driven by signals and its stdout (see the programs' header
 * comments): it prints {@code READY port=P} once bound; on SIGUSR1 it prints
 * {@code SNAP datagrams=N cpu_ns=C calls=K [cqes=Q batches=B] truncated=T}, counters cumulative
 * since READY, {@code cpu_ns} being the receiving thread's CLOCK_THREAD_CPUTIME_ID; on SIGTERM it
 * drains for 100 ms, prints its RESULT line and exits. Rows are named {@code c-recvmmsg},
 * {@code c-recvmmsg-gro} (the same program with UDP_GRO) and {@code c-uring-multishot}. The C programs do not read the payload's send stamp, so their rows
 * have no latency.
 */
public final class NativeReceivers {
    private static final Map<String, String> PROGRAMS = Map.of("c-recvmmsg", "recvmmsg_rx",
            "c-recvmmsg-gro", "recvmmsg_rx", "c-uring-multishot", "uring_multishot_rx");
    /** Extra arguments of a row's program. */
    private static final Map<String, List<String>> ARGUMENTS = Map.of("c-recvmmsg-gro", List.of("--gro", "1"));
    private static final List<String> ORDER = List.of("c-recvmmsg", "c-recvmmsg-gro", "c-uring-multishot");
    private static final long BUILD_TIMEOUT_SECONDS = 120;
    /** What build.sh built and skipped last time ("built NAME" / "skipped NAME: WHY" lines). */
    static final String MANIFEST = "build.manifest";

    private final List<Receiver.Kind> kinds;
    private final List<String> notes;

    private NativeReceivers(List<Receiver.Kind> kinds, List<String> notes) {
        this.kinds = kinds;
        this.notes = notes;
    }

    /**
     * Builds the receivers of {@code sourceDir} into {@code buildDir} when they are missing or older
     * than their sources (gcc only; liburing-dev for the ring receiver), then finds them. Anything
     * skipped becomes a note saying why.
     */
    public static NativeReceivers prepare(Path sourceDir, Path buildDir) {
        List<String> notes = new ArrayList<>();
        Path script = sourceDir.resolve("build.sh");
        if (!Files.isRegularFile(script)) {
            return new NativeReceivers(List.of(), List.of("C reference receivers skipped: " + script + " not found"));
        }
        try {
            if (stale(sourceDir, buildDir)) {
                String failure = build(script, buildDir);
                if (failure != null) {
                    notes.add(failure);
                }
            }
        } catch (IOException e) {
            notes.add("C reference receivers not built: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            notes.add("C reference receivers not built: interrupted");
        }
        boolean buildFailed = !notes.isEmpty(); // then its note already says why
        List<Receiver.Kind> kinds = new ArrayList<>();
        for (String name : ORDER) {
            Path exe = buildDir.resolve(PROGRAMS.get(name));
            if (Files.isExecutable(exe)) {
                kinds.add(kind(name, exe));
            } else if (!buildFailed) {
                notes.add(name + " skipped: " + exe + " not built" + (name.equals("c-uring-multishot")
                        ? " (needs <liburing.h>: apt-get install liburing-dev)" : ""));
            }
        }
        return new NativeReceivers(kinds, notes);
    }

    /** The receivers found. */
    public List<Receiver.Kind> kinds() {
        return kinds;
    }

    /** What was skipped and why (empty when both receivers are ready). */
    public List<String> notes() {
        return notes;
    }

    /**
     * Receiver {@code name} (c-recvmmsg, c-recvmmsg-gro, c-uring-multishot): the built one, or one
     * whose {@link Receiver.Kind#unavailabilityCause()} says why it was not built.
     */
    public Receiver.Kind kind(String name) {
        for (Receiver.Kind k : kinds) {
            if (k.name().equals(name)) {
                return k;
            }
        }
        String why = notes.stream().filter(n -> n.startsWith(name + " ")).findFirst()
                .orElse(notes.isEmpty() ? name + " not built" : String.join("; ", notes));
        return new Receiver.Kind() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String unavailabilityCause() {
                return why;
            }

            @Override
            public Receiver open(int size, int cpu) throws IOException {
                throw new IOException(name + ": " + why);
            }
        };
    }

    /**
     * True when the last build is not this machine's current one: no {@code build.manifest} (no
     * successful build yet), a source newer than it, a program it lists as built missing or older
     * than a source, or a different set of programs buildable now ({@code build.sh --buildable}:
     * gcc, and liburing-dev for the ring receiver, installed or removed since). A program the
     * manifest lists as skipped is not missing: without liburing-dev a second prepare keeps the build.
     */
    static boolean stale(Path sourceDir, Path buildDir) throws IOException, InterruptedException {
        Path manifest = buildDir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return true;
        }
        long newestSource = Files.getLastModifiedTime(sourceDir.resolve("build.sh")).toMillis();
        try (var files = Files.list(sourceDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.toString().endsWith(".c")) {
                    newestSource = Math.max(newestSource, Files.getLastModifiedTime(p).toMillis());
                }
            }
        }
        if (Files.getLastModifiedTime(manifest).toMillis() < newestSource) {
            return true;
        }
        Set<String> built = new TreeSet<>();
        for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
            if (line.startsWith("built ")) {
                built.add(line.substring(6).trim());
            }
        }
        for (String program : built) {
            Path exe = buildDir.resolve(program);
            if (!Files.isExecutable(exe) || Files.getLastModifiedTime(exe).toMillis() < newestSource) {
                return true;
            }
        }
        return !built.equals(buildable(sourceDir.resolve("build.sh")));
    }

    /** The programs {@code build.sh --buildable} says this machine can build now (empty without gcc). */
    private static Set<String> buildable(Path script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", script.toString(), "--buildable").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("build.sh --buildable took over " + BUILD_TIMEOUT_SECONDS + " s");
        }
        Set<String> out = new TreeSet<>();
        for (String line : output.split("\n")) {
            if (!line.isBlank()) {
                out.add(line.trim());
            }
        }
        return out;
    }

    /** Runs build.sh; returns null on success or a one-line note on failure. */
    private static String build(Path script, Path buildDir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", script.toString(), buildDir.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "C reference receivers not built: build.sh took over " + BUILD_TIMEOUT_SECONDS + " s";
        }
        return switch (p.exitValue()) {
            case 0 -> null;
            case 3 -> "C reference receivers skipped: gcc not found (install gcc, and liburing-dev for the ring one)";
            default -> "C reference receivers not built: build.sh exited " + p.exitValue() + ": "
                    + lastLine(output);
        };
    }

    private static String lastLine(String text) {
        int nl = text.lastIndexOf('\n');
        return nl < 0 ? text : text.substring(nl + 1);
    }

    static Receiver.Kind kind(String name, Path exe) {
        return new Receiver.Kind() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String unavailabilityCause() {
                return null;
            }

            @Override
            public Receiver open(int size, int cpu) throws IOException {
                List<String> arguments = new ArrayList<>(ARGUMENTS.getOrDefault(name, List.of()));
                arguments.addAll(sizeArguments(name, size));
                return new External(name, exe, arguments, cpu);
            }
        };
    }

    /** uring_multishot_rx.c's buffer header: io_uring_recvmsg_out and its 32-byte name area (NAME_BYTES). */
    private static final int C_URING_HEADER = RecvmsgOut.SIZE + 32;

    /**
     * {@code --size} for a datagram of {@code size} bytes when the receiver's default 2 KiB buffers
     * are too small: the C recvmmsg receiver's buffers hold the payload, the liburing one's also the
     * 48-byte recvmsg_out header and name area (as the Java zero-copy ring's slots do). The GRO
     * receiver's buffers are 64 KiB already.
     */
    static List<String> sizeArguments(String name, int size) {
        int need = name.equals("c-uring-multishot") ? size + C_URING_HEADER : size;
        if (name.endsWith("-gro") || need <= 2048) {
            return List.of();
        }
        return List.of("--size", Integer.toString(Math.min(65536, (need + 63) & ~63)));
    }

    /** One external receiver process. */
    static final class External implements Receiver {
        private static final long REPLY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

        private final String name;
        private final Process process;
        private final BufferedReader from;
        private final InetSocketAddress address;

        External(String name, Path exe, List<String> arguments, int cpu) throws IOException {
            this.name = name;
            List<String> cmd = new ArrayList<>(List.of(exe.toString(), "--bind", "127.0.0.1:0", "--wait-seconds", "0"));
            cmd.addAll(arguments);
            if (cpu >= 0) {
                cmd.addAll(List.of("--cpu", Integer.toString(cpu)));
            }
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            process.getOutputStream().close();
            from = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            try {
                String first = readLine("READY");
                address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        (int) fields(first).getOrDefault("port", -1L).longValue());
                if (address.getPort() <= 0) {
                    throw new IOException(name + ": expected \"READY port=P\", got \"" + first + "\"");
                }
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        @Override
        public InetSocketAddress address() {
            return address;
        }

        @Override
        public long receivedSoFar() throws IOException {
            return snap().getOrDefault("datagrams", 0L);
        }

        @Override
        public Snapshot snapshot(boolean resetLatency) throws IOException {
            Map<String, Long> kv = snap();
            return new Snapshot(kv.getOrDefault("datagrams", 0L), kv.getOrDefault("cpu_ns", 0L),
                    kv.getOrDefault("calls", -1L), kv.getOrDefault("cqes", -1L), kv.getOrDefault("batches", -1L), null);
        }

        private Map<String, Long> snap() throws IOException {
            Signals.kill(process.pid(), Signals.SIGUSR1);
            return fields(readLine("SNAP"));
        }

        private static Map<String, Long> fields(String line) {
            Map<String, Long> kv = new HashMap<>();
            for (String f : line.trim().split("\\s+")) {
                int eq = f.indexOf('=');
                if (eq > 0) {
                    try {
                        kv.put(f.substring(0, eq), Long.parseLong(f.substring(eq + 1)));
                    } catch (NumberFormatException e) {
                        // a field this harness does not use (e.g. setup_flags=0x...)
                    }
                }
            }
            return kv;
        }

        /** Reads the next line starting with {@code tag}, waiting at most 5 s for it. */
        private String readLine(String tag) throws IOException {
            long deadline = System.nanoTime() + REPLY_TIMEOUT_NANOS;
            while (!from.ready()) {
                if (!process.isAlive()) {
                    throw new IOException(name + " exited with status " + process.exitValue() + " before " + tag);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException(name + " did not print " + tag + " within 5 s");
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(name + ": interrupted waiting for " + tag);
                }
            }
            String line = from.readLine();
            if (line == null || !line.startsWith(tag)) {
                throw new IOException(name + ": expected a " + tag + " line, got \"" + line + "\"");
            }
            return line;
        }

        @Override
        public void close() {
            process.destroy(); // SIGTERM: the receiver drains for 100 ms, prints RESULT and exits
            try {
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(3, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try {
                from.close();
            } catch (IOException e) {
                // the pipe is gone with the process
            }
        }
    }
}
