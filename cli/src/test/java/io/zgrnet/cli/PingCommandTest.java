package io.zgrnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code zgrnet ping} against a {@code zgrnet pipe} process, and against nothing. */
class PingCommandTest {
    private static final Pattern LISTENING = Pattern.compile("listening (\\S+):(\\d+) public key ([0-9a-f]{64})");
    private static final Pattern REPLY = Pattern.compile("21 bytes from \\S+: seq=\\d+ time=\\d+\\.\\d{3} ms");
    private static final Pattern SUMMARY = Pattern.compile(
            "rtt min/avg/max/mdev = \\d+\\.\\d{3}/\\d+\\.\\d{3}/\\d+\\.\\d{3}/\\d+\\.\\d{3} ms");

    @TempDir
    Path dir;

    private Path key(String name) throws Exception {
        Path k = dir.resolve(name);
        Files.writeString(k, java.util.HexFormat.of().formatHex(io.zgrnet.crypto.X25519.generatePrivateKey(
                new java.security.SecureRandom())));
        return k;
    }

    private record Run(int exit, List<String> out, String err) {
    }

    private static Run ping(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString().lines().toList(), err.toString());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aPipeAnswersAndTheSummaryLooksLikePing8() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "pipe", "--key", key("echo.key").toString(), "--listen", "127.0.0.1:0",
                "--allow-unknown", "--echo");
        Process pipe = new ProcessBuilder(cmd).start();
        try {
            BufferedReader pipeErr = new BufferedReader(new InputStreamReader(pipe.getErrorStream(),
                    StandardCharsets.UTF_8));
            String first = pipeErr.readLine();
            Matcher m = LISTENING.matcher(first == null ? "" : first);
            assertTrue(m.find(), "pipe's first stderr line: " + first);
            String target = m.group(3) + "@" + m.group(1) + ":" + m.group(2);

            Run r = ping("ping", target, "--key", key("pinger.key").toString(), "--count", "3", "--interval", "0",
                    "--io", "nio");
            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(r.out().get(0).startsWith("PING " + m.group(3)), r.out().toString());
            assertEquals(3, r.out().stream().filter(l -> REPLY.matcher(l).matches()).count(), r.out().toString());
            assertTrue(r.out().stream().anyMatch(l -> l.startsWith("3 pings transmitted, 3 pongs received, 0% packet loss")),
                    r.out().toString());
            assertTrue(SUMMARY.matcher(r.out().getLast()).matches(), r.out().getLast());
        } finally {
            pipe.destroy();
            pipe.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void nothingAnsweringExitsOne() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            String target = "11".repeat(32) + "@127.0.0.1:" + silent.getLocalPort();
            Run r = ping("ping", target, "--key", key("k").toString(), "--connect-timeout", "1", "--io", "nio");
            assertEquals(1, r.exit(), r.out() + r.err());
            assertTrue(r.err().startsWith("zgrnet ping: no session"), r.err());
        }
    }

    @Test
    void summaryComputesMdevAsPing8() {
        PingCommand.RttSummary s = new PingCommand.RttSummary();
        s.add(1_000_000);
        s.add(3_000_000);
        assertEquals("2 pings transmitted, 2 pongs received, 0% packet loss, time 5ms" + System.lineSeparator()
                + "rtt min/avg/max/mdev = 1.000/2.000/3.000/1.000 ms", s.report(2, 5));
        assertEquals("4 pings transmitted, 0 pongs received, 100% packet loss, time 9ms",
                new PingCommand.RttSummary().report(4, 9));
    }
}
