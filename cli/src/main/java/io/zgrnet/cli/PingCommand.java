package io.zgrnet.cli;

import io.zgrnet.TransportConfig;
import io.zgrnet.UDP;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code zgrnet ping}: measures the round trip to a zgrnet peer with PING/PONG (protocol bytes
 * 70/71), printed as ping(8) does, with a min/avg/max/mdev summary. Exit 0 if any pong came back,
 * 1 if none did (or the handshake failed), 2 for bad arguments.
 */
@Command(name = "ping", description = {
    "Round trip to a zgrnet peer with encrypted PING/PONG (protocol 70/71), printed as ping(8) does.",
    "Handshakes first (not part of the times). Exit 1 when no pong came back."})
final class PingCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PUBHEX@HOST:PORT", description = "the peer to ping")
    String peer;

    @Mixin
    IdentityOptions identity;

    @Option(names = {"-c", "--count"}, paramLabel = "N", defaultValue = "4",
            description = "pings to send (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = {"-i", "--interval"}, paramLabel = "MILLIS", defaultValue = "1000",
            description = "wait between pings (default ${DEFAULT-VALUE})")
    int intervalMillis;

    @Option(names = {"-W", "--timeout"}, paramLabel = "MILLIS", defaultValue = "2000",
            description = "how long to wait for each pong (default ${DEFAULT-VALUE})")
    int timeoutMillis;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "bind address (default: any address of the peer's family, port 0)")
    String listen;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "how long to wait for the handshake (default ${DEFAULT-VALUE})")
    int connectTimeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (count < 1) {
            throw new UsageException("--count: must be at least 1, got " + count);
        }
        if (intervalMillis < 0 || timeoutMillis < 1) {
            throw new UsageException("--interval must be >= 0 and --timeout >= 1 (milliseconds)");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        byte[] privateKey = identity.privateKey();
        PipeCommand.PeerArgument target = PipeCommand.parsePeer(peer, "PUBHEX@HOST:PORT", privateKey);
        InetSocketAddress bind = listen != null ? PipeCommand.parseHostPort(listen, "--listen")
                : new InetSocketAddress(target.address().getAddress() instanceof Inet6Address ? "::" : "0.0.0.0", 0);
        TransportConfig config = identity.config(privateKey).bindAddress(bind)
                .decryptWorkers(1).build();
        String where = PipeCommand.hostPort(target.address());
        try (UDP udp = UDP.open(config)) {
            udp.setPeerEndpoint(target.key(), target.address());
            try {
                udp.connect(target.key(), Duration.ofSeconds(connectTimeoutSeconds));
            } catch (TimeoutException | java.io.IOException e) {
                err.println("zgrnet ping: no session with " + target.key().toHex() + " at " + where + ": "
                        + e.getMessage());
                err.flush();
                return 1;
            }
            out.println("PING " + target.key().toHex() + " (" + where + "): 12 data bytes");
            out.flush();
            RttSummary summary = new RttSummary();
            long started = System.nanoTime();
            for (int seq = 0; seq < count; seq++) {
                if (seq > 0 && intervalMillis > 0) {
                    Thread.sleep(intervalMillis);
                }
                try {
                    Duration rtt = udp.ping(target.key(), Duration.ofMillis(timeoutMillis));
                    summary.add(rtt.toNanos());
                    out.println("21 bytes from " + where + ": seq=" + seq + " time=" + ms(rtt.toNanos()) + " ms");
                } catch (TimeoutException e) {
                    out.println("no pong from " + where + ": seq=" + seq + " (timeout " + timeoutMillis + " ms)");
                }
                out.flush();
            }
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            out.println();
            out.println("--- " + target.key().toHex() + " ping statistics ---");
            out.println(summary.report(count, elapsedMs));
            out.flush();
            return summary.received() > 0 ? 0 : 1;
        }
    }

    /** Milliseconds with three decimals, as ping(8) prints them. */
    static String ms(double nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    /** ping(8)'s summary: loss, and min/avg/max/mdev (mdev = the standard deviation of the samples). */
    static final class RttSummary {
        private long n;
        private double sum;
        private double sumSquares;
        private double min = Double.MAX_VALUE;
        private double max;

        void add(long nanos) {
            n++;
            sum += nanos;
            sumSquares += (double) nanos * nanos;
            min = Math.min(min, nanos);
            max = Math.max(max, nanos);
        }

        long received() {
            return n;
        }

        String report(int sent, long elapsedMs) {
            long lossPercent = Math.round(100.0 * (sent - n) / sent);
            String head = sent + " pings transmitted, " + n + " pongs received, " + lossPercent + "% packet loss, time "
                    + elapsedMs + "ms";
            if (n == 0) {
                return head;
            }
            double avg = sum / n;
            double mdev = Math.sqrt(Math.max(0, sumSquares / n - avg * avg));
            return head + System.lineSeparator() + "rtt min/avg/max/mdev = " + ms(min) + "/" + ms(avg) + "/" + ms(max)
                    + "/" + ms(mdev) + " ms";
        }
    }
}
