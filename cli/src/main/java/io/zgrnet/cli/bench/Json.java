package io.zgrnet.cli.bench;

import java.util.List;
import java.util.Locale;

/** Writes a {@link Report} as JSON (hand-rolled: the CLI jar carries no JSON library). */
public final class Json {
    private Json() {
    }

    /** The report as one JSON object: machine, command, settings, raw[], e2e[], notes[]. */
    public static String write(Report r) {
        StringBuilder b = new StringBuilder("{\n");
        Machine m = r.machine();
        b.append("  \"machine\": {\"line\": ").append(str(m.line())).append(", \"cpu\": ").append(str(m.cpu()))
                .append(", \"cores\": ").append(m.cores()).append(", \"kernel\": ").append(str(m.kernel()))
                .append(", \"jdk\": ").append(str(m.jdk())).append(", \"io_uring\": ").append(str(m.ioUring()))
                .append(", \"aead\": ").append(str(m.aead()))
                .append("},\n");
        b.append("  \"command\": ").append(str(r.command())).append(",\n");
        b.append("  \"settings\": ").append(str(r.settings())).append(",\n");
        b.append("  \"raw\": [");
        List<RawBench.Row> raw = r.raw();
        for (int i = 0; i < raw.size(); i++) {
            RawBench.Row x = raw.get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {\"receiver\": ").append(str(x.receiver()))
                    .append(", \"size\": ").append(x.size())
                    .append(", \"offered_pps\": ").append(x.offeredPps() == 0 ? "\"max\"" : Long.toString(x.offeredPps()))
                    .append(", \"duration_s\": ").append(num(x.durationSeconds()))
                    .append(", \"runs\": ").append(x.runs())
                    .append(", \"gso\": ").append(x.gso())
                    .append(", \"sender_pps\": ").append(spread(x.senderPps()))
                    .append(", \"rx_pps\": ").append(spread(x.rxPps()))
                    .append(", \"loss_percent\": ").append(spread(x.lossPercent()))
                    .append(", \"cpu_ns_per_datagram\": ").append(spread(x.cpuNsPerDatagram()))
                    .append(", \"rx_cpu_percent\": ").append(spread(x.rxCpuPercent()))
                    .append(", \"tx_cpu_percent\": ").append(spread(x.txCpuPercent()))
                    .append(", \"calls_per_datagram\": ").append(spread(x.callsPerDatagram()))
                    .append(", \"cqe_batch\": ").append(spread(x.cqeBatch()))
                    .append(", \"latency_p50_us\": ").append(spread(x.p50Micros()))
                    .append(", \"latency_p99_us\": ").append(spread(x.p99Micros()))
                    .append(", \"note\": ").append(str(x.note())).append('}');
        }
        b.append(raw.isEmpty() ? "],\n" : "\n  ],\n");
        b.append("  \"e2e\": [");
        List<E2eBench.Row> e2e = r.e2e();
        for (int i = 0; i < e2e.size(); i++) {
            E2eBench.Row x = e2e.get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {\"backend\": ").append(str(x.backend()))
                    .append(", \"size\": ").append(x.size())
                    .append(", \"decrypt_workers\": ").append(x.workers())
                    .append(", \"offered_pps\": ").append(x.offeredPps() == 0 ? "\"max\"" : Long.toString(x.offeredPps()))
                    .append(", \"duration_s\": ").append(num(x.durationSeconds()))
                    .append(", \"runs\": ").append(x.runs())
                    .append(", \"pps\": ").append(spread(x.pps()))
                    .append(", \"mb_per_s\": ").append(spread(x.megabytesPerSecond()))
                    .append(", \"loss_percent\": ").append(spread(x.lossPercent()))
                    .append(", \"note\": ").append(str(x.note())).append('}');
        }
        b.append(e2e.isEmpty() ? "],\n" : "\n  ],\n");
        b.append("  \"notes\": [");
        for (int i = 0; i < r.notes().size(); i++) {
            b.append(i == 0 ? "" : ", ").append(str(r.notes().get(i)));
        }
        return b.append("]\n}\n").toString();
    }

    private static String spread(Spread s) {
        return "{\"median\": " + num(s.median()) + ", \"min\": " + num(s.min()) + ", \"max\": " + num(s.max()) + "}";
    }

    private static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "null";
        }
        return String.format(Locale.ROOT, "%.6g", v).replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2").replaceFirst("\\.(e|$)", "$1");
    }

    static String str(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
