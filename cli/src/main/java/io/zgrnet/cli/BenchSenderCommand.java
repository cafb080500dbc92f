package io.zgrnet.cli;

import io.zgrnet.cli.bench.Affinity;
import io.zgrnet.cli.bench.LoadSender;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zgrnet bench-sender}: the load generator process that {@code zgrnet bench} starts. It reads
 * one command per stdin line and answers one line on stdout:
 * <pre>
 * open PORT SIZE GSO [FLOWS] -> ok gso=true|false burst=N flows=F cause=...   (FLOWS: source sockets, default 1)
 * send RATE_PPS NANOS     -> sent=N elapsed_ns=E cpu_ns=C calls=K errors=X   (RATE 0: as fast as possible)
 * quit                    -> (exits)
 * </pre>
 * Hidden: not for people.
 */
@Command(name = "bench-sender", hidden = true, description = "load generator for zgrnet bench (stdin commands)")
final class BenchSenderCommand implements Callable<Integer> {
    @Option(names = "--cpu", defaultValue = "-1", description = "pin the sending thread to this CPU")
    int cpu;

    @Override
    public Integer call() throws Exception {
        boolean pinned = cpu >= 0 && Affinity.pin(cpu);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        var mx = ManagementFactory.getThreadMXBean();
        out.println("ready pinned=" + pinned);
        LoadSender sender = null;
        try {
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.trim().split("\\s+");
                switch (f[0]) {
                    case "open" -> {
                        if (sender != null) {
                            sender.close();
                        }
                        sender = new LoadSender(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                                Integer.parseInt(f[1])), Integer.parseInt(f[2]), Boolean.parseBoolean(f[3]),
                                f.length > 4 ? Integer.parseInt(f[4]) : 1);
                        out.println("ok gso=" + sender.gso() + " burst=" + sender.burstSize() + " flows=" + sender.flows()
                                + " cause="
                                + (sender.gsoCause() == null ? "-" : sender.gsoCause().replace(' ', '_')));
                    }
                    case "send" -> {
                        if (sender == null) {
                            out.println("error no socket: send before open");
                            continue;
                        }
                        long calls0 = sender.calls();
                        long errors0 = sender.sendErrors();
                        long cpu0 = mx.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        long sent = sender.runFor(Long.parseLong(f[2]), Long.parseLong(f[1]));
                        long elapsed = System.nanoTime() - t0;
                        out.printf(Locale.ROOT, "sent=%d elapsed_ns=%d cpu_ns=%d calls=%d errors=%d%n", sent, elapsed,
                                mx.getCurrentThreadCpuTime() - cpu0, sender.calls() - calls0,
                                sender.sendErrors() - errors0);
                    }
                    case "quit" -> {
                        return 0;
                    }
                    default -> out.println("error unknown command " + f[0]);
                }
            }
            return 0;
        } finally {
            if (sender != null) {
                sender.close();
            }
        }
    }
}
