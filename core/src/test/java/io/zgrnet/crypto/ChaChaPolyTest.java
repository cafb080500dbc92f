package io.zgrnet.crypto;

import static io.zgrnet.testing.SharedFiles.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.testing.SharedFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link ChaChaPoly} against the JDK's ChaCha20-Poly1305 on seeded-random inputs, through the
 * public API and through each engine directly, on heap and native segments, in place and out of
 * place; forged inputs must return -1 and leave the destination exactly as it was.
 */
class ChaChaPolyTest {
    /** Every length up to 130 (all tail shapes of the first blocks), then a spread of larger ones. */
    static final int[] LENGTHS = IntStream.concat(IntStream.rangeClosed(0, 130), IntStream.of(
            191, 192, 193, 255, 256, 257, 511, 512, 513, 1000, 1199, 1200, 1201, 1472, 1500,
            1983, 1984, 1985, 2047, 2048, 2049, 4096, 9000, 16383, 65535)).toArray();
    static final int[] AD_LENGTHS = {0, 1, 12, 15, 16, 17, 31, 32, 33, 100};
    /** Counters whose halves land in different nonce words; -1 is 2^64 - 1 as an unsigned counter. */
    static final long[] COUNTERS = {0, 1, 0xFFFF_FFFFL, 1L << 32, 0x0102030405060708L, -1L, Long.MIN_VALUE};

    private static final byte SENTINEL = (byte) 0xA5;

    enum Engine { API, SCALAR, LANES }

