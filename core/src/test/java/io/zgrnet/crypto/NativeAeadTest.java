package io.zgrnet.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zgrnet.sys.Sodium;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The native (libsodium) engine against the Java engine and the JDK's Cipher, byte for byte, at
 * every length around the thresholds, with and without additional data, in place and not; forged
 * packets fail without writing anything. Skipped where libsodium is not installed.
 */
class NativeAeadTest {
    private static final int[] LENGTHS = {0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 255, 256, 257, 511, 512, 575, 576,
        577, 1023, 1024, 1199, 1200, 1201, 1400, 1452, 1500, 2048, 4097};

    @BeforeAll
    static void requireNative() {
        Assumptions.assumeTrue(NativeAead.ENABLED, () -> "native AEAD off: " + (Sodium.isAvailable()
                ? "zgrnet.crypto.native=false" : Sodium.unavailabilityCause()));
    }

    private static byte[] random(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static byte[] jdkSeal(byte[] key, byte[] nonce, byte[] ad, byte[] plain) throws Exception {
        Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        c.updateAAD(ad);
        return c.doFinal(plain);
    }

    private static byte[] nonceOf(long counter) {
        byte[] n = new byte[12];
        for (int i = 0; i < 8; i++) {
            n[i] = (byte) (counter >>> (8 * i));
        }
        return n;
    }

    @Test
    void sealMatchesTheJavaEngineAndTheJdkAtEveryLength() throws Exception {
        SplittableRandom r = new SplittableRandom(2026_11_24L);
        try (Arena arena = Arena.ofConfined()) {
            for (int len : LENGTHS) {
                for (int adLen : new int[] {0, 13}) {
                    byte[] keyBytes = random(r, 32);
                    AeadKey key = AeadKey.of(keyBytes);
                    long counter = r.nextLong();
                    byte[] plain = random(r, len);
                    byte[] ad = random(r, adLen);
                    MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_BYTE, plain.length == 0 ? new byte[1] : plain);
                    MemorySegment adSeg = arena.allocateFrom(ValueLayout.JAVA_BYTE, ad.length == 0 ? new byte[1] : ad);
                    MemorySegment dst = arena.allocate(len + 16);
                    int n = NativeAead.seal(key, (int) counter, (int) (counter >>> 32), 0, adSeg, 0, adLen, src, 0, len,
                            dst, 0);
                    assertEquals(len + 16, n);
                    byte[] nativeOut = dst.toArray(ValueLayout.JAVA_BYTE);
                    byte[] javaOut = new byte[len + 16];
                    ChaChaPoly.seal(key, counter, MemorySegment.ofArray(ad), 0, adLen, MemorySegment.ofArray(plain), 0,
                            len, MemorySegment.ofArray(javaOut), 0);
                    assertArrayEquals(javaOut, nativeOut, "native vs Java engine, length " + len + ", ad " + adLen);
                    assertArrayEquals(jdkSeal(keyBytes, nonceOf(counter), ad, plain), nativeOut, "vs JDK, length " + len);
                }
            }
        }
    }

