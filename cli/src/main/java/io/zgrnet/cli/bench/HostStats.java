package io.zgrnet.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** What /proc says about the machine's load and the calling thread; Linux only, -1 where unreadable. */
public final class HostStats {
    private HostStats() {
    }

    /**
     * Waits (up to {@code maxWaitNanos}) until the machine's CPUs are at most {@code maxBusy} busy
     * over 300 ms, so other processes on a shared machine do not steal the receiver's core mid-run.
     *
     * @return the busy fraction measured last
     */
    public static double awaitQuiet(double maxBusy, long maxWaitNanos) throws InterruptedException {
        long deadline = System.nanoTime() + maxWaitNanos;
        double busy = busyFraction(300);
        while (busy > maxBusy && deadline - System.nanoTime() > 0) {
            Thread.sleep(1000);
            busy = busyFraction(300);
        }
        return busy;
    }

    /** Waits up to 10 minutes for a quiet machine (the experiments' default). */
    public static double awaitQuiet(double maxBusy) throws InterruptedException {
        double busy = awaitQuiet(maxBusy, TimeUnit.MINUTES.toNanos(10));
        if (busy > maxBusy) {
            System.err.printf(Locale.ROOT, "  machine still %.0f%% busy after 10 minutes: measuring anyway%n", busy * 100);
        }
        return busy;
    }

    /** Fraction of all CPUs busy over the next {@code millis} ms (0..1), or -1 without /proc/stat. */
    public static double busyFraction(long millis) throws InterruptedException {
        long[] a = cpuTimes();
        Thread.sleep(millis);
        long[] b = cpuTimes();
        if (a == null || b == null) {
            return -1;
        }
        long total = b[0] - a[0];
        return total == 0 ? 0 : 1.0 - (double) (b[1] - a[1]) / total;
    }

    /** {total, idle} jiffies from the first line of /proc/stat, or null. */
    public static long[] cpuTimes() {
        long[] f = procStatCpu();
        return f == null ? null : new long[] {f[0], f[4] + f[5]}; // idle + iowait
    }

    /** The "cpu" line of /proc/stat: [0] = the sum of all fields, [i] = field i (1 = user ...), or null. */
    private static long[] procStatCpu() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long[] v = new long[Math.max(f.length, 9)];
            for (int i = 1; i < f.length; i++) {
                v[i] = Long.parseLong(f[i]);
                v[0] += v[i];
            }
            return v;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * {total, steal} jiffies from the first line of /proc/stat, or null. Steal is the time a
     * virtual machine's CPUs were ready to run but the hypervisor ran something else: on a shared
     * host it slows every row of a benchmark alike.
     */
    public static long[] stealTimes() {
        long[] f = procStatCpu();
        return f == null ? null : new long[] {f[0], f[8]};
    }

    /** Steal as a percentage of all CPU time between two {@link #stealTimes()} readings, or NaN. */
    public static double stealPercent(long[] before, long[] after) {
        if (before == null || after == null || after[0] <= before[0]) {
            return Double.NaN;
        }
        return 100.0 * (after[1] - before[1]) / (after[0] - before[0]);
    }

    /** UDP RcvbufErrors from /proc/net/snmp (system-wide), or -1. */
    public static long rcvbufErrors() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                    String[] names = lines.get(i).split("\\s+");
                    String[] values = lines.get(i + 1).split("\\s+");
                    for (int k = 0; k < names.length; k++) {
                        if (names[k].equals("RcvbufErrors")) {
                            return Long.parseLong(values[k]);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    /** A context-switch counter of the calling thread from /proc/thread-self/status, or -1. */
    public static long switches(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    /** Voluntary context switches of the calling thread (blocking waits), or -1. */
    public static long voluntarySwitches() {
        return switches("voluntary_ctxt_switches:");
    }
}
