package io.zgrnet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Runs {@code zgrnet} in a child JVM on this test's class path, and writes key files. */
final class CliProcesses {
    private CliProcesses() {
    }

    static Process zgrnet(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }

    /** A fresh private key file {@code dir/name}. */
    static Path key(Path dir, String name) throws Exception {
        Path k = dir.resolve(name);
        Files.writeString(k, HexFormat.of().formatHex(io.zgrnet.crypto.X25519.generatePrivateKey(
                new java.security.SecureRandom())));
        return k;
    }

    /**
     * Writes {@code lines} to a sending pipe's stdin and closes it, then waits for the pipe to
     * exit 0 and checks that its stdout is exactly {@code lines} (they came back from an echoing
     * peer); returns its stderr.
     */
    static String echoedBack(Process sender, List<String> lines) throws Exception {
        try (java.io.OutputStream stdin = sender.getOutputStream()) {
            for (String line : lines) {
                stdin.write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        String out = new String(sender.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String err = new String(sender.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        org.junit.jupiter.api.Assertions.assertTrue(sender.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        org.junit.jupiter.api.Assertions.assertEquals(0, sender.exitValue(), err);
        org.junit.jupiter.api.Assertions.assertEquals(lines, out.lines().toList(), "stderr: " + err);
        return err;
    }
}
