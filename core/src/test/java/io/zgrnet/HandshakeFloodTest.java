package io.zgrnet;

import static io.zgrnet.TransportTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;

/**
 * A genuine handshake completes while cheap garbage and valid-looking initiations flood us
 * (issue 13, case 5). The bar is 1 s; the tests allow {@value #BOUND_MS} ms so that a
 * loaded CI machine does not fail them, and print the time measured.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HandshakeFloodTest {
    private static final long BOUND_MS = 3000;

    /** Sends datagrams made by {@code next} from {@code sources} round-robin until stopped. */
    private static Thread flood(List<DatagramChannel> sources, InetSocketAddress to, int perSecond,
                                java.util.function.Consumer<ByteBuffer> next, AtomicBoolean stop, AtomicLong sent) {
        return Thread.ofPlatform().name("test-flood").start(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(256);
            long start = System.nanoTime();
            int i = 0;
            try {
                while (!stop.get()) {
                    if (perSecond > 0) {
                        long due = start + sent.get() * 1_000_000_000L / perSecond;
                        while (System.nanoTime() - due < 0 && !stop.get()) {
                            Thread.sleep(0, 100_000);
                        }
                    }
                    buf.clear();
                    next.accept(buf);
                    buf.flip();
                    sources.get(i++ % sources.size()).send(buf, to);
                    sent.incrementAndGet();
                }
            } catch (Exception e) {
                if (!stop.get()) {
                    throw new RuntimeException(e);
                }
            }
        });
    }

    private static List<DatagramChannel> sockets(int n, String prefix) throws Exception {
        List<DatagramChannel> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DatagramChannel ch = DatagramChannel.open();
            ch.bind(new InetSocketAddress(InetAddress.ofLiteral(prefix + (i / 250) + "." + (1 + i % 250)), 0));
            out.add(ch);
        }
        return out;
    }

    private static void closeAll(List<DatagramChannel> channels) throws Exception {
        for (DatagramChannel ch : channels) {
            ch.close();
        }
    }

    /** 1-byte 0x01 at 500/s from the initiator's own address: the responder still answers it at once. */
    @Test
    void oneByteInitiationsFromThePeersAddress() throws Exception {
        try (UDP udp = UDP.open(config(IOMode.AUTO).build());
             ManualPeer peer = new ManualPeer(TransportTestSupport.randomKey())) {
            udp.setPeerEndpoint(peer.key(), peer.address());
            List<DatagramChannel> same = sockets(1, "127.0.");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            Thread t = flood(List.of(same.get(0)), udp.hostInfo().localAddress(), 500, b -> b.put((byte) 1), stop,
                    sent);
            Thread.sleep(200);
            long t0 = System.nanoTime();
            peer.connect(udp, 1);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            stop.set(true);
            t.join();
            closeAll(same);
            System.out.println("handshake during a 1-byte 0x01 flood: " + ms + " ms; " + udp.stats());
            assertTrue(ms < BOUND_MS, ms + " ms");
            assertTrue(udp.stats().get(TransportCounter.DROP_MALFORMED) > 0);
        }
    }

    /** 1-byte 0x02 at 500/s from the responder's address: our initiation still completes. */
    @Test
    void oneByteResponsesFromTheRespondersAddress() throws Exception {
        try (UDP udp = UDP.open(config(IOMode.AUTO).build());
             ManualPeer responder = new ManualPeer(TransportTestSupport.randomKey())) {
            udp.setPeerEndpoint(responder.key(), responder.address());
            List<DatagramChannel> same = sockets(1, "127.0.");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            Thread t = flood(same, udp.hostInfo().localAddress(), 500, b -> b.put((byte) 2), stop, sent);
            Thread.sleep(200);
            long t0 = System.nanoTime();
            var connected = udp.connectAsync(responder.key());
            responder.accept(udp, 9);
            connected.get(BOUND_MS, TimeUnit.MILLISECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            stop.set(true);
            t.join();
            closeAll(same);
            System.out.println("our handshake during a 1-byte 0x02 flood: " + ms + " ms; " + udp.stats());
            assertEquals(PeerInfo.State.ESTABLISHED, udp.peerInfo(responder.key()).state());
        }
    }

    /**
     * Initiations from random keys that never send data, more than the peer table holds (unknown
     * peers allowed): a new genuine peer still gets in at once, the table stays bounded.
     */
    @Test
    void initiationsFromRandomKeysDoNotFillThePeerTable() throws Exception {
        int maxPeers = 256;
        int strangers = 600;
        try (UDP udp = UDP.open(config(IOMode.AUTO).allowUnknownPeers(true).maxPeers(maxPeers).build());
             ManualPeer genuine = new ManualPeer(TransportTestSupport.randomKey())) {
            List<DatagramChannel> sources = sockets(64, "127.0.2");
            List<byte[]> inits = new ArrayList<>();
            for (int i = 0; i < strangers; i++) {
                try (ManualPeer stranger = new ManualPeer(TransportTestSupport.randomKey())) {
                    inits.add(stranger.initFor(udp, i));
                }
            }
            InetSocketAddress to = udp.hostInfo().localAddress();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (int i = 0; i < strangers; i++) {
                sources.get(i % sources.size()).send(ByteBuffer.wrap(inits.get(i)), to);
                if (i % 64 == 63 || i == strangers - 1) {
                    // Each source's next initiation only once its last one was answered (one may
                    // wait per source; a slow machine answers late), and within its rate budget.
                    while (udp.stats().get(TransportCounter.HANDSHAKES_RESPONDED) < i + 1) {
                        assertTrue(System.nanoTime() - deadline < 0, "the strangers were not answered: "
                                + udp.stats());
                        Thread.sleep(5);
                    }
                    Thread.sleep(60);
                }
            }
            long t0 = System.nanoTime();
            genuine.connect(udp, 1);
            genuine.send(udp, 0, "hello".getBytes(StandardCharsets.UTF_8));
            assertEquals(5, udp.readFrom(new byte[16], Duration.ofSeconds(10)).length());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            closeAll(sources);
            System.out.println("new peer after " + strangers + " random-key initiations: " + ms + " ms; "
                    + udp.stats());
            assertTrue(ms < BOUND_MS, ms + " ms");
            assertTrue(udp.peers().size() <= maxPeers);
            assertTrue(udp.stats().get(TransportCounter.PEERS_EVICTED) > 0);
            assertEquals(PeerInfo.State.ESTABLISHED, udp.peerInfo(genuine.key()).state());
        }
    }

    /**
     * Valid-looking initiations (85 random bytes, type 1) as fast as one thread sends them, rotated
     * over 1,024 source addresses: a genuine handshake waits behind at most one from each source.
     */
    @Test
    void initiationFloodFromManyAddresses() throws Exception {
        try (UDP udp = UDP.open(config(IOMode.AUTO).build());
             ManualPeer genuine = new ManualPeer(TransportTestSupport.randomKey())) {
            udp.setPeerEndpoint(genuine.key(), genuine.address());
            List<DatagramChannel> sources = sockets(1024, "127.0.3");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            SplittableRandom random = new SplittableRandom(7);
            Thread t = flood(sources, udp.hostInfo().localAddress(), 0, b -> {
                b.put((byte) 1);
                for (int i = 1; i < 85; i++) {
                    b.put((byte) random.nextInt());
                }
            }, stop, sent);
            Thread.sleep(1000);
            long before = sent.get();
            long t0 = System.nanoTime();
            genuine.connect(udp, 1);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            long rate = (sent.get() - before) * 1000 / Math.max(1, ms);
            Thread.sleep(500);
            stop.set(true);
            t.join();
            closeAll(sources);
            System.out.println("handshake during an initiation flood from 1024 addresses (~" + rate + "/s): " + ms
                    + " ms; " + udp.stats());
            assertTrue(ms < BOUND_MS, ms + " ms");
            assertTrue(udp.stats().get(TransportCounter.DROP_HANDSHAKE_DECRYPT_FAILED) > 0);
        }
    }
}
