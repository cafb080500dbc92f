package io.zgrnet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code zgrnet send} to {@code zgrnet recv}, two processes on loopback. */
class SendRecvCommandTest {
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
    void filesArriveWholeWithTheirNamesAndMatchingDigests() throws Exception {
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Files.writeString(outDir.resolve("data.bin"), "already here"); // taken: the file becomes data.bin.1
        byte[] content = new byte[3_000_000];
        new Random(7).nextBytes(content);
        Path file = Files.write(dir.resolve("data.bin"), content);
        Path empty = Files.write(dir.resolve("empty.txt"), new byte[0]);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        String emptySha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[0]));

        Process recv = zgrnet("recv", "--key", key("recv.key").toString(), "--listen", "127.0.0.1:0",
                "--allow-unknown", "--out", outDir.toString(), "--count", "2");
        try {
            BufferedReader recvErr = new BufferedReader(new InputStreamReader(recv.getErrorStream(),
                    StandardCharsets.UTF_8));
            String first = recvErr.readLine();
            Matcher m = LISTENING.matcher(first == null ? "" : first);
            assertTrue(m.find(), "first stderr line must give HOST:PORT and the public key: " + first);
            String peerArg = m.group(3) + "@" + m.group(1) + ":" + m.group(2);
            Path sendKey = key("send.key");
            for (Path f : List.of(file, empty)) {
                Process send = zgrnet("send", f.toString(), "--key", sendKey.toString(), "--peer", peerArg);
                String out = new String(send.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                String err = new String(send.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(send.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, send.exitValue(), err);
                String expected = f == file ? sha : emptySha;
                assertTrue(out.startsWith("sent " + f.getFileName() + " " + Files.size(f) + " bytes sha256 "
                        + expected), out + err);
            }
            String out = new String(recv.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(recv.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, recv.exitValue(), out);
            assertTrue(out.contains("received data.bin.1 3000000 bytes sha256 " + sha), out);
            assertTrue(out.contains("received empty.txt 0 bytes sha256 " + emptySha), out);
            assertArrayEquals(content, Files.readAllBytes(outDir.resolve("data.bin.1")));
            assertEquals(0, Files.size(outDir.resolve("empty.txt")));
            try (Stream<Path> left = Files.list(outDir)) {
                assertEquals(List.of("data.bin", "data.bin.1", "empty.txt"),
                        left.map(p -> p.getFileName().toString()).sorted().toList(), "no part files left");
            }
        } finally {
            recv.destroy();
            recv.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void assertUsageError(String expectedStart, String... args) throws Exception {
        Process p = zgrnet(args);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), err);
        assertTrue(err.startsWith("zgrnet: " + expectedStart), err);
        assertEquals(1, err.strip().lines().count(), err);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void badInputIsOneLineAndExit2() throws Exception {
        String k = key("k").toString();
        String peer = "00".repeat(32) + "@127.0.0.1:9";
        assertUsageError("FILE: ", "send", dir.resolve("missing").toString(), "--key", k, "--peer", peer);
        assertUsageError("FILE: ", "send", dir.toString(), "--key", k, "--peer", peer);
        assertUsageError("--peer", "send", k, "--key", k, "--peer", "nothex@1.2.3.4:5");
        assertUsageError("--out", "recv", "--key", k, "--listen", "127.0.0.1:0", "--allow-unknown", "--out",
                dir.resolve("nope").toString());
        assertUsageError("--peer or --allow-unknown", "recv", "--key", k, "--listen", "127.0.0.1:0", "--out",
                dir.toString());
    }
}
