package io.zgrnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.crypto.X25519;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zgrnet pipe} in-process where it fails: each failure is one line that names what failed
 * and what to try, and argument errors are caught before the socket is bound.
 */
@Timeout(60)
class PipeFailuresTest {
    /**
     * Low-order points of Curve25519 (and their non-canonical encodings): every X25519 result with
     * them is zero, so no handshake can use them.
     */
    private static final List<String> LOW_ORDER = List.of(
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");

    @TempDir
    Path dir;

    private byte[] privateKey;

    private Path key() throws Exception {
        privateKey = X25519.generatePrivateKey(new SecureRandom());
        Path k = dir.resolve("our.key");
        Files.writeString(k, HexFormat.of().formatHex(privateKey) + "\n");
        return k;
    }

    private static String otherPublicKey() {
        return HexFormat.of().formatHex(X25519.publicKey(X25519.generatePrivateKey(new SecureRandom())));
    }

    @Test
    void connectTimeoutMustBePositiveAndIsCheckedBeforeBinding() throws Exception {
        Path k = key();
        for (String t : List.of("-1", "0")) {
            CliRun r = CliRun.run("pipe", "--key", k.toString(), "--listen", "127.0.0.1:0",
                    "--peer", otherPublicKey() + "@127.0.0.1:9", "--connect-timeout", t);
            assertEquals("zgrnet: --connect-timeout must be > 0 seconds, got " + t, r.failureLine(2));
            assertFalse(r.err().contains("listening"), "nothing was bound: " + r.err());
        }
        CliRun linger = CliRun.run("pipe", "--key", k.toString(), "--listen", "127.0.0.1:0", "--allow-unknown",
                "--linger", "-5");
        assertEquals("zgrnet: --linger must be >= 0 ms, got -5", linger.failureLine(2));
    }

    @Test
    void ourOwnPublicKeyAsPeerIsRefusedBeforeTrying() throws Exception {
        Path k = key();
        String own = HexFormat.of().formatHex(X25519.publicKey(privateKey));
        CliRun r = CliRun.run("pipe", "--key", k.toString(), "--listen", "127.0.0.1:0", "--peer", own + "@127.0.0.1:9");
        String line = r.failureLine(2);
        assertTrue(line.startsWith("zgrnet: --peer: " + own + " is our own public key"), line);
        assertTrue(line.contains("give the other side's public key"), line);
        assertFalse(r.err().contains("listening"), r.err());
    }

    @Test
    void lowOrderPublicKeysAsPeerAreRefusedBeforeTrying() throws Exception {
        Path k = key();
        for (String point : LOW_ORDER) {
            CliRun r = CliRun.run("pipe", "--key", k.toString(), "--listen", "127.0.0.1:0",
                    "--peer", point + "@127.0.0.1:9");
            assertEquals("zgrnet: --peer: " + point + " is a low-order point, not a public key any handshake can use;"
                    + " copy the public key the other side printed", r.failureLine(2));
            assertFalse(r.err().contains("listening"), r.err());
        }
    }
}
