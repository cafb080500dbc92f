package io.zgrnet.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.cli.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's JSON round trip and the baseline ratios, from made-up rows (no measuring). */
class ReportTest {
    @TempDir
    Path dir;

    private static RawBench.Row rawRow(String receiver, double pps, double cpu) {
        Map<String, Spread> v = new LinkedHashMap<>();
        v.put("rx_pps", Spread.of(pps));
        v.put("cpu_ns_per_datagram", Spread.of(cpu));
        v.put("loss_percent", Spread.of(0));
        return new RawBench.Row(receiver, 64, 0, 0.5, 1, true, v, "");
    }

    private static Report report(double pps, double cpu, double zeroRate, Baseline baseline) {
        Machine m = new Machine("cpu", 2, "kernel", "jdk", "uring", "aead");
        ZeroLoss.Trial t = new ZeroLoss.Trial(zeroRate, zeroRate, 0, cpu);
        ZeroLoss.Row z = new ZeroLoss.Row("raw", "mmsg", 64, 0, 0.5, 6, List.of(new ZeroLoss.Trial(2e6, 1e6, 50, cpu),
                t), t, 1e6, "");
        return new Report(m, "zgrnet bench", "settings", List.of(rawRow("mmsg", pps, cpu)), List.of(), List.of(z),
                List.of(), List.of("a note"), baseline);
    }

    @Test
    void aRunComparedWithItsSavedSelfShowsRatiosOfTheComparedMetrics() throws Exception {
        Path old = dir.resolve("old.json");
        Files.writeString(old, Json.writeRows(report(1_000_000, 500, 800_000, null).toJson()));
        Report now = report(1_100_000, 450, 400_000, Baseline.load(old));

        Map<?, ?> root = (Map<?, ?>) Json.parse(Json.writeRows(now.toJson()));
        Map<?, ?> raw = (Map<?, ?>) ((List<?>) root.get("raw")).get(0);
        Map<?, ?> vs = (Map<?, ?>) raw.get("vs_baseline");
        assertEquals(1.1, (Double) vs.get("rx_pps"), 1e-9);
        assertEquals(0.9, (Double) vs.get("cpu_ns_per_datagram"), 1e-9);
        assertTrue(!vs.containsKey("loss_percent"), "loss is not a compared metric: " + vs);
        Map<?, ?> zero = (Map<?, ?>) ((List<?>) root.get("zero_loss")).get(0);
        assertEquals(0.5, (Double) ((Map<?, ?>) zero.get("vs_baseline")).get("rate_pps"), 1e-9);
        assertEquals(2, ((List<?>) zero.get("trials")).size(), "every trial is in the JSON");
        assertEquals(0.001, (Double) zero.get("loss_limit_percent"), 1e-12);

        String table = now.table();
        assertTrue(table.contains("vs baseline"), table);
        assertTrue(table.contains("rx pps x1.10, CPU ns/dgram x0.90"), table);
        assertTrue(table.contains("zero-loss rate x0.50"), table);
    }

    @Test
    void receiveCostIsComparedWithTheCheaperCReferenceOfTheSameSizeAndLoad() {
        Machine m = new Machine("cpu", 2, "kernel", "jdk", "uring", "aead");
        Report r = new Report(m, "c", "s", List.of(rawRow("uring-multishot", 1e6, 600), rawRow("mmsg-gro", 1e6, 60),
                rawRow("c-recvmmsg", 1e6, 550), rawRow("c-uring-multishot", 1e6, 500)), List.of(), List.of(), List.of(),
                List.of(), null);
        List<Report.CostRatio> c = r.costVsC();
        assertEquals(1, c.size(), "GRO rows and the C rows themselves are not compared: " + c);
        assertEquals(1.2, c.get(0).ratio(), 1e-9);
        assertEquals("c-uring-multishot", c.get(0).cReference());
        assertTrue(r.table().contains("| uring-multishot | 64 | 1.20 |"), r.table());
    }

    @Test
    void aFileThatIsNotABenchReportIsRefusedByName() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"probe\": 1}");
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> Baseline.load(bad));
        assertTrue(e.getMessage().contains("not a zgrnet bench JSON report"), e.getMessage());
        Files.writeString(bad, "{\"raw\": [");
        e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> Baseline.load(bad));
        assertTrue(e.getMessage().contains("offset"), e.getMessage());
    }

    @Test
    void theJsonReaderReadsWhatTheWriterWrites() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "quote \" backslash \\ newline \n é \u0007");
        m.put("d", 1.5e-7);
        m.put("n", -42L);
        m.put("nan", Double.NaN);
        m.put("l", List.of(true, false, "x"));
        Map<?, ?> back = (Map<?, ?>) Json.parse(Json.writeRows(m));
        assertEquals(m.get("s"), back.get("s"));
        assertEquals(1.5e-7, (Double) back.get("d"), 1e-15);
        assertEquals(-42.0, back.get("n"));
        assertTrue(back.containsKey("nan") && back.get("nan") == null);
        assertEquals(List.of(true, false, "x"), back.get("l"));
    }
}
