package io.zgrnet.bench;

import io.zgrnet.crypto.AeadKey;
import io.zgrnet.crypto.ChaChaPoly;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The same operations as {@link AeadBenchmark}, timed by the measuring thread's CPU time (best of
 * several rounds) instead of wall-clock time. On a shared machine other processes steal the CPU
 * and inflate JMH's wall-clock scores; CPU time mostly does not see that, so this gives a
 * steadier comparison. One operation and size per JVM, so JIT profiles stay clean:
 *
 * <pre>java -cp bench/target/benchmarks.jar io.zgrnet.bench.AeadCpuTime sealOurs 1200</pre>
 */
public final class AeadCpuTime {
    private static final int WARMUP_OPS = 300_000;
    private static final int ROUND_OPS = 100_000;
    private static final int ROUNDS = 7;

    private AeadCpuTime() {
    }

    public static void main(String[] args) throws GeneralSecurityException {
        if (args.length != 2) {
            System.err.println("usage: AeadCpuTime sealOurs|openOurs|sealJdk|openJdk SIZE");
            System.exit(2);
        }
        String op = args[0];
        int size = Integer.parseInt(args[1]);
        Runnable task = task(op, size);
        for (int i = 0; i < WARMUP_OPS; i++) {
            task.run();
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            long start = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < ROUND_OPS; i++) {
                task.run();
            }
            best = Math.min(best, (threads.getCurrentThreadCpuTime() - start) / (double) ROUND_OPS);
        }
        System.out.printf("%-9s %5d B  %7.0f ns/op (thread CPU time, best of %d x %d ops)%n",
                op, size, best, ROUNDS, ROUND_OPS);
    }

    private static Runnable task(String op, int size) throws GeneralSecurityException {
        SplittableRandom random = new SplittableRandom(42);
        byte[] keyBytes = new byte[ChaChaPoly.KEY_LENGTH];
        random.nextBytes(keyBytes);
        AeadKey key = AeadKey.of(keyBytes);
        Arena arena = Arena.ofShared(); // lives until the JVM exits
        MemorySegment plain = arena.allocate(size + ChaChaPoly.TAG_LENGTH, 64);
        MemorySegment sealed = arena.allocate(size + ChaChaPoly.TAG_LENGTH, 64);
        MemorySegment out = arena.allocate(size + ChaChaPoly.TAG_LENGTH, 64);
        byte[] payload = new byte[size];
        random.nextBytes(payload);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, plain, 0, size);
        long sealedCounter = 7;
        ChaChaPoly.seal(key, sealedCounter, MemorySegment.NULL, 0, 0, plain, 0, size, sealed, 0);
        long[] counter = {1000};

        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        SecretKeySpec jdkKey = new SecretKeySpec(keyBytes, "ChaCha20");
        ByteBuffer plainBuf = plain.asByteBuffer();
        ByteBuffer sealedBuf = sealed.asByteBuffer();
        ByteBuffer outBuf = out.asByteBuffer();
        byte[] nonce = new byte[ChaChaPoly.NONCE_LENGTH];
        return switch (op) {
            case "sealOurs" -> () -> ChaChaPoly.seal(key, counter[0]++, MemorySegment.NULL, 0, 0, plain, 0, size, out, 0);
            case "openOurs" -> () -> {
                if (ChaChaPoly.open(key, sealedCounter, MemorySegment.NULL, 0, 0, sealed, 0,
                        size + ChaChaPoly.TAG_LENGTH, out, 0) != size) {
                    throw new IllegalStateException("open failed");
                }
            };
            case "sealJdk" -> () -> jdkRun(jdk, Cipher.ENCRYPT_MODE, jdkKey, nonce, counter[0]++, plainBuf, size, outBuf);
            case "openJdk" -> () -> jdkRun(jdk, Cipher.DECRYPT_MODE, jdkKey, nonce, sealedCounter, sealedBuf,
                    size + ChaChaPoly.TAG_LENGTH, outBuf);
            default -> throw new IllegalArgumentException("unknown operation " + op);
        };
    }

    private static void jdkRun(Cipher c, int mode, SecretKeySpec key, byte[] nonce, long counter,
                               ByteBuffer in, int inLen, ByteBuffer out) {
        for (int i = 0; i < 8; i++) {
            nonce[i] = (byte) (counter >>> (8 * i));
        }
        try {
            c.init(mode, key, new IvParameterSpec(nonce));
            in.clear().limit(inLen);
            out.clear();
            c.doFinal(in, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
