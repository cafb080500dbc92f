package io.zgrnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.io.UdpLimits;
import io.zgrnet.wire.TransportHeader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two {@code zgrnet pipe} processes on loopback: one echoes, the other sends stdin lines. */
class PipeCommandTest {
    private static final Pattern LISTENING = Pattern.compile("listening (\\S+):(\\d+) public key ([0-9a-f]{64})");

    @TempDir
    Path dir;

    private static Process zgrnet(String... args) throws IOException {
        return CliProcesses.zgrnet(args);
    }

    private Path key(String name) throws Exception {
        return CliProcesses.key(dir, name);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void linesGoThroughAnEchoingPeerAndComeBack() throws Exception {
        Process echo = zgrnet("pipe", "--key", key("echo.key").toString(), "--listen", "127.0.0.1:0",
                "--allow-unknown", "--echo");
        try {
            BufferedReader echoErr = new BufferedReader(new InputStreamReader(echo.getErrorStream(),
                    StandardCharsets.UTF_8));
            String first = echoErr.readLine();
            Matcher m = LISTENING.matcher(first == null ? "" : first);
            assertTrue(m.find(), "first stderr line must give HOST:PORT and the public key: " + first);
            String peerArg = m.group(3) + "@" + m.group(1) + ":" + m.group(2);

            Process sender = zgrnet("pipe", "--key", key("sender.key").toString(), "--listen", "127.0.0.1:0",
                    "--peer", peerArg, "--linger", "3000");
            CliProcesses.echoedBack(sender, List.of("first line", "second line", "üñíçødé", ""));
        } finally {
            echo.destroy();
            echo.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Lines up to the largest payload (65,477 bytes over IPv4) go through whole, the 2,019-byte
     * line that used to end the pipe included; a longer line costs one stderr line naming its
     * length and the limit, and the lines after it still go.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void linesUpToTheLimitGoAndALongerOneIsReportedAndSkipped() throws Exception {
        Process echo = zgrnet("pipe", "--key", key("echo.key").toString(), "--listen", "127.0.0.1:0",
                "--allow-unknown", "--echo");
        try {
            BufferedReader echoErr = new BufferedReader(new InputStreamReader(echo.getErrorStream(),
                    StandardCharsets.UTF_8));
            Matcher m = LISTENING.matcher(String.valueOf(echoErr.readLine()));
            assertTrue(m.find());
            Process sender = zgrnet("pipe", "--key", key("sender.key").toString(), "--listen", "127.0.0.1:0",
                    "--peer", m.group(3) + "@" + m.group(1) + ":" + m.group(2), "--linger", "3000");
            int limit = UdpLimits.MAX_IPV4_PAYLOAD - TransportHeader.OVERHEAD; // 65,477
            List<String> sent = List.of("a".repeat(2018), "b".repeat(2019), "c".repeat(16384), "d".repeat(limit),
                    "after the long one");
            String tooLong = "e".repeat(limit + 1);
            Thread writer = Thread.ofPlatform().start(() -> {
                try (OutputStream stdin = sender.getOutputStream()) {
                    for (int i = 0; i < sent.size(); i++) {
                        if (i == sent.size() - 1) {
                            stdin.write((tooLong + "\n").getBytes(StandardCharsets.UTF_8));
                        }
                        stdin.write((sent.get(i) + "\n").getBytes(StandardCharsets.UTF_8));
                        stdin.flush();
                        Thread.sleep(50); // one line of up to 64 KiB at a time: UDP has no flow control
                    }
                } catch (IOException | InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            String out = new String(sender.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(sender.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            writer.join();
            assertTrue(sender.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, sender.exitValue(), err);
            assertEquals(sent, out.lines().toList(), "stderr: " + err);
            List<String> reported = err.lines().filter(l -> l.contains("not sent")).toList();
            assertEquals(List.of("line 5 not sent: " + (limit + 1) + " bytes, more than the largest payload, " + limit
                    + " bytes"), reported, err);
        } finally {
            echo.destroy();
            echo.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void badPeerArgumentIsOneLineAndExit2() throws Exception {
        Process p = zgrnet("pipe", "--key", key("k").toString(), "--listen", "127.0.0.1:0", "--peer", "nothex@1.2.3.4:5");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertTrue(err.startsWith("zgrnet: --peer"), err);
        assertEquals(1, err.strip().lines().count(), err);
    }
}
