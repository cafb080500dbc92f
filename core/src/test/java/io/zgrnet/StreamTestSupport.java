package io.zgrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Helpers for stream tests: a connected pair, patterned bytes, writers and checking readers. */
final class StreamTestSupport {
    static final Duration WAIT = Duration.ofSeconds(20);

    private StreamTestSupport() {
    }

    /** Two transports that know each other (a's endpoint for b may be a forwarder); a connected to b. */
    static UDP[] pair(IOMode mode, InetSocketAddress bAsSeenByA, InetSocketAddress aAsSeenByB) throws Exception {
        UDP a = UDP.open(TransportTestSupport.config(mode).build());
        UDP b = UDP.open(TransportTestSupport.config(mode).build());
        a.setPeerEndpoint(b.hostInfo().publicKey(), bAsSeenByA != null ? bAsSeenByA : b.hostInfo().localAddress());
        b.setPeerEndpoint(a.hostInfo().publicKey(), aAsSeenByB != null ? aAsSeenByB : a.hostInfo().localAddress());
        a.connect(b.hostInfo().publicKey(), WAIT);
        return new UDP[] {a, b};
    }

    static UDP[] pair(IOMode mode) throws Exception {
        return pair(mode, null, null);
    }

    /** The byte at {@code pos} of the stream with {@code seed}: no short period, so a shift shows. */
    static byte at(long seed, long pos) {
        long x = pos * 0x9E3779B97F4A7C15L + seed * 0xC2B2AE3D27D4EB4FL;
        x ^= x >>> 29;
        x *= 0xBF58476D1CE4E5B9L;
        return (byte) (x ^ (x >>> 32));
    }

    /** Writes {@code total} patterned bytes in chunks of varying size. */
    static void writePattern(StreamChannel c, long seed, long total) throws IOException {
        byte[] buf = new byte[40_000];
        long pos = 0;
        int step = 1;
        while (pos < total) {
            int n = (int) Math.min(total - pos, 1 + (step++ * 7919) % buf.length);
            for (int i = 0; i < n; i++) {
                buf[i] = at(seed, pos + i);
            }
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
            while (bb.hasRemaining()) {
                c.write(bb);
            }
            pos += n;
        }
    }

    /** Reads to the end of the stream, checking every byte in order; returns the count. */
    static long readPattern(StreamChannel c, long seed) throws IOException {
        byte[] buf = new byte[50_000];
        long pos = 0;
        while (true) {
            int n = c.read(ByteBuffer.wrap(buf));
            if (n < 0) {
                return pos;
            }
            for (int i = 0; i < n; i++) {
                if (buf[i] != at(seed, pos + i)) {
                    throw new AssertionError(c + ": byte " + (pos + i) + " is " + buf[i] + ", expected "
                            + at(seed, pos + i));
                }
            }
            pos += n;
        }
    }

    /**
     * Both directions at once on one stream: sends {@code out} bytes with {@code sendSeed}, half-closes,
     * reads and checks to EOF with {@code receiveSeed}, expects {@code in} bytes, closes.
     */
    static Callable<Void> exchange(StreamChannel c, long sendSeed, long out, long receiveSeed, long in,
                                   ExecutorService pool) {
        return () -> {
            Future<Long> reading = pool.submit(() -> readPattern(c, receiveSeed));
            writePattern(c, sendSeed, out);
            c.shutdownOutput();
            assertEquals(in, reading.get(120, TimeUnit.SECONDS).longValue(), c + ": bytes received");
            c.close();
            return null;
        };
    }

    static ExecutorService threads() {
        return Executors.newCachedThreadPool(r -> Thread.ofPlatform().daemon().name("test-stream").unstarted(r));
    }
}
