package io.zgrnet.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The C reference receivers (bench/native: a recvmmsg loop and a liburing multishot loop) as
 * {@link Receiver}s: each is an executable driven like the sender, one line at a time.
 *
 * <p>Contract of an executable {@code DIR/build/NAME} (or {@code DIR/NAME}), NAME being
 * {@code recvmmsg_rx} or {@code uring_multishot_rx}:
 * <pre>
 * NAME --port 0 --size BYTES [--cpu N]   binds 127.0.0.1, prints "port P", then drains the socket
 * stdin "snap"         -> "rx=N cpu_ns=C calls=K"   cumulative; cpu_ns = CLOCK_THREAD_CPUTIME_ID
 *                                                   of the receiving thread, calls = receive syscalls
 *                                                   (io_uring_enter for the ring); optional
 *                                                   "cqes=Q batches=B p50_ns=X p99_ns=Y"
 * stdin "snap reset"   -> the same, then a new latency window
 * stdin EOF or "quit"  -> exits
 * </pre>
 * Rows are named {@code c-recvmmsg} and {@code c-uring-multishot}.
 */
public final class NativeReceivers {
    private static final Map<String, String> PROGRAMS = Map.of("c-recvmmsg", "recvmmsg_rx",
            "c-uring-multishot", "uring_multishot_rx");

    private final List<Receiver.Kind> kinds;
    private final String note;

    private NativeReceivers(List<Receiver.Kind> kinds, String note) {
        this.kinds = kinds;
        this.note = note;
    }

    /** Looks for the receivers under {@code dir}; a missing directory or program becomes a note. */
    public static NativeReceivers find(Path dir) {
        if (!Files.isDirectory(dir)) {
            return new NativeReceivers(List.of(), "C reference receivers skipped: " + dir + " not found");
        }
        List<Receiver.Kind> kinds = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : List.of("c-recvmmsg", "c-uring-multishot")) {
            String program = PROGRAMS.get(name);
            Path exe = Files.isExecutable(dir.resolve("build").resolve(program)) ? dir.resolve("build").resolve(program)
                    : dir.resolve(program);
            if (Files.isExecutable(exe)) {
                kinds.add(kind(name, exe));
            } else {
                missing.add(program);
            }
        }
        return new NativeReceivers(kinds, missing.isEmpty() ? null
                : "C reference receivers not built (" + String.join(", ", missing) + " missing in " + dir
                        + "/build; run " + dir + "/build.sh)");
    }

    /** The receivers found. */
    public List<Receiver.Kind> kinds() {
        return kinds;
    }

    /** What was skipped, or null. */
    public String note() {
        return note;
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
                return new External(exe, size, cpu);
            }
        };
    }

    /** One external receiver process. */
    static final class External implements Receiver {
        private final Process process;
        private final PrintWriter to;
        private final BufferedReader from;
        private final InetSocketAddress address;

        External(Path exe, int size, int cpu) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(exe.toString(), "--port", "0", "--size", Integer.toString(size)));
            if (cpu >= 0) {
                cmd.addAll(List.of("--cpu", Integer.toString(cpu)));
            }
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            to = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
            from = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String first = readLine();
            if (!first.startsWith("port ")) {
                close();
                throw new IOException(exe + ": expected \"port P\", got \"" + first + "\"");
            }
            address = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(first.substring(5).trim()));
        }

        @Override
        public InetSocketAddress address() {
            return address;
        }

        @Override
        public long receivedSoFar() throws IOException {
            return ask("snap").getOrDefault("rx", 0L);
        }

        @Override
        public Snapshot snapshot(boolean resetLatency) throws IOException {
            Map<String, Long> kv = ask(resetLatency ? "snap reset" : "snap");
            return new Snapshot(kv.getOrDefault("rx", 0L), kv.getOrDefault("cpu_ns", 0L), kv.getOrDefault("calls", -1L),
                    kv.getOrDefault("cqes", -1L), kv.getOrDefault("batches", -1L), null);
        }

        private Map<String, Long> ask(String command) throws IOException {
            to.println(command);
            Map<String, Long> kv = new HashMap<>();
            for (String f : readLine().trim().split("\\s+")) {
                int eq = f.indexOf('=');
                if (eq > 0) {
                    try {
                        kv.put(f.substring(0, eq), Long.parseLong(f.substring(eq + 1)));
                    } catch (NumberFormatException e) {
                        // an extra field this harness does not know
                    }
                }
            }
            return kv;
        }

        private String readLine() throws IOException {
            String line = from.readLine();
            if (line == null) {
                throw new IOException("native receiver exited");
            }
            return line;
        }

        @Override
        public void close() {
            to.println("quit");
            to.close();
            try {
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
