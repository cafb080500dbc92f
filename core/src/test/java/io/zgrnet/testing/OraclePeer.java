package io.zgrnet.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The reference zgrnet peer ({@code shared/oracle/zgr_oracle.py peer}) as a child process on
 * loopback. Its JSON event lines are collected by a reader thread; tests wait for events with a
 * deadline. Closing kills the process.
 */
public final class OraclePeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Thread reader;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();

    private OraclePeer(Process process) {
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().name("oracle-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    try {
                        events.add(JSON.readTree(line));
                    } catch (IOException e) {
                        events.add(JSON.createObjectNode().put("event", "unparsed").put("line", line));
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        Thread.ofPlatform().daemon().name("oracle-stderr").start(() -> {
            try {
                String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                synchronized (stderr) {
                    stderr.append(err);
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
    }

    /** Skips the calling test (with the reason) when python3 with {@code cryptography} is missing. */
    public static void assumeAvailable() {
        boolean ok;
        try {
            Process p = new ProcessBuilder("python3", "-c", "import cryptography").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, "python3 with the cryptography package is not available: oracle interop skipped "
                + "(apt-get install python3-cryptography)");
    }

    /**
     * Starts {@code zgr_oracle.py peer} with the given arguments (after {@code peer}); waits for its
     * {@code listening} event.
     */
    public static OraclePeer start(List<String> args) throws IOException {
        assumeAvailable();
        List<String> command = new ArrayList<>(List.of("python3",
                SharedFiles.path("oracle/zgr_oracle.py").toString(), "peer"));
        command.addAll(args);
        OraclePeer peer = new OraclePeer(new ProcessBuilder(command).start());
        peer.await("listening", Duration.ofSeconds(20));
        return peer;
    }

    /** The address the oracle bound (from its {@code listening} event). */
    public InetSocketAddress listeningAddress() {
        for (JsonNode e : seen) {
            if ("listening".equals(e.path("event").asText())) {
                String addr = e.get("addr").asText();
                int colon = addr.lastIndexOf(':');
                return new InetSocketAddress(addr.substring(0, colon), Integer.parseInt(addr.substring(colon + 1)));
            }
        }
        throw new IllegalStateException("no listening event");
    }

    /**
     * Waits for the next event named {@code name}, keeping all events seen on the way.
     *
     * @throws AssertionError with everything seen when the deadline passes or an error event comes
     */
    public JsonNode await(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode e;
            try {
                e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for oracle event " + name, ex);
            }
            if (e == null) {
                throw new AssertionError("oracle: no '" + name + "' event within " + timeout + "; seen " + seen
                        + "; alive=" + process.isAlive() + "; stderr=" + stderr());
            }
            seen.add(e);
            String event = e.path("event").asText();
            if (event.equals(name)) {
                return e;
            }
            if (event.equals("error")) {
                throw new AssertionError("oracle reported an error while waiting for '" + name + "': " + e
                        + "; seen " + seen + "; stderr=" + stderr());
            }
        }
    }

    /** The stream mode's final {@code STATS k=v ...} line as a map (after {@link #waitForExit}), or empty. */
    public java.util.Map<String, String> streamStats() {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (JsonNode e : seen()) {
            String line = e.path("line").asText("");
            if ("unparsed".equals(e.path("event").asText()) && line.startsWith("STATS ")) {
                for (String kv : line.substring(6).trim().split("\\s+")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        out.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
        }
        return out;
    }

    /** All events consumed so far. */
    public List<JsonNode> seen() {
        return List.copyOf(seen);
    }

    /** Waits for the process to exit and returns its exit code. */
    public int waitForExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            events.drainTo(seen);
            throw new AssertionError("oracle did not exit within " + timeout + "; seen " + seen);
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
        events.drainTo(seen);
        return process.exitValue();
    }

    private String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