    @Test
    void openReversesEitherEngineAndWorksInPlace() {
        SplittableRandom r = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined()) {
            for (int len : LENGTHS) {
                AeadKey key = AeadKey.of(random(r, 32));
                long counter = r.nextLong();
                byte[] plain = random(r, len);
                byte[] sealed = ChaChaPoly.seal(key, counter, new byte[0], plain); // Java engine (heap)
                MemorySegment buf = arena.allocate(len + 16);
                MemorySegment.copy(sealed, 0, buf, ValueLayout.JAVA_BYTE, 0, sealed.length);
                assertEquals(len, NativeAead.open(key, (int) counter, (int) (counter >>> 32), 0, MemorySegment.NULL, 0, 0,
                        buf, 0, len + 16, buf, 0), "in-place native open, length " + len);
                assertArrayEquals(plain, buf.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE));

                // And the public API on native segments (native from MIN_LENGTH on) opens back.
                MemorySegment src = arena.allocate(Math.max(1, len));
                MemorySegment.copy(plain, 0, src, ValueLayout.JAVA_BYTE, 0, len);
                MemorySegment ct = arena.allocate(len + 16);
                ChaChaPoly.seal(key, counter, MemorySegment.NULL, 0, 0, src, 0, len, ct, 0);
                assertArrayEquals(plain, ChaChaPoly.open(key, counter, new byte[0], ct.toArray(ValueLayout.JAVA_BYTE)),
                        "Java open of a native-path seal, length " + len);
            }
        }
    }

    @Test
    void forgeriesFailAndLeaveTheDestinationUntouched() {
        SplittableRandom r = new SplittableRandom(99);
        try (Arena arena = Arena.ofConfined()) {
            for (int len : new int[] {256, 1200, 1500}) {
                AeadKey key = AeadKey.of(random(r, 32));
                byte[] plain = random(r, len);
                byte[] sealed = ChaChaPoly.seal(key, 5, new byte[0], plain);
                for (int flip : new int[] {0, len / 2, len, len + 15}) { // ciphertext and tag bytes
                    MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_BYTE, sealed);
                    src.set(ValueLayout.JAVA_BYTE, flip, (byte) (src.get(ValueLayout.JAVA_BYTE, flip) ^ 1));
                    MemorySegment dst = arena.allocate(len);
                    dst.fill((byte) 0x5A);
                    assertEquals(-1, ChaChaPoly.open(key, 5, MemorySegment.NULL, 0, 0, src, 0, len + 16, dst, 0),
                            "forged byte " + flip);
                    for (long i = 0; i < len; i++) {
                        assertEquals((byte) 0x5A, dst.get(ValueLayout.JAVA_BYTE, i), "dst untouched at " + i);
                    }
                }
                // The wrong counter (nonce) is a forgery too.
                MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_BYTE, sealed);
                assertEquals(-1, ChaChaPoly.open(key, 6, MemorySegment.NULL, 0, 0, src, 0, len + 16, arena.allocate(len), 0));
            }
        }
    }

    @Test
    void rangesAreCheckedBeforeTheNativeCall() {
        try (Arena arena = Arena.ofConfined()) {
            AeadKey key = AeadKey.of(new byte[32]);
            MemorySegment small = arena.allocate(1000);
            assertThrows(IndexOutOfBoundsException.class, () -> ChaChaPoly.seal(key, 1, MemorySegment.NULL, 0, 0,
                    small, 0, 1000, small, 0)); // no room for the tag
            assertThrows(IndexOutOfBoundsException.class, () -> ChaChaPoly.open(key, 1, MemorySegment.NULL, 0, 0,
                    small, 100, 1000, small, 0));
        }
    }

    @Test
    void closedOrForeignSegmentsFailLikeTheJavaEngineInsteadOfReachingC() throws Exception {
        AeadKey key = AeadKey.of(new byte[32]);
        Arena closed = Arena.ofConfined();
        MemorySegment gone = closed.allocate(2048);
        closed.close();
        assertThrows(IllegalStateException.class, () -> ChaChaPoly.seal(key, 1, MemorySegment.NULL, 0, 0,
                gone, 0, 1000, gone, 0));
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment mine = confined.allocate(2048);
            Throwable[] thrown = new Throwable[1];
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    ChaChaPoly.seal(key, 1, MemorySegment.NULL, 0, 0, mine, 0, 1000, mine, 0);
                } catch (Throwable t) {
                    thrown[0] = t;
                }
            });
            other.join();
            assertEquals(WrongThreadException.class, thrown[0] == null ? null : thrown[0].getClass());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ro = arena.allocate(2048).asReadOnly();
            assertThrows(IllegalArgumentException.class, () -> ChaChaPoly.seal(key, 1, MemorySegment.NULL, 0, 0,
                    ro, 0, 1000, ro, 0), "a read-only destination is refused, not written by C");
        }
    }
}
