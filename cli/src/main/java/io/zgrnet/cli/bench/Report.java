package io.zgrnet.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything one {@code zgrnet bench} run measured, and its renderings: a Markdown table for
 * stdout, JSON, and an offline HTML page with inline SVG charts.
 *
 * @param machine the machine line
 * @param command the command line that produced it
 * @param settings how the run was set up (durations, runs, pinning, GSO)
 * @param raw raw receive rows
 * @param e2e transport rows
 * @param notes skipped parts and why
 */
public record Report(Machine machine, String command, String settings, List<RawBench.Row> raw,
                     List<E2eBench.Row> e2e, List<String> notes) {
    /** The stdout table. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(machine.line()).append('\n');
        b.append("# ").append(command).append('\n');
        b.append("# ").append(settings).append('\n');
        if (!raw.isEmpty()) {
            b.append("\n## raw receive: datagrams from a separate sender process, loopback\n");
            b.append("(each cell: median of the runs; [min-max] where it matters; CPU = receiving thread's CPU time;"
                    + " rx/tx CPU % = receiving threads' / sending thread's CPU time over the sending window, % of one core;"
                    + " calls = receive syscalls, io_uring_enter for rings; latency = one-way from the payload's"
                    + " send stamp)\n\n");
            b.append("| receiver | size B | offered | sender pps | dur s | runs | rx pps [min-max] | loss % [min-max]"
                    + " | CPU ns/dgram [min-max] | rx CPU % | tx CPU % | calls/dgram | CQE batch | lat p50 us | lat p99 us |\n");
            b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (RawBench.Row r : raw) {
                if (r.runs() == 0) {
                    b.append(String.format(Locale.ROOT, "| %s | %d | %s | - | - | 0 | %s | | | | | | | | |%n", r.receiver(),
                            r.size(), RawBench.loadLabel(r.offeredPps()), r.note()));
                    continue;
                }
                b.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %.1f | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                        r.receiver(), r.size(), RawBench.loadLabel(r.offeredPps()), pps(r.senderPps().median()),
                        r.durationSeconds(), r.runs(), ranged(r.rxPps(), true), lossRange(r.lossPercent()),
                        ranged(r.cpuNsPerDatagram(), false), num(r.rxCpuPercent().median(), 0),
                        num(r.txCpuPercent().median(), 0), num(r.callsPerDatagram().median(), 3),
                        num(r.cqeBatch().median(), 1), num(r.p50Micros().median(), 0), num(r.p99Micros().median(), 0)));
            }
            for (RawBench.Row r : raw) {
                if (r.runs() > 0 && r.note() != null && !r.note().isEmpty()) {
                    b.append(String.format(Locale.ROOT, "%n- %s %d B %s: %s", r.receiver(), r.size(),
                            RawBench.loadLabel(r.offeredPps()), r.note()));
                }
            }
            b.append('\n');
        }
        if (!e2e.isEmpty()) {
            b.append("\n## e2e: two zgrnet-java transports, encrypted, loopback, one writer thread\n\n");
            b.append("| backend | size B | decrypt workers | offered | dur s | runs | msgs/s [min-max] | MB/s [min-max] | loss % |\n");
            b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (E2eBench.Row r : e2e) {
                if (r.runs() == 0) {
                    b.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | - | 0 | %s | | |%n", r.backend(), r.size(),
                            r.workers(), RawBench.loadLabel(r.offeredPps()), r.note()));
                    continue;
                }
                b.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %.1f | %d | %s | %s | %s |%n", r.backend(),
                        r.size(), r.workers(), RawBench.loadLabel(r.offeredPps()), r.durationSeconds(), r.runs(),
                        ranged(r.pps(), true),
                        ranged(r.megabytesPerSecond(), false), num(r.lossPercent().median(), 2)));
            }
            for (E2eBench.Row r : e2e) {
                if (r.runs() > 0 && r.note() != null && !r.note().isEmpty()) {
                    b.append(String.format(Locale.ROOT, "%n- %s %d B %d worker(s): %s", r.backend(), r.size(),
                            r.workers(), r.note()));
                }
            }
            b.append('\n');
        }
        for (String n : notes) {
            b.append("\nnote: ").append(n);
        }
        if (!notes.isEmpty()) {
            b.append('\n');
        }
        return b.toString();
    }

    static String pps(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String num(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String ranged(Spread s, boolean asPps) {
        if (Double.isNaN(s.median())) {
            return "-";
        }
        if (asPps) {
            return pps(s.median()) + " [" + pps(s.min()) + "-" + pps(s.max()) + "]";
        }
        int d = s.median() >= 100 ? 0 : 1;
        return num(s.median(), d) + " [" + num(s.min(), d) + "-" + num(s.max(), d) + "]";
    }

    private static String lossRange(Spread s) {
        if (Double.isNaN(s.median())) {
            return "-";
        }
        return num(s.median(), 2) + " [" + num(s.min(), 2) + "-" + num(s.max(), 2) + "]";
    }

    /** A copy with {@code note} appended. */
    public Report withNote(String note) {
        List<String> n = new ArrayList<>(notes);
        n.add(note);
        return new Report(machine, command, settings, raw, e2e, n);
    }
}
