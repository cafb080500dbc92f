package io.zgrnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.crypto.X25519;
import io.zgrnet.sys.BindFailedException;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.NativeException;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
    void viaArgumentsAreCheckedBeforeBinding() throws Exception {
        Path k = key();
        String relay = otherPublicKey();
        String peer = otherPublicKey();
        CliRun withAddress = CliRun.run("pipe", "--key", k.toString(), "--listen", "127.0.0.1:0",
                "--peer", peer + "@127.0.0.1:9", "--via", relay + "@127.0.0.1:9");
        assertEquals("zgrnet: --peer with --via: give only the peer's public key (PUBHEX), the relay reaches it;"
                + " got '" + peer + "@127.0.0.1:9'", withAddress.failureLine(2));
        CliRun same = CliRun.run("pipe", "--key", k.toString(), "--listen", "127.0.0.1:0",
                "--peer", relay, "--via", relay + "@127.0.0.1:9");
        assertTrue(same.failureLine(2).startsWith("zgrnet: --peer and --via name the same key"), same.err());
        CliRun noAddress = CliRun.run("pipe", "--key", k.toString(), "--listen", "127.0.0.1:0",
                "--peer", peer, "--via", relay);
        assertEquals("zgrnet: --via: expected PUBHEX@HOST:PORT, got '" + relay + "'", noAddress.failureLine(2));
        for (CliRun r : List.of(withAddress, same, noAddress)) {
            assertFalse(r.err().contains("listening"), "nothing was bound: " + r.err());
        }
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

    @Test
    void aBusyPortSaysSoAndWhatToTry() throws Exception {
        Path k = key();
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = taken.getLocalPort();
            for (String io : List.of("auto", "nio")) { // native backends carry errno; NIO only its text
                CliRun r = CliRun.run("pipe", "--key", k.toString(), "--listen", "127.0.0.1:" + port,
                        "--allow-unknown", "--echo", "--io", io);
                assertEquals("zgrnet: cannot listen on 127.0.0.1:" + port + ": the port is in use (EADDRINUSE);"
                        + " pick another --listen port (0: any free one)", r.failureLine(1), io);
            }
        }
    }

    @Test
    void anAddressOfNoInterfaceHereSaysSo() throws Exception {
        Path k = key();
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): no interface has it.
        CliRun r = CliRun.run("pipe", "--key", k.toString(), "--listen", "192.0.2.1:0", "--allow-unknown", "--echo");
        assertEquals("zgrnet: cannot listen on 192.0.2.1:0: no interface of this machine has that address"
                + " (EADDRNOTAVAIL); give --listen one of its addresses, 127.0.0.1, or 0.0.0.0 for all",
                r.failureLine(1));
    }

    @Test
    void bindFailuresInWordsWhetherTheBackendGaveErrnoOrText() {
        assertEquals("the port is in use (EADDRINUSE); pick another --listen port (0: any free one)",
                Failures.bindProblem(new BindFailedException("127.0.0.1:9000", Errno.EADDRINUSE), "--listen"));
        assertEquals("the port is in use (EADDRINUSE); pick another --listen port (0: any free one)",
                Failures.bindProblem(new BindException("bind(127.0.0.1:9000) failed: Address already in use"),
                        "--listen"));
        assertEquals("permission denied (EACCES): ports below 1024 need root or CAP_NET_BIND_SERVICE;"
                + " pick a --listen port >= 1024 (0: any free one)",
                Failures.bindProblem(new IOException("open failed", new BindException("Permission denied")),
                        "--listen"));
        // Anything else keeps its own words, a native failure other than bind's with a bind-like errno too.
        assertEquals("io_uring_setup failed: EACCES (permission denied)",
                Failures.bindProblem(new NativeException("io_uring_setup", Errno.EACCES), "--listen"));
        assertEquals("bind(127.0.0.1:9000) failed: ENOBUFS (no buffer space available)",
                Failures.bindProblem(new NativeException("bind(127.0.0.1:9000)", Errno.ENOBUFS), "--listen"));
    }

    @Test
    void aHandshakeWithoutAnswerNamesThePeerAndWhatToTry() throws Exception {
        Path k = key();
        // A socket that reads nothing and answers nothing: the initiation goes unanswered.
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            String peer = otherPublicKey();
            long t0 = System.nanoTime();
            CliRun r = CliRun.run("pipe", "--key", k.toString(), "--listen", "127.0.0.1:0",
                    "--peer", peer + "@127.0.0.1:" + silent.getLocalPort(), "--connect-timeout", "1");
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            String line = r.failureLine(1);
            assertTrue(line.startsWith("zgrnet: no handshake with --peer " + peer.substring(0, 8) + "… at 127.0.0.1:"
                    + silent.getLocalPort() + " within --connect-timeout 1 s ("), line);
            assertTrue(line.contains("initiation"), "the transport's count of initiations: " + line);
            assertFalse(line.contains("no session within"), "the detail without what the line already says: " + line);
            assertTrue(line.endsWith("; is a zgrnet pipe running there, with --allow-unknown or a --peer naming our"
                    + " public key? (a slow path: raise --connect-timeout)"), line);
            assertTrue(r.err().startsWith("listening 127.0.0.1:"), r.err());
            assertTrue(tookMs < 20_000, "gave up after --connect-timeout, not the 30 s default, took " + tookMs + " ms");
        }
    }
}
