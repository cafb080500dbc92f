package io.zgrnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code zgrnet bench --quick} as CI runs it: a smoke test of the whole pipeline (sender process,
 * receivers, transports, reports). No speed assertions: CI machines are what they are.
 */
class BenchCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    @Timeout(90)
    void quickBenchWritesTableJsonAndHtml() throws Exception {
        Path json = dir.resolve("bench.json");
        Path html = dir.resolve("bench.html");
        long t0 = System.nanoTime();
        Run r = run("bench", "--quick", "--native-dir", dir.resolve("no-native").toString(), "--json", json.toString(),
                "--html", html.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("# "), r.out());
        assertTrue(r.out().contains("| receiver |"), r.out());
        assertTrue(r.out().contains("| backend |"), r.out());
        assertTrue(r.out().contains("skipped"), "missing native receivers are a note: " + r.out());
        assertTrue(r.out().contains("CPU steal time"), "the host's steal time is a note: " + r.out());

        JsonNode root = new ObjectMapper().readTree(Files.readString(json));
        assertTrue(root.path("machine").path("line").asText().contains("cores"), root.toString());
        assertTrue(root.path("machine").path("kernel").isTextual());
        JsonNode raw = root.path("raw");
        assertTrue(raw.isArray() && !raw.isEmpty(), "raw rows: " + raw);
        JsonNode measured = null;
        for (JsonNode row : raw) {
            if (row.path("runs").asInt() > 0) {
                measured = row;
            }
        }
        assertTrue(measured != null, "at least one raw row was measured: " + raw);
        assertTrue(measured.path("rx_pps").path("median").isNumber(), measured.toString());
        assertTrue(measured.has("offered_pps") && measured.has("duration_s") && measured.has("loss_percent"));
        assertTrue(measured.path("rx_cpu_percent").path("median").isNumber(), measured.toString());
        JsonNode e2e = root.path("e2e");
        assertTrue(e2e.isArray() && !e2e.isEmpty(), "e2e rows: " + e2e);
        assertTrue(e2e.get(0).path("pps").path("median").isNumber(), e2e.toString());
        assertEquals("max", e2e.get(0).path("offered_pps").asText(), "the unpaced writer says so");

        JsonNode zero = root.path("zero_loss");
        assertTrue(zero.isArray() && !zero.isEmpty(), "quick runs a zero-loss search too: " + zero);
        for (JsonNode z : zero) {
            assertTrue(z.path("trials").isArray() && !z.path("trials").isEmpty(), z.toString());
            assertTrue(z.has("rate_pps") && z.has("cpu_ns_per_datagram") && z.has("upper_bound_pps"), z.toString());
        }
        assertTrue(r.out().contains("## zero-loss rate"), r.out());

        // The same run as a baseline: every measured row gets its ratios.
        Run again = run("bench", "--quick", "--no-e2e", "--no-zero-loss", "--loads", "max", "--backends", "mmsg",
                "--baseline", json.toString());
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("vs baseline"), again.out());
        assertTrue(again.out().matches("(?s).*\\| mmsg \\| 64 \\| max \\|.*rx pps x\\d\\.\\d\\d.*"), again.out());

        String page = Files.readString(html);
        assertTrue(page.contains("<svg"), "HTML has inline SVG charts");
        assertFalse(page.contains("<script"), "HTML works offline without scripts");
        assertTrue(took.toSeconds() < 60, "--quick took " + took);
    }

    /** --streams-only: a few MB through every stream row and TCP; the rows exist and say what they measured. */
    @Test
    @Timeout(120)
    void streamsOnlyWritesStreamAndTcpRows() throws Exception {
        Path json = dir.resolve("streams.json");
        Run r = run("bench", "--streams-only", "--quick", "--stream-bytes", "2", "--json", json.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("## streams"), r.out());
        assertFalse(r.out().contains("| receiver |"), "--streams-only runs no raw rows: " + r.out());
        JsonNode rows = new ObjectMapper().readTree(Files.readString(json)).path("streams");
        // 1 and 4 streams: direct at 0 %, the forwarder at 0 % and 1 %, TCP.
        assertEquals(8, rows.size(), rows.toString());
        int tcp = 0;
        int lossy = 0;
        for (JsonNode row : rows) {
            assertEquals(1, row.path("runs").asInt(), row.toString());
            assertTrue(row.path("mb_per_s").path("median").asDouble() > 0, row.toString());
            assertTrue(row.path("cpu_ms_per_mb").has("median"), row.toString());
            assertEquals(2_000_000, row.path("bytes_per_run").asLong(), row.toString());
            if (row.path("transport").asText().equals("tcp")) {
                tcp++;
            } else {
                assertTrue(row.path("transport").asText().startsWith("zgrnet ("), row.toString());
                assertTrue(row.path("frames_per_mb").path("median").asDouble() > 0, row.toString());
            }
            if (row.path("loss_percent").asDouble() == 1.0) {
                lossy++;
                assertEquals("forwarder", row.path("path").asText(), row.toString());
                assertTrue(row.path("note").asText().contains("dropped"), row.toString());
            }
        }
        assertEquals(2, tcp, rows.toString());
        assertEquals(2, lossy, rows.toString());
    }

    @Test
    void badOptionsAreOneLineUsageErrors() {
        Run r = run("bench", "--loads", "fast");
        assertEquals(Main.EXIT_USAGE, r.exit());
        assertTrue(r.err().startsWith("zgrnet: --loads"), r.err());
        Run b = run("bench", "--backends", "carrier-pigeon");
        assertEquals(Main.EXIT_USAGE, b.exit());
        assertTrue(b.err().contains("unknown receiver carrier-pigeon"), b.err());
        Run e = run("bench", "--e2e-backends", "auto");
        assertEquals(Main.EXIT_USAGE, e.exit());
        assertTrue(e.err().contains("not AUTO"), "lower-case modes parse (and AUTO is refused by name): " + e.err());
        Run f = run("bench", "--flows", "0");
        assertEquals(Main.EXIT_USAGE, f.exit());
        assertTrue(f.err().startsWith("zgrnet: --flows"), f.err());
        Run x = run("bench", "--backends", "mmsg/x0");
        assertEquals(Main.EXIT_USAGE, x.exit());
        assertTrue(x.err().contains("shards must be 1..16"), x.err());
        Run p = run("bench", "--e2e-rate", "fast");
        assertEquals(Main.EXIT_USAGE, p.exit());
        assertTrue(p.err().startsWith("zgrnet: --e2e-rate"), p.err());
        Run z = run("bench", "--zero-loss-steps", "0");
        assertEquals(Main.EXIT_USAGE, z.exit());
        assertTrue(z.err().startsWith("zgrnet: --zero-loss-trial"), z.err());
        assertEquals("zgrnet: --baseline: /nonexistent/old.json: no such file or directory",
                CliRun.run("bench", "--baseline", "/nonexistent/old.json").failureLine(Main.EXIT_USAGE));
        // Report files that could not be written are refused before minutes of measuring, not after.
        assertEquals("zgrnet: --json: /nonexistent/dir/r.json: directory /nonexistent/dir does not exist",
                CliRun.run("bench", "--json", "/nonexistent/dir/r.json").failureLine(Main.EXIT_USAGE));
        assertEquals("zgrnet: --html: " + dir + " is a directory; give a file name",
                CliRun.run("bench", "--html", dir.toString()).failureLine(Main.EXIT_USAGE));
        assertEquals("zgrnet: --stream-loss: each loss must be 0..50 percent, got 60.0",
                CliRun.run("bench", "--streams-only", "--stream-loss", "60").failureLine(Main.EXIT_USAGE));
        assertEquals("zgrnet: --stream-counts: each count must be 1..64, got 0",
                CliRun.run("bench", "--streams", "--stream-counts", "0").failureLine(Main.EXIT_USAGE));
        Run c = run("bench", "--backends", "pigeon/x2");
        assertEquals(Main.EXIT_USAGE, c.exit());
        assertTrue(c.err().contains("only zgrnet receivers shard"), c.err());
    }
}
