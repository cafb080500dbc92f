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
}