    @Test
    void matchesJdkAtEveryLengthEngineAndMemoryKind() {
        SplittableRandom random = new SplittableRandom(0x5EED);
        int maxLen = Arrays.stream(LENGTHS).max().orElseThrow();
        try (Arena arena = Arena.ofConfined()) {
            Buffers heap = Buffers.heap(maxLen);
            Buffers off = Buffers.allocate(arena, maxLen);
            for (int i = 0; i < LENGTHS.length; i++) {
                int len = LENGTHS[i];
                Case c = Case.random(random, len, AD_LENGTHS[i % AD_LENGTHS.length],
                        i % 4 == 3 ? random.nextLong() : COUNTERS[i % COUNTERS.length]);
                byte[] expected = JdkChaChaPoly.seal(c.key, JdkChaChaPoly.nonce(c.counter), c.ad, c.plaintext);
                for (Engine engine : Engine.values()) {
                    for (Buffers b : new Buffers[] {heap, off}) {
                        for (boolean inPlace : new boolean[] {false, true}) {
                            String where = c + " " + engine + " " + b.kind + (inPlace ? " in-place" : " out-of-place");
                            assertArrayEquals(expected, sealAndOpen(engine, c, b, inPlace), where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void forgeriesFailAndLeaveDestinationUntouched() {
        SplittableRandom random = new SplittableRandom(0xF0F0);
        int maxLen = Arrays.stream(LENGTHS).max().orElseThrow();
        try (Arena arena = Arena.ofConfined()) {
            Buffers heap = Buffers.heap(maxLen);
            Buffers off = Buffers.allocate(arena, maxLen);
            for (int i = 0; i < LENGTHS.length; i++) {
                int len = LENGTHS[i];
                Case c = Case.random(random, len, AD_LENGTHS[(i * 3) % AD_LENGTHS.length], random.nextLong());
                byte[] sealed = JdkChaChaPoly.seal(c.key, JdkChaChaPoly.nonce(c.counter), c.ad, c.plaintext);
                Engine engine = Engine.values()[i % 3];
                Buffers b = i % 2 == 0 ? heap : off;
                boolean inPlace = (i / 2) % 2 == 0;
                for (Forgery f : Forgery.values()) {
                    if (!f.appliesTo(c)) {
                        continue;
                    }
                    Case forged = f.apply(c, sealed, random);
                    assertRejected(engine, forged, forged.sealed, b, inPlace, c + " " + f + " " + engine + " " + b.kind);
                }
            }
        }
    }

    @Test
    void openNeverWritesOnFailureForAnyFlippedTagOrCiphertextBit() {
        SplittableRandom random = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined()) {
            Buffers off = Buffers.allocate(arena, 2048);
            for (int len : new int[] {0, 1, 63, 64, 65, 300, 1200}) {
                Case c = Case.random(random, len, 5, 42);
                byte[] sealed = JdkChaChaPoly.seal(c.key, JdkChaChaPoly.nonce(c.counter), c.ad, c.plaintext);
                for (int bit = 0; bit < sealed.length * 8; bit += len < 100 ? 1 : 37) {
                    byte[] bad = sealed.clone();
                    bad[bit / 8] ^= (byte) (1 << (bit % 8));
                    for (Engine engine : Engine.values()) {
                        assertRejected(engine, c, bad, off, false, "len " + len + " bit " + bit + " " + engine);
                        assertRejected(engine, c, bad, off, true, "len " + len + " bit " + bit + " " + engine + " in-place");
                    }
                }
            }
        }
    }

    @Test
    void shorterThanATagIsRejected() {
        AeadKey key = AeadKey.of(new byte[32]);
        byte[] dst = new byte[16];
        Arrays.fill(dst, SENTINEL);
        for (int ctLen = 0; ctLen < ChaChaPoly.TAG_LENGTH; ctLen++) {
            assertEquals(-1, ChaChaPoly.open(key, 0, MemorySegment.NULL, 0, 0, MemorySegment.ofArray(new byte[16]), 0, ctLen,
                    MemorySegment.ofArray(dst), 0));
            assertNull(ChaChaPoly.open(key, 0, new byte[0], new byte[ctLen]));
        }
        assertTrue(allSentinel(dst));
    }

    @Test
    void rangesOutsideTheSegmentThrowBeforeWriting() {
        AeadKey key = AeadKey.of(new byte[32]);
        byte[] src = new byte[100];
        byte[] dst = new byte[100 + ChaChaPoly.TAG_LENGTH - 1];
        Arrays.fill(dst, SENTINEL);
        assertThrows(IndexOutOfBoundsException.class, () -> ChaChaPoly.seal(key, 1, MemorySegment.NULL, 0, 0,
                MemorySegment.ofArray(src), 0, 100, MemorySegment.ofArray(dst), 0));
        assertTrue(allSentinel(dst));
        assertThrows(IndexOutOfBoundsException.class, () -> ChaChaPoly.seal(key, 1, MemorySegment.NULL, 0, 1,
                MemorySegment.ofArray(src), 0, 10, MemorySegment.ofArray(dst), 0));
        assertThrows(IndexOutOfBoundsException.class, () -> ChaChaPoly.open(key, 1, MemorySegment.NULL, 0, 0,
                MemorySegment.ofArray(src), 50, 60, MemorySegment.ofArray(dst), 0));
        assertTrue(allSentinel(dst));
    }

    @Test
    void byteArrayConveniencesRoundTrip() {
        AeadKey key = AeadKey.of(hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
        byte[] ad = {1, 2, 3};
        byte[] pt = "hello, zgrnet".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] sealed = ChaChaPoly.seal(key, 9, ad, pt);
        assertArrayEquals(JdkChaChaPoly.seal(key.toBytes(), JdkChaChaPoly.nonce(9), ad, pt), sealed);
        assertArrayEquals(pt, ChaChaPoly.open(key, 9, ad, sealed));
        assertNull(ChaChaPoly.open(key, 10, ad, sealed));
    }

    @Test
    void generalNonceMatchesJdk() {
        SplittableRandom random = new SplittableRandom(99);
        for (int len : new int[] {0, 17, 64, 300, 1200}) {
            byte[] key = bytes(random, 32);
            byte[] nonce = bytes(random, 12);
            byte[] ad = bytes(random, len % 20);
            byte[] pt = bytes(random, len);
            byte[] expected = JdkChaChaPoly.seal(key, nonce, ad, pt);
            assertArrayEquals(expected, Rfc8439Test.sealWithNonce(key, nonce, ad, pt), "len " + len);
            assertArrayEquals(pt, Rfc8439Test.openWithNonce(key, nonce, ad, expected), "len " + len);
        }
        assertThrows(IllegalArgumentException.class, () -> ChaChaPoly.seal(AeadKey.of(new byte[32]), new byte[8],
                MemorySegment.NULL, 0, 0, MemorySegment.NULL, 0, 0, MemorySegment.ofArray(new byte[16]), 0));
    }

    @Test
    void zgrnetTransportVectorsFromTheOracle() {
        for (java.nio.file.Path file : SharedFiles.vectorFiles()) {
            JsonNode transport = SharedFiles.readJson(file).get("transport");
            assertTrue(transport.size() > 0, file + " has no transport vectors");
            for (JsonNode v : transport) {
                AeadKey key = AeadKey.of(hex(v.get("key")));
                long counter = v.get("counter").asLong();
                byte[] nonce = hex(v.get("nonce"));
                assertArrayEquals(JdkChaChaPoly.nonce(counter), nonce, "nonce layout");
                byte[] pt = hex(v.get("plaintext"));
                byte[] ct = hex(v.get("ciphertext"));
                assertArrayEquals(ct, ChaChaPoly.seal(key, counter, new byte[0], pt), v.get("direction") + " " + counter);
                assertArrayEquals(pt, ChaChaPoly.open(key, counter, new byte[0], ct), v.get("direction") + " " + counter);
            }
        }
    }

    // --- helpers -----------------------------------------------------------------------------

    /** Seals with the given engine, checks the returned length, opens again, returns ct || tag. */
    private static byte[] sealAndOpen(Engine engine, Case c, Buffers b, boolean inPlace) {
        int len = c.plaintext.length;
        MemorySegment.copy(c.plaintext, 0, b.src, ValueLayout.JAVA_BYTE, 0, len);
        MemorySegment.copy(c.ad, 0, b.ad, ValueLayout.JAVA_BYTE, 0, c.ad.length);
        MemorySegment dst = inPlace ? b.src : b.dst;
        assertEquals(len + ChaChaPoly.TAG_LENGTH, seal(engine, c, b.ad, b.src, len, dst));
        byte[] sealed = dst.asSlice(0, len + ChaChaPoly.TAG_LENGTH).toArray(ValueLayout.JAVA_BYTE);

        MemorySegment out = inPlace ? dst : b.src;
        assertEquals(len, open(engine, c, b.ad, dst, len + ChaChaPoly.TAG_LENGTH, out), "open " + c);
        assertArrayEquals(c.plaintext, out.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE), "plaintext " + c);
        return sealed;
    }

    private static void assertRejected(Engine engine, Case c, byte[] sealed, Buffers b, boolean inPlace, String where) {
        MemorySegment.copy(sealed, 0, b.src, ValueLayout.JAVA_BYTE, 0, sealed.length);
        MemorySegment.copy(c.ad, 0, b.ad, ValueLayout.JAVA_BYTE, 0, c.ad.length);
        MemorySegment out = inPlace ? b.src : b.dst;
        if (!inPlace) {
            b.dst.asSlice(0, Math.max(sealed.length, 1)).fill(SENTINEL);
        }
        assertEquals(-1, open(engine, c, b.ad, b.src, sealed.length, out), where);
        byte[] after = out.asSlice(0, sealed.length).toArray(ValueLayout.JAVA_BYTE);
        if (inPlace) {
            assertArrayEquals(sealed, after, where + ": source changed");
        } else {
            assertTrue(allSentinel(after), where + ": destination changed");
        }
    }

    private static int seal(Engine engine, Case c, MemorySegment ad, MemorySegment src, int len, MemorySegment dst) {
        AeadKey key = AeadKey.of(c.key);
        int n0 = (int) c.counter;
        int n1 = (int) (c.counter >>> 32);
        return switch (engine) {
            case API -> ChaChaPoly.seal(key, c.counter, ad, 0, c.ad.length, src, 0, len, dst, 0);
            case SCALAR -> {
                ChaChaPoly.sealScalar(key.words, n0, n1, 0, ad, 0, c.ad.length, src, 0, len, dst, 0);
                yield len + ChaChaPoly.TAG_LENGTH;
            }
            case LANES -> {
                ChaChaPoly.sealLanes(key.words, n0, n1, 0, ad, 0, c.ad.length, src, 0, len, dst, 0,
                        new int[ChaCha20Lanes.SCRATCH_INTS]);
                yield len + ChaChaPoly.TAG_LENGTH;
            }
        };
    }

    private static int open(Engine engine, Case c, MemorySegment ad, MemorySegment src, int ctLen, MemorySegment dst) {
        AeadKey key = AeadKey.of(c.key);
        int n0 = (int) c.counter;
        int n1 = (int) (c.counter >>> 32);
        int len = ctLen - ChaChaPoly.TAG_LENGTH;
        return switch (engine) {
            case API -> ChaChaPoly.open(key, c.counter, ad, 0, c.ad.length, src, 0, ctLen, dst, 0);
            case SCALAR -> ChaChaPoly.openScalar(key.words, n0, n1, 0, ad, 0, c.ad.length, src, 0, len, dst, 0);
            case LANES -> ChaChaPoly.openLanes(key.words, n0, n1, 0, ad, 0, c.ad.length, src, 0, len, dst, 0,
                    new int[ChaCha20Lanes.SCRATCH_INTS]);
        };
    }

    static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static boolean allSentinel(byte[] b) {
        for (byte x : b) {
            if (x != SENTINEL) {
                return false;
            }
        }
        return true;
    }

    /** One AEAD input; {@code sealed} is set only on forged copies. */
    record Case(byte[] key, long counter, byte[] ad, byte[] plaintext, byte[] sealed) {
        static Case random(SplittableRandom random, int len, int adLen, long counter) {
            return new Case(bytes(random, 32), counter, bytes(random, adLen), bytes(random, len), null);
        }

        @Override
        public String toString() {
            return "len " + plaintext.length + " ad " + ad.length + " counter " + Long.toUnsignedString(counter);
        }
    }

    /** Ways to present a sealed message that must not open. */
    enum Forgery {
        CIPHERTEXT_BIT, TAG_BIT, AD_BIT, OTHER_COUNTER, OTHER_KEY, TRUNCATED;

        boolean appliesTo(Case c) {
            return switch (this) {
                case CIPHERTEXT_BIT, TRUNCATED -> c.plaintext.length > 0;
                case AD_BIT -> c.ad.length > 0;
                default -> true;
            };
        }

        Case apply(Case c, byte[] sealed, SplittableRandom random) {
            byte[] s = sealed.clone();
            int len = c.plaintext.length;
            return switch (this) {
                case CIPHERTEXT_BIT -> {
                    s[random.nextInt(len)] ^= (byte) (1 << random.nextInt(8));
                    yield new Case(c.key, c.counter, c.ad, c.plaintext, s);
                }
                case TAG_BIT -> {
                    s[len + random.nextInt(ChaChaPoly.TAG_LENGTH)] ^= (byte) (1 << random.nextInt(8));
                    yield new Case(c.key, c.counter, c.ad, c.plaintext, s);
                }
                case AD_BIT -> {
                    byte[] ad = c.ad.clone();
                    ad[random.nextInt(ad.length)] ^= (byte) (1 << random.nextInt(8));
                    yield new Case(c.key, c.counter, ad, c.plaintext, s);
                }
                case OTHER_COUNTER -> new Case(c.key, c.counter + 1, c.ad, c.plaintext, s);
                case OTHER_KEY -> {
                    byte[] key = c.key.clone();
                    key[random.nextInt(32)] ^= 1;
                    yield new Case(key, c.counter, c.ad, c.plaintext, s);
                }
                case TRUNCATED -> new Case(c.key, c.counter, c.ad, c.plaintext, Arrays.copyOf(s, s.length - 1));
            };
        }
    }

    /** Reusable source, destination and AD buffers of one memory kind. */
    record Buffers(String kind, MemorySegment src, MemorySegment dst, MemorySegment ad) {
        static Buffers heap(int maxLen) {
            return new Buffers("heap", MemorySegment.ofArray(new byte[maxLen + 16]),
                    MemorySegment.ofArray(new byte[maxLen + 16]), MemorySegment.ofArray(new byte[128]));
        }

        static Buffers allocate(Arena arena, int maxLen) {
            return new Buffers("native", arena.allocate(maxLen + 16), arena.allocate(maxLen + 16), arena.allocate(128));
        }
    }
}
