package io.zgrnet.bench;

import io.zgrnet.crypto.AeadKey;
import io.zgrnet.crypto.ChaChaPoly;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
 * Transport-packet AEAD cost: zgrnet's {@link ChaChaPoly} against the JDK's ChaCha20-Poly1305
 * {@link Cipher}, both on native (off-heap) segments as the packet pool hands them out, with an
 * empty AD and a fresh counter per packet as in the transport.
 *
 * <p>The JDK baseline is what a pre-existing implementation would do per packet: re-init a
 * reused Cipher with the packet's nonce (a new IvParameterSpec), then doFinal between direct
 * buffers. Open decrypts into a second buffer so the ciphertext survives for the next call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AeadBenchmark {
    @Param({"64", "1200"})
    int size;

    private Arena arena;
    private MemorySegment plain;
    private MemorySegment sealed;
    private MemorySegment out;
    private AeadKey key;
    private long counter;
    /** The counter {@link #sealed} was produced with. */
    private long sealedCounter;

    private Cipher jdk;
    private SecretKeySpec jdkKey;
    private ByteBuffer plainBuf;
    private ByteBuffer sealedBuf;
    private ByteBuffer outBuf;
    private byte[] nonce;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
        SplittableRandom random = new SplittableRandom(42);
        byte[] keyBytes = new byte[ChaChaPoly.KEY_LENGTH];
        random.nextBytes(keyBytes);
        key = AeadKey.of(keyBytes);
        jdkKey = new SecretKeySpec(keyBytes, "ChaCha20");
        jdk = Cipher.getInstance("ChaCha20-Poly1305");

        arena = Arena.ofShared();
        int capacity = size + ChaChaPoly.TAG_LENGTH;
        plain = arena.allocate(capacity, 64);
        sealed = arena.allocate(capacity, 64);
        out = arena.allocate(capacity, 64);
        byte[] payload = new byte[size];
        random.nextBytes(payload);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, plain, 0, size);
        sealedCounter = 7;
        ChaChaPoly.seal(key, sealedCounter, MemorySegment.NULL, 0, 0, plain, 0, size, sealed, 0);

        plainBuf = plain.asByteBuffer();
        sealedBuf = sealed.asByteBuffer();
        outBuf = out.asByteBuffer();
        nonce = new byte[ChaChaPoly.NONCE_LENGTH];
        counter = 1000;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public int sealOurs() {
        return ChaChaPoly.seal(key, counter++, MemorySegment.NULL, 0, 0, plain, 0, size, out, 0);
    }

    @Benchmark
    public int openOurs() {
        int n = ChaChaPoly.open(key, sealedCounter, MemorySegment.NULL, 0, 0, sealed, 0,
                size + ChaChaPoly.TAG_LENGTH, out, 0);
        if (n != size) {
            throw new IllegalStateException("open failed");
        }
        return n;
    }

    @Benchmark
    public int sealJdk() throws GeneralSecurityException {
        // The JDK refuses to encrypt twice under one (key, nonce), so each packet gets a new one.
        writeNonce(counter++);
        jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new IvParameterSpec(nonce));
        plainBuf.clear().limit(size);
        outBuf.clear();
        return jdk.doFinal(plainBuf, outBuf);
    }

    @Benchmark
    public int openJdk() throws GeneralSecurityException {
        writeNonce(sealedCounter);
        jdk.init(Cipher.DECRYPT_MODE, jdkKey, new IvParameterSpec(nonce));
        sealedBuf.clear().limit(size + ChaChaPoly.TAG_LENGTH);
        outBuf.clear();
        return jdk.doFinal(sealedBuf, outBuf);
    }

    private void writeNonce(long c) {
        for (int i = 0; i < 8; i++) {
            nonce[i] = (byte) (c >>> (8 * i));
        }
    }
}
