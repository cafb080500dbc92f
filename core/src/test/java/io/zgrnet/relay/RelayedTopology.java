package io.zgrnet.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.zgrnet.IOMode;
import io.zgrnet.Message;
import io.zgrnet.PeerKey;
import io.zgrnet.StreamChannel;
import io.zgrnet.TransportConfig;
import io.zgrnet.UDP;
import io.zgrnet.io.select.BackendKind;
import io.zgrnet.io.select.BackendSelector;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;

/**
 * A, B, C on loopback for relayed-session tests: A and C know only B's address; B is what
 * {@code zgrnet relay --allow-unknown} runs (unknown peers allowed, a {@link RelayNode} with no
 * routes); C allows unknown peers (it learns A from the relayed handshake); A reaches C with
 * {@code setPeerRelay(C, B)}. Extra nodes ({@link #node}) are closed and leak-checked with them.
 */
final class RelayedTopology implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final int WINDOW = 256;
    private static final int RANDOM_BLOCK = 16384;

    final UDP a;
    final UDP b;
    final UDP c;
    final RelayNode relay;
    final PeerKey ak;
    final PeerKey bk;
    final PeerKey ck;
    private final IOMode mode;
    private final List<UDP> all = new ArrayList<>();

    private RelayedTopology(IOMode mode, Function<PeerKey, RelayConfig> relayConfig) throws Exception {
        this.mode = mode;
        b = node(true);
        a = node(false);
        c = node(true);
        ak = a.hostInfo().publicKey();
        bk = b.hostInfo().publicKey();
        ck = c.hostInfo().publicKey();
        relay = RelayNode.start(b, relayConfig.apply(bk), new RouteTable(16, 16), 64);
        for (UDP end : new UDP[] {a, c}) {
            connect(end, b);
        }
        a.setPeerRelay(ck, bk);
    }

    /** The topology on {@code mode}; the test is skipped, with the reason, where it is unavailable. */
    static RelayedTopology open(IOMode mode, Function<PeerKey, RelayConfig> relayConfig) throws Exception {
        String cause = BackendSelector.unavailabilityCause(BackendKind.valueOf(mode.name()));
        Assumptions.assumeTrue(cause == null, () -> mode + " unavailable here: " + cause);
        return new RelayedTopology(mode, relayConfig);
    }

    /** One more transport on the same backend. */
    UDP node(boolean allowUnknown) throws Exception {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        UDP u = UDP.open(TransportConfig.builder().privateKey(k).ioMode(mode).decryptWorkers(1).poolSlots(4096)
                .receiveQueueSize(1024).sendQueueSize(1024).allowUnknownPeers(allowUnknown).build());
        all.add(u);
        return u;
    }

    /** {@code from} connects to {@code to} directly and pings it, which proves {@code to}'s responder session. */
    static void connect(UDP from, UDP to) throws Exception {
        PeerKey k = to.hostInfo().publicKey();
        from.setPeerEndpoint(k, to.hostInfo().localAddress());
        from.connect(k, WAIT);
        from.ping(k, WAIT);
    }

    @Override
    public void close() {
        relay.close();
        for (UDP u : all) {
            u.close();
        }
        for (UDP u : all) {
            assertEquals(0, u.outstandingSlots(), "pool slots leaked");
        }
    }

    /** Datagram {@code seq} of a flow: its size and bytes follow from {@code seq} and {@code filler}. */
    static byte[] datagram(long seq, int filler) {
        ByteBuffer bb = ByteBuffer.allocate(64 + (int) (seq % 900)).putLong(seq);
        while (bb.hasRemaining()) {
            bb.put((byte) (filler + seq + bb.position()));
        }
        return bb.array();
    }

    /** Queues message {@code i} of a flow; false when the send path refused it (it is sent again). */
    @FunctionalInterface
    interface Send {
        boolean send(long i) throws Exception;
    }

    /** Checks message {@code i} of a flow, received into {@code buf}. */
    @FunctionalInterface
    interface Check {
        void check(long i, Message m, byte[] buf);
    }

    /**
     * {@code total} datagrams from {@code from} to {@code to}, at most {@link #WINDOW} ahead of the
     * receiver, which checks sender, order and bytes of each; the returned thread ends with both.
     */
    static Thread flow(UDP from, UDP to, int total, int filler, AtomicLong received,
                       AtomicReference<Throwable> failure) {
        PeerKey src = from.hostInfo().publicKey();
        PeerKey dst = to.hostInfo().publicKey();
        return flow(to, total, filler, i -> from.writeTo(dst, datagram(i, filler)), (i, m, buf) -> {
            assertEquals(src, m.sender(), "attributed to the end-to-end peer, not the relay");
            assertEquals(0, m.protocol());
            assertArrayEquals(datagram(i, filler), Arrays.copyOf(buf, m.length()), "datagram " + i + " whole and in order");
        }, received, failure);
    }

    /**
     * {@code total} messages sent by {@code send}, at most {@link #WINDOW} ahead of a reader at
     * {@code to} that checks each with {@code check}; the returned thread ends with both.
     */
    static Thread flow(UDP to, int total, int name, Send send, Check check, AtomicLong received,
                       AtomicReference<Throwable> failure) {
        Thread reader = Thread.ofPlatform().name("test-reader-" + name).start(() -> {
            byte[] buf = new byte[2048];
            Message m = new Message();
            try {
                for (long i = 0; i < total; i++) {
                    if (!to.readFrom(m, buf, WAIT)) {
                        throw new AssertionError("stalled at " + i + "; receiver " + to.stats());
                    }
                    check.check(i, m, buf);
                    received.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        Thread sender = Thread.ofPlatform().name("test-sender-" + name).start(() -> {
            try {
                for (long i = 0; i < total && failure.get() == null; i++) {
                    while (i - received.get() >= WINDOW && failure.get() == null) {
                        Thread.onSpinWait();
                    }
                    while (!send.send(i)) {
                        Thread.onSpinWait(); // a full queue drops and counts: retry
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        return Thread.ofPlatform().start(() -> {
            try {
                sender.join();
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Runs {@code task} on a thread of its own (the common pool may have one thread on a small machine). */
    static FutureTask<byte[]> inThread(Callable<byte[]> task) {
        FutureTask<byte[]> f = new FutureTask<>(task);
        Thread.ofPlatform().daemon().start(f);
        return f;
    }

    /**
     * Accepts one stream from {@code from} at {@code at}, checks that it carries exactly what
     * {@link #sendRandom} sends for {@code total} (naming the first byte that differs), and returns
     * the SHA-256 of all it carried.
     */
    static byte[] sha256(UDP at, PeerKey from, long total) {
        try (StreamChannel s = at.acceptStream(Duration.ofSeconds(30))) {
            assertNotNull(s, "no stream accepted");
            assertEquals(from, s.peer());
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            InputStream in = s.inputStream();
            Random expected = new Random(total);
            byte[] want = new byte[RANDOM_BLOCK];
            int wantAt = RANDOM_BLOCK;
            byte[] buf = new byte[65536];
            long n = 0;
            int r;
            while ((r = in.read(buf)) >= 0) {
                md.update(buf, 0, r);
                for (int i = 0; i < r; i++, n++) {
                    if (wantAt == RANDOM_BLOCK) {
                        expected.nextBytes(want);
                        wantAt = 0;
                    }
                    if (buf[i] != want[wantAt++]) {
                        throw new AssertionError("stream byte " + n + " of " + total + " differs; receiver "
                                + at.stats());
                    }
                }
            }
            assertEquals(total, n, "bytes the stream carried");
            return md.digest();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Opens a stream from {@code from} to {@code to}, sends {@code total} random bytes, returns their SHA-256. */
    static byte[] sendRandom(UDP from, PeerKey to, long total) {
        try (StreamChannel s = from.openStream(to)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            OutputStream out = s.outputStream();
            Random r = new Random(total);
            byte[] buf = new byte[RANDOM_BLOCK];
            for (long n = 0; n < total; n += buf.length) {
                r.nextBytes(buf);
                md.update(buf);
                out.write(buf);
            }
            s.shutdownOutput();
            return md.digest();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
