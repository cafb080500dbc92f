package io.zgrnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.testing.SharedFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KeyCommandsTest {
    @TempDir
    Path dir;

    /** Runs the CLI in-process; returns exit code, stdout and stderr. */
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void keygenWritesA0600KeyAndPrintsItsPublicKey() throws Exception {
        Path key = dir.resolve("a.key");
        Run keygen = run("keygen", "--out", key.toString());
        assertEquals(0, keygen.exit(), keygen.err());
        String privateHex = Files.readString(key).strip();
        assertTrue(privateHex.matches("[0-9a-f]{64}"), privateHex);
        assertEquals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(key));
        String publicHex = keygen.out().strip();
        assertTrue(publicHex.matches("[0-9a-f]{64}"), publicHex);

        Run pubkey = run("pubkey", "--key", key.toString());
        assertEquals(0, pubkey.exit(), pubkey.err());
        assertEquals(publicHex, pubkey.out().strip());
    }

    @Test
    void pubkeyMatchesTheOracleForEveryKeyInTheVectors() throws Exception {
        for (Path file : SharedFiles.vectorFiles()) {
            JsonNode keys = SharedFiles.readJson(file).get("keys");
            for (Map.Entry<String, JsonNode> e : keys.properties()) {
                Path key = dir.resolve(e.getKey() + ".key");
                Files.writeString(key, e.getValue().get("private_raw").asText() + "\n");
                Run pubkey = run("pubkey", "--key", key.toString());
                assertEquals(0, pubkey.exit(), pubkey.err());
                assertEquals(e.getValue().get("public").asText(), pubkey.out().strip(), file + ": " + e.getKey());
            }
        }
    }

    @Test
    void keygenRefusesToOverwriteWithoutForce() throws Exception {
        Path key = dir.resolve("b.key");
        Files.writeString(key, "x");
        Run r = run("keygen", "--out", key.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("zgrnet: --out:"), r.err());
        assertEquals("x", Files.readString(key));
    }

    @Test
    void badArgumentsGiveOneLineNamingTheArgumentAndExit2() throws Exception {
        Run missing = run("pubkey");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("--key"), missing.err());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());

        Path bad = dir.resolve("bad.key");
        Files.writeString(bad, "zz" + "00".repeat(31));
        Run notHex = run("pubkey", "--key", bad.toString());
        assertEquals(2, notHex.exit());
        assertTrue(notHex.err().startsWith("zgrnet: --key"), notHex.err());
        assertEquals(1, notHex.err().strip().lines().count(), notHex.err());

        Run shortKey = run("pubkey", "--key", dir.resolve("missing.key").toString());
        assertEquals(2, shortKey.exit());
        assertTrue(shortKey.err().startsWith("zgrnet: --key"), shortKey.err());

        Run unknown = run("frobnicate");
        assertEquals(2, unknown.exit());
    }

    @Test
    @Timeout(30)
    void keyFilesAreReadBoundedAndOtherFilesRefusedByName() throws Exception {
        // Before: "--key /dev/zero" read forever.
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            assertEquals("zgrnet: --key: /dev/zero is not a regular file (a device, pipe or socket);"
                    + " give the file that keygen wrote (64 hex characters)",
                    CliRun.run("pubkey", "--key", zero.toString()).failureLine(2));
        }
        assertEquals("zgrnet: --key: " + dir + " is a directory; give the file that keygen wrote (64 hex characters)",
                CliRun.run("pubkey", "--key", dir.toString()).failureLine(2));

        Path big = dir.resolve("big.key");
        Files.write(big, new byte[KeyFiles.MAX_KEY_FILE_BYTES + 1]);
        assertEquals("zgrnet: --key: " + big + " is 4097 bytes, too big for a key file (64 hex characters, at most"
                + " 4096 bytes); give the file that keygen wrote", CliRun.run("pubkey", "--key", big.toString()).failureLine(2));

        Path missing = dir.resolve("missing.key");
        assertEquals("zgrnet: --key: cannot read " + missing + ": no such file or directory",
                CliRun.run("pubkey", "--key", missing.toString()).failureLine(2));

        Path binary = dir.resolve("binary.key");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 'a', 'b'});
        String notHex = CliRun.run("pubkey", "--key", binary.toString()).failureLine(2);
        assertTrue(notHex.startsWith("zgrnet: --key: " + binary + ": expected 64 hex characters"), notHex);

        // A named pipe would block open() until a writer came: refused without opening it.
        Path fifo = dir.resolve("fifo.key");
        Process mkfifo = null;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (java.io.IOException e) {
            // no mkfifo here: the device and directory cases above cover non-regular files
        }
        if (mkfifo != null && mkfifo.waitFor() == 0) {
            assertEquals("zgrnet: --key: " + fifo + " is not a regular file (a device, pipe or socket);"
                    + " give the file that keygen wrote (64 hex characters)",
                    CliRun.run("pubkey", "--key", fifo.toString()).failureLine(2));
        }

        // Whitespace around the key, CRLF included, is still fine.
        byte[] priv = io.zgrnet.crypto.X25519.generatePrivateKey(new java.security.SecureRandom());
        Path crlf = dir.resolve("crlf.key");
        Files.writeString(crlf, "  " + HexFormat.of().formatHex(priv) + "\r\n\n");
        CliRun ok = CliRun.run("pubkey", "--key", crlf.toString());
        assertEquals(0, ok.exit(), ok.err());
        assertEquals(HexFormat.of().formatHex(io.zgrnet.crypto.X25519.publicKey(priv)), ok.out().strip());
    }

    @Test
    void keygenIntoAMissingDirectoryNamesTheFile() {
        Path out = dir.resolve("no-such-dir").resolve("a.key");
        assertEquals("zgrnet: --out: cannot write " + out + ": no such file or directory",
                CliRun.run("keygen", "--out", out.toString()).failureLine(2));
    }

    @Test
    void versionPrintsTheJdk() {
        Run r = run("version");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("zgrnet-java") && r.out().contains("JDK"), r.out());
    }

    @Test
    void publicKeyOfKnownPrivateKey() {
        // RFC 7748 section 6.1: Alice's private key and public key.
        byte[] priv = HexFormat.of().parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
                HexFormat.of().formatHex(io.zgrnet.crypto.X25519.publicKey(priv)));
    }
}
