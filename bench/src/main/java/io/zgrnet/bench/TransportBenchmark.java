package io.zgrnet.bench;

import io.zgrnet.IOMode;
import io.zgrnet.Message;
import io.zgrnet.PeerKey;
import io.zgrnet.TransportConfig;
import io.zgrnet.UDP;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One message through two zgrnet-java transports on loopback: encrypt and queue on the caller,
 * sendmmsg/SENDMSG on A's I/O thread, receive and decrypt on B's threads, in-order delivery to the
 * reader. Run with {@code -prof gc}: the allocation per operation (all threads) must be ~0 B.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TransportBenchmark {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    @Param({"64", "1200"})
    int size;

    @Param({"MMSG"})
    String io;

    private UDP a;
    private UDP b;
    private PeerKey bKey;
    private byte[] payload;
    private byte[] buffer;
    private final Message message = new Message();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        SecureRandom random = new SecureRandom();
        byte[] ka = new byte[32];
        byte[] kb = new byte[32];
        random.nextBytes(ka);
        random.nextBytes(kb);
        IOMode mode = IOMode.valueOf(io);
        a = UDP.open(TransportConfig.builder().privateKey(ka).ioMode(mode).decryptWorkers(1).build());
        b = UDP.open(TransportConfig.builder().privateKey(kb).ioMode(mode).decryptWorkers(1).build());
        bKey = b.hostInfo().publicKey();
        a.setPeerEndpoint(bKey, b.hostInfo().localAddress());
        b.setPeerEndpoint(a.hostInfo().publicKey(), a.hostInfo().localAddress());
        a.connect(bKey, Duration.ofSeconds(10));
        payload = new byte[size];
        buffer = new byte[65536]; // any payload: -p size=8000,60000 runs whole-message sizes too
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
    }

    /** Send one message and wait until the reader has it. */
    @Benchmark
    public int sendAndReceive() throws InterruptedException, IOException {
        while (!a.writeTo(bKey, 0, payload, 0, size)) {
            Thread.onSpinWait();
        }
        if (!b.readFrom(message, buffer, READ_TIMEOUT)) {
            throw new IllegalStateException("message lost: " + b.stats());
        }
        return message.length();
    }
}
