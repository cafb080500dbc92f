package io.zgrnet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.IOMode;
import io.zgrnet.Message;
import io.zgrnet.PeerKey;
import io.zgrnet.TransportConfig;
import io.zgrnet.UDP;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A {@code zgrnet relay} process between two transports that know only its address. */
class RelayCommandTest {
    private static final Pattern LISTENING = Pattern.compile("listening (\\S+):(\\d+) public key ([0-9a-f]{64})");
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static UDP open() throws Exception {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return UDP.open(TransportConfig.builder().privateKey(k).ioMode(IOMode.NIO).decryptWorkers(1).poolSlots(4096)
                .receiveQueueSize(1024).sendQueueSize(1024).acceptRelayed(false).build()); // RELAY_2 as data: the test reads it
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theRelayForwardsBetweenPeersThatOnlyReachIt() throws Exception {
        Process relay = CliProcesses.zgrnet("relay", "--key", CliProcesses.key(dir, "relay.key").toString(),
                "--listen", "127.0.0.1:0", "--allow-unknown", "--io", "nio");
        BufferedReader relayErr = new BufferedReader(new InputStreamReader(relay.getErrorStream(),
                StandardCharsets.UTF_8));
        try (UDP a = open(); UDP c = open()) {
            String first = relayErr.readLine();
            Matcher m = LISTENING.matcher(first == null ? "" : first);
            assertTrue(m.find(), "relay's first stderr line: " + first);
            PeerKey b = PeerKey.fromHex(m.group(3));
            InetSocketAddress at = new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
            for (UDP end : new UDP[] {a, c}) {
                end.setPeerEndpoint(b, at);
                end.connect(b, WAIT);
                assertTrue(end.writeTo(b, new byte[] {0})); // proves the relay's responder session
                assertTrue(end.ping(b, WAIT).toNanos() >= 0, "the relay answers pings");
            }
            byte[] inner = new byte[100];
            new SecureRandom().nextBytes(inner);
            byte[] relay0 = ByteBuffer.allocate(34 + inner.length).put((byte) 8).put((byte) 0)
                    .put(c.hostInfo().publicKey().toBytes()).put(inner).array();
            assertTrue(a.writeTo(b, 66, relay0));
            byte[] buf = new byte[2048];
            Message got = c.readFrom(buf, WAIT);
            assertNotNull(got, "C got nothing; C " + c.stats());
            assertEquals(68, got.protocol());
            assertEquals(b, got.sender());
            assertArrayEquals(a.hostInfo().publicKey().toBytes(), Arrays.copyOfRange(buf, 0, 32));
            assertArrayEquals(inner, Arrays.copyOfRange(buf, 32, got.length()));
        } finally {
            relay.toHandle().destroy(); // SIGTERM, leaving our ends of its pipes open
            assertTrue(relay.waitFor(30, TimeUnit.SECONDS));
        }
        String rest = String.join("\n", relayErr.lines().toList());
        assertTrue(rest.contains("relay2_sent=1"), "the counters at exit: " + rest);
    }

    /**
     * The user guide's three nodes as processes: {@code zgrnet relay --allow-unknown}, an echoing
     * {@code pipe --allow-unknown --via RELAY} (C) and {@code pipe --peer C --via RELAY} (A): A's
     * lines reach C and come back through the relay, neither pipe knowing the other's address.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void pipesReachEachOtherThroughARelayProcess() throws Exception {
        Process relay = CliProcesses.zgrnet("relay", "--key", CliProcesses.key(dir, "relay.key").toString(),
                "--listen", "127.0.0.1:0", "--allow-unknown", "--io", "nio");
        Process echo = null;
        try {
            String via = keyAt(new BufferedReader(new InputStreamReader(relay.getErrorStream(), StandardCharsets.UTF_8)));
            echo = CliProcesses.zgrnet("pipe", "--key", CliProcesses.key(dir, "c.key").toString(), "--listen",
                    "127.0.0.1:0", "--allow-unknown", "--echo", "--via", via);
            BufferedReader echoErr = new BufferedReader(new InputStreamReader(echo.getErrorStream(),
                    StandardCharsets.UTF_8));
            String c = keyAt(echoErr).substring(0, 64);
            String line;
            while ((line = echoErr.readLine()) != null && !line.startsWith("relay ")) {
                // C's session with the relay comes up: then the relay can deliver to it
            }
            assertNotNull(line, "the echoing pipe never reached the relay");

            Process sender = CliProcesses.zgrnet("pipe", "--key", CliProcesses.key(dir, "a.key").toString(),
                    "--listen", "127.0.0.1:0", "--peer", c, "--via", via, "--linger", "3000");
            String err = CliProcesses.echoedBack(sender, List.of("through the relay", "and back", "üñíçødé"));
            assertTrue(err.contains("connected " + c + " via "), err);
        } finally {
            if (echo != null) {
                echo.destroy();
                echo.waitFor(10, TimeUnit.SECONDS);
            }
            relay.toHandle().destroy();
            assertTrue(relay.waitFor(30, TimeUnit.SECONDS));
        }
        String counters = new String(relay.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        // Two handshake messages and three lines each way, at least: all RELAY_0 in, RELAY_2 out.
        Matcher sent = Pattern.compile("relay2_sent=(\\d+)").matcher(counters);
        assertTrue(sent.find() && Integer.parseInt(sent.group(1)) >= 8, "the relay's counters at exit: " + counters);
    }

    /** PUBHEX@HOST:PORT from a zgrnet process's first stderr line. */
    private static String keyAt(BufferedReader err) throws Exception {
        String first = err.readLine();
        Matcher m = LISTENING.matcher(first == null ? "" : first);
        assertTrue(m.find(), "first stderr line: " + first);
        return m.group(3) + "@" + m.group(1) + ":" + m.group(2);
    }
}
