package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.crypto.X25519;
import io.zgrnet.io.UdpLimits;
import io.zgrnet.testing.OraclePeer;
import io.zgrnet.wire.TransportHeader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole-message datagrams against the reference peer ({@code zgr_oracle.py peer --size}), both
 * directions, every backend: 2,019 B (one more than a 2 KiB slot carries), 16,384 B, and the
 * largest payload UDP carries: 65,477 B over IPv4 (the oracle's 65,505, zgrnet's bound, is not
 * sendable by anyone over UDP: see {@link #zgrnetsOwnBoundIsRefusedByBothSides}) and 65,497 B over
 * IPv6. Each run is the oracle's stream mode: numbered payloads {@code zgr-seq TAG SEQ TOTAL}
 * padded to the size, which it checks one by one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OracleLargeDatagramTest {
    private static final int MESSAGES = 20;
    /** How long one read waits while the loop also sends. */
    private static final Duration POLL = Duration.ofMillis(10);

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (IOMode mode : new IOMode[] {IOMode.NIO, IOMode.MMSG, IOMode.URING}) {
            for (int size : new int[] {2019, 16384, UdpLimits.MAX_IPV4_PAYLOAD - TransportHeader.OVERHEAD}) {
                out.add(Arguments.of(mode, size, false));
            }
            out.add(Arguments.of(mode, UdpLimits.MAX_IPV6_PAYLOAD - TransportHeader.OVERHEAD, true));
        }
        return out.stream();
    }

    /** The oracle's seq_payload: "zgr-seq TAG SEQ TOTAL", then a space and dots up to {@code size}. */
    static byte[] seqPayload(String tag, int seq, int total, int size) {
        byte[] head = ("zgr-seq " + tag + " " + seq + " " + total).getBytes(StandardCharsets.US_ASCII);
        if (size <= head.length) {
            return head;
        }
        byte[] p = new byte[size];
        Arrays.fill(p, (byte) '.');
        System.arraycopy(head, 0, p, 0, head.length);
        p[head.length] = ' ';
        return p;
    }

    private static String host(boolean v6) {
        return v6 ? "[::1]" : "127.0.0.1";
    }

    private static void assumeIpv6(boolean v6) {
        if (v6) {
            try (java.nio.channels.DatagramChannel c =
                         java.nio.channels.DatagramChannel.open(java.net.StandardProtocolFamily.INET6)) {
                c.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            } catch (IOException | UnsupportedOperationException e) {
                Assumptions.abort("no IPv6 loopback here: " + e);
            }
        }
    }

    private static UDP open(IOMode mode, boolean v6, boolean allowUnknown) throws IOException {
        InetAddress at = v6 ? InetAddress.getByName("::1") : InetAddress.getLoopbackAddress();
        return UDP.open(config(mode).bindAddress(new InetSocketAddress(at, 0)).allowUnknownPeers(allowUnknown)
                .build());
    }

    /**
     * Java initiates; the oracle echoes Java's stream and sends its own. Java to oracle: 20 of
     * {@code size} (checked by the oracle, exit 0); oracle to Java: its 20 and the 20 echoes, each
     * checked here byte for byte.
     */
    @ParameterizedTest(name = "{0} {1} B ipv6={2}")
    @MethodSource("cases")
    void javaInitiatorAndOracleStreamBothWays(IOMode mode, int size, boolean v6) throws Exception {
        BackendAssumptions.assumeAvailable(mode);
        assumeIpv6(v6);
        byte[] oracleKey = TransportTestSupport.randomKey();
        try (OraclePeer oracle = OraclePeer.start(List.of("--listen", host(v6) + ":0", "--key",
                HexFormat.of().formatHex(oracleKey), "--echo", "--send", String.valueOf(MESSAGES), "--size",
                String.valueOf(size), "--expect", String.valueOf(MESSAGES), "--rate", "100", "--linger", "1",
                "--timeout", "60"));
             UDP udp = open(mode, v6, false)) {
            if (size > 16384) {
                assertEquals(size, udp.maxPayload(), "the largest case is exactly maxPayload()");
            }
            PeerKey oraclePub = PeerKey.of(X25519.publicKey(oracleKey));
            udp.setPeerEndpoint(oraclePub, oracle.listeningAddress());
            udp.connect(oraclePub, Duration.ofSeconds(20));
            byte[] buf = new byte[65536];
            Message m = new Message();
            boolean[] own = new boolean[MESSAGES];
            boolean[] echoed = new boolean[MESSAGES];
            int got = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int sent = 0;
            while (got < 2 * MESSAGES) {
                assertTrue(System.nanoTime() - deadline < 0, "got " + got + " of " + 2 * MESSAGES + "; " + udp.stats()
                        + " " + udp.ioInfo().counters() + "; oracle " + oracle.seen());
                if (sent < MESSAGES && udp.writeTo(oraclePub, 0, seqPayload("j", sent, MESSAGES, size))) {
                    sent++; // paced by the reads below: one datagram of up to 64 KiB at a time
                }
                if (!udp.readFrom(m, buf, POLL)) {
                    continue;
                }
                assertEquals(size, m.length(), "payload length");
                String head = new String(buf, 0, 24, StandardCharsets.US_ASCII);
                boolean echo = head.startsWith("zgr-seq j ");
                int seq = Integer.parseInt(head.split(" ")[2]);
                assertArrayEquals(seqPayload(echo ? "j" : "r", seq, MESSAGES, size), Arrays.copyOf(buf, size),
                        "payload " + head.trim());
                boolean[] seen = echo ? echoed : own;
                assertTrue(!seen[seq], "duplicate " + head);
                seen[seq] = true;
                got++;
            }
            assertEquals(0, oracle.waitForExit(Duration.ofSeconds(30)), "oracle: every Java payload arrived; "
                    + oracle.streamStats());
            Map<String, String> stats = oracle.streamStats();
            assertEquals(String.valueOf(MESSAGES), stats.get("received"), stats.toString());
            assertEquals("0", stats.get("send_errors"), stats.toString());
        }
    }

    /** The oracle initiates and streams; Java echoes every payload; the oracle checks each echo. */
    @ParameterizedTest(name = "{0} {1} B ipv6={2}")
    @MethodSource("cases")
    void oracleInitiatorAndJavaEcho(IOMode mode, int size, boolean v6) throws Exception {
        BackendAssumptions.assumeAvailable(mode);
        assumeIpv6(v6);
        byte[] oracleKey = TransportTestSupport.randomKey();
        try (UDP udp = open(mode, v6, true)) {
            InetSocketAddress local = udp.hostInfo().localAddress();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread echo = Thread.ofPlatform().name("test-echo").start(() -> {
                byte[] buf = new byte[65536];
                Message m = new Message();
                try {
                    for (int i = 0; i < MESSAGES; i++) {
                        if (!udp.readFrom(m, buf, Duration.ofSeconds(60))) {
                            throw new AssertionError("echo: nothing after " + i + "; " + udp.stats() + " "
                                    + udp.ioInfo().counters());
                        }
                        if (m.length() != size) {
                            throw new AssertionError("echo: " + m.length() + " bytes, expected " + size);
                        }
                        while (!udp.writeTo(m.sender(), m.protocol(), buf, 0, m.length())) {
                            Thread.sleep(1);
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            try (OraclePeer oracle = OraclePeer.start(List.of("--listen", host(v6) + ":0", "--key",
                    HexFormat.of().formatHex(oracleKey), "--connect", host(v6) + ":" + local.getPort(), "--peer-pub",
                    udp.hostInfo().publicKey().toHex(), "--count", String.valueOf(MESSAGES), "--size",
                    String.valueOf(size), "--rate", "100", "--linger", "1", "--timeout", "60"))) {
                assertEquals(0, oracle.waitForExit(Duration.ofSeconds(90)), "oracle exit; " + oracle.streamStats()
                        + "; java " + udp.stats() + " " + udp.ioInfo().counters());
                Map<String, String> stats = oracle.streamStats();
                assertEquals(String.valueOf(MESSAGES), stats.get("echo_received"), stats.toString());
            }
            echo.join(TimeUnit.SECONDS.toMillis(30));
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
        }
    }

    /**
     * zgrnet's bound, 65,505 bytes of payload (a 65,535-byte datagram), exceeds what UDP carries
     * over IPv4 (65,507) and IPv6 (65,527): the oracle's sends of it fail in its own kernel
     * (EMSGSIZE, counted as send errors) and Java's writeTo refuses it with an exception that says
     * why; the session goes on at the real limit.
     */
    @Test
    void zgrnetsOwnBoundIsRefusedByBothSides() throws Exception {
        byte[] oracleKey = TransportTestSupport.randomKey();
        try (OraclePeer oracle = OraclePeer.start(List.of("--listen", "127.0.0.1:0", "--key",
                HexFormat.of().formatHex(oracleKey), "--echo", "--send", "3", "--size", "65505", "--expect", "1",
                "--rate", "100", "--linger", "1", "--timeout", "30"));
             UDP udp = open(IOMode.AUTO, false, false)) {
            PeerKey oraclePub = PeerKey.of(X25519.publicKey(oracleKey));
            udp.setPeerEndpoint(oraclePub, oracle.listeningAddress());
            udp.connect(oraclePub, Duration.ofSeconds(20));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> udp.writeTo(oraclePub, new byte[65505]));
            assertTrue(e.getMessage().contains("65477") && e.getMessage().contains("UDP"), e.getMessage());
            int max = udp.maxPayload();
            assertTrue(udp.writeTo(oraclePub, 0, seqPayload("j", 0, 1, max)));
            byte[] buf = new byte[65536];
            Message m = new Message();
            assertTrue(udp.readFrom(m, buf, Duration.ofSeconds(20)), "the echo of the largest payload");
            assertEquals(max, m.length());
            assertEquals(0, oracle.waitForExit(Duration.ofSeconds(30)));
            assertEquals("3", oracle.streamStats().get("send_errors"), oracle.streamStats().toString());
            assertEquals(0, udp.stats().get(TransportCounter.MESSAGES_DELIVERED) - 1, "only the echo arrived");
        }
    }
}
