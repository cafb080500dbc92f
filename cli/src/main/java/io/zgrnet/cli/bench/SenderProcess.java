package io.zgrnet.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The load generator as a separate JVM: this program re-launched ({@code java} of this process,
 * same class path, {@code --enable-native-access=ALL-UNNAMED}) with the hidden
 * {@code bench-sender} subcommand, driven over its stdin/stdout one line at a time. A separate
 * process keeps the sender's CPU time, GC and JIT out of the receiver's measurements.
 */
public final class SenderProcess implements AutoCloseable {
    private final Process process;
    private final PrintWriter to;
    private final BufferedReader from;
    private final boolean pinned;

    /** What one {@code send} did. */
    public record Sent(long sent, long elapsedNanos, long cpuNanos, long calls, long errors) {
        /** Datagrams per second the kernel accepted. */
        public double pps() {
            return elapsedNanos == 0 ? 0 : sent * 1e9 / elapsedNanos;
        }
    }

    /** What {@code open} set up. */
    public record Opened(boolean gso, int burst, String gsoCause) {
    }

    /**
     * Starts the sender.
     *
     * @param cpu CPU to pin its sending thread to, or -1
     */
    public SenderProcess(int cpu) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), "io.zgrnet.cli.Main", "bench-sender",
                "--cpu", Integer.toString(cpu)));
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        to = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        from = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ready = readLine();
        if (!ready.startsWith("ready")) {
            throw new IOException("bench-sender did not start: " + ready);
        }
        pinned = ready.contains("pinned=true");
    }

    /** True when the sender pinned itself to the CPU asked for. */
    public boolean pinned() {
        return pinned;
    }

    /**
     * Points the sender at a loopback port with datagrams of {@code size} bytes.
     *
     * @param flows source sockets the bursts rotate over (several: SO_REUSEPORT shards share the load)
     */
    public Opened open(int port, int size, boolean gso, int flows) throws IOException {
        Map<String, String> kv = ask("open " + port + " " + size + " " + gso + " " + flows);
        return new Opened(Boolean.parseBoolean(kv.get("gso")), Integer.parseInt(kv.get("burst")),
                "-".equals(kv.get("cause")) ? null : kv.get("cause").replace('_', ' '));
    }

    /** Sends for {@code nanos} at {@code ratePps} (0: as fast as possible) and returns what happened. */
    public Sent send(long ratePps, long nanos) throws IOException {
        Map<String, String> kv = ask("send " + ratePps + " " + nanos);
        return new Sent(Long.parseLong(kv.get("sent")), Long.parseLong(kv.get("elapsed_ns")),
                Long.parseLong(kv.get("cpu_ns")), Long.parseLong(kv.get("calls")), Long.parseLong(kv.get("errors")));
    }

    private Map<String, String> ask(String command) throws IOException {
        to.println(command);
        String line = readLine();
        if (line.startsWith("error")) {
            throw new IOException("bench-sender: " + line);
        }
        Map<String, String> kv = new HashMap<>();
        for (String f : line.split("\\s+")) {
            int eq = f.indexOf('=');
            if (eq > 0) {
                kv.put(f.substring(0, eq), f.substring(eq + 1));
            }
        }
        return kv;
    }

    private String readLine() throws IOException {
        String line = from.readLine();
        if (line == null) {
            throw new IOException("bench-sender exited (status " + (process.isAlive() ? "running" : process.exitValue())
                    + ")");
        }
        return line;
    }

    @Override
    public void close() {
        to.println("quit");
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
