package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.zgrnet.crypto.X25519;
import io.zgrnet.testing.OraclePeer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** zgrnet-java against the reference peer (shared/oracle/zgr_oracle.py), both directions, every backend. */
class OracleInteropTest {
    private static final int MESSAGES = 1000;

    @ParameterizedTest
    @EnumSource(value = IOMode.class, names = {"NIO", "MMSG", "URING"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void javaInitiatorOracleEchoResponder(IOMode mode) throws Exception {
        BackendAssumptions.assumeAvailable(mode);
        byte[] oracleKey = TransportTestSupport.randomKey();
        try (OraclePeer oracle = OraclePeer.start(List.of("--listen", "127.0.0.1:0", "--key",
                HexFormat.of().formatHex(oracleKey), "--echo", "--count", String.valueOf(MESSAGES), "--timeout", "100"));
             UDP udp = UDP.open(config(mode).build())) {
            PeerKey oraclePub = PeerKey.of(X25519.publicKey(oracleKey));
            udp.setPeerEndpoint(oraclePub, oracle.listeningAddress());
            udp.connect(oraclePub, Duration.ofSeconds(20));
            byte[] buf = new byte[2048];
            for (int i = 0; i < MESSAGES; i++) {
                byte[] payload = payload(i);
                int protocol = i % 3 == 0 ? 0 : 128 + i % 5;
                while (!udp.writeTo(oraclePub, protocol, payload)) {
                    Thread.onSpinWait();
                }
                Message m = udp.readFrom(buf, Duration.ofSeconds(20));
                assertNotNull(m, "no echo for message " + i + "; stats " + udp.stats() + "; oracle " + oracle.seen());
                assertEquals(oraclePub, m.sender());
                assertEquals(protocol, m.protocol());
                TransportTest.assertPayload(payload, buf, m);
            }
            assertEquals(0, oracle.waitForExit(Duration.ofSeconds(30)), "oracle exit code; events " + oracle.seen());
        }
    }

    @ParameterizedTest
    @EnumSource(value = IOMode.class, names = {"NIO", "MMSG", "URING"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void oracleInitiatorJavaEchoResponder(IOMode mode) throws Exception {
        BackendAssumptions.assumeAvailable(mode);
        byte[] oracleKey = TransportTestSupport.randomKey();
        try (UDP udp = UDP.open(config(mode).allowUnknownPeers(true).build())) {
            InetSocketAddress local = udp.hostInfo().localAddress();
            AtomicReference<Throwable> echoFailure = new AtomicReference<>();
            Thread echo = Thread.ofPlatform().name("test-echo").start(() -> {
                byte[] buf = new byte[2048];
                Message m = new Message();
                try {
                    for (int i = 0; i < MESSAGES; i++) {
                        if (!udp.readFrom(m, buf, java.time.Duration.ofNanos(TimeUnit.SECONDS.toNanos(60)))) {
                            throw new AssertionError("echo: nothing received after " + i + "; " + udp.stats());
                        }
                        udp.writeTo(m.sender(), m.protocol(), Arrays.copyOf(buf, m.length()));
                    }
                } catch (Throwable t) {
                    echoFailure.set(t);
                }
            });
            try (OraclePeer oracle = OraclePeer.start(List.of("--listen", "127.0.0.1:0", "--key",
                    HexFormat.of().formatHex(oracleKey), "--connect", local.getHostString() + ":" + local.getPort(),
                    "--peer-pub", udp.hostInfo().publicKey().toHex(), "--count", String.valueOf(MESSAGES),
                    "--protocol", "0", "--timeout", "100"))) {
                assertEquals(0, oracle.waitForExit(Duration.ofSeconds(110)),
                        "oracle exit code; stats " + udp.stats() + "; events " + tail(oracle));
            }
            echo.join(TimeUnit.SECONDS.toMillis(30));
            if (echoFailure.get() != null) {
                throw new AssertionError(echoFailure.get());
            }
            assertEquals(MESSAGES, udp.peerInfo(PeerKey.of(X25519.publicKey(oracleKey))).messagesReceived());
        }
    }

    private static String tail(OraclePeer oracle) {
        List<?> seen = oracle.seen();
        return seen.subList(Math.max(0, seen.size() - 5), seen.size()).toString();
    }

    private static byte[] payload(int i) {
        byte[] p = new byte[1 + (i * 37) % 1200];
        for (int j = 0; j < p.length; j++) {
            p[j] = (byte) (i + j);
        }
        return p;
    }
}
