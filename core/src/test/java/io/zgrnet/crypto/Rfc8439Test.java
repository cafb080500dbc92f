package io.zgrnet.crypto;

import static io.zgrnet.testing.SharedFiles.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zgrnet.testing.SharedFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * RFC 8439 test vectors: the AEAD and Poly1305 vectors of the shared {@code rfc-vectors.json},
 * and the RFC's ChaCha20 block, ChaCha20 encryption, Poly1305 and key-generation vectors
 * (sections 2.3.2, 2.4.2, 2.6.2, Appendix A.1-A.4) from {@code rfc8439-more-vectors.json}.
 * ChaCha20 vectors run through both keystream engines.
 */
class Rfc8439Test {
    private static final JsonNode SHARED = SharedFiles.json("testdata/rfc-vectors.json").get("rfc8439_chacha20poly1305");
    private static final JsonNode MORE = resource("rfc8439-more-vectors.json");

    @Test
    void aeadSection282Seals() {
        JsonNode v = SHARED.get("aead_2_8_2");
        byte[] pt = hex(v.get("plaintext"));
        byte[] expected = concat(hex(v.get("ciphertext")), hex(v.get("tag")));
        assertArrayEquals(expected, sealWithNonce(hex(v.get("key")), hex(v.get("nonce")), hex(v.get("aad")), pt));
        assertArrayEquals(pt, openWithNonce(hex(v.get("key")), hex(v.get("nonce")), hex(v.get("aad")), expected));
    }

    @Test
    void aeadAppendixA5Opens() {
        JsonNode v = SHARED.get("aead_decrypt_A_5");
        byte[] sealed = concat(hex(v.get("ciphertext")), hex(v.get("tag")));
        byte[] pt = hex(v.get("plaintext"));
        assertArrayEquals(pt, openWithNonce(hex(v.get("key")), hex(v.get("nonce")), hex(v.get("aad")), sealed));
        assertArrayEquals(sealed, sealWithNonce(hex(v.get("key")), hex(v.get("nonce")), hex(v.get("aad")), pt));
    }

    @Test
    void poly1305Section252() {
        JsonNode v = SHARED.get("poly1305_2_5_2");
        assertArrayEquals(hex(v.get("tag")), poly1305(hex(v.get("key")), hex(v.get("message"))));
    }

    @TestFactory
    Stream<DynamicTest> poly1305AppendixA3() {
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (JsonNode v : MORE.get("poly1305")) {
            i++;
            tests.add(DynamicTest.dynamicTest(v.get("section").asText() + " #" + i, () ->
                    assertArrayEquals(hex(v.get("tag")), poly1305(hex(v.get("key")), hex(v.get("message"))))));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> chacha20BlockFunction() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : MORE.get("chacha20_block")) {
            tests.add(DynamicTest.dynamicTest(v.get("section").asText() + " counter " + v.get("counter").asInt(), () -> {
                byte[] zeros = new byte[64];
                byte[] expected = hex(v.get("keystream"));
                assertArrayEquals(expected, chachaScalar(v, zeros), "scalar");
                assertArrayEquals(expected, chachaLanes(v, zeros), "lanes");
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> chacha20Encryption() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : MORE.get("chacha20_encrypt")) {
            byte[] pt = hex(v.get("plaintext"));
            tests.add(DynamicTest.dynamicTest(v.get("section").asText() + " " + pt.length + " bytes", () -> {
                byte[] expected = hex(v.get("ciphertext"));
                assertArrayEquals(expected, chachaScalar(v, pt), "scalar");
                assertArrayEquals(expected, chachaLanes(v, pt), "lanes");
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> poly1305KeyGeneration() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : MORE.get("poly1305_keygen")) {
            tests.add(DynamicTest.dynamicTest(v.get("section").asText() + " " + v.get("nonce").asText(), () -> {
                // The one-time key is the first 32 bytes of keystream block 0 (RFC 8439 2.6).
                byte[] expected = hex(v.get("otk"));
                byte[] block0 = new byte[64];
                ChaCha20.xor(AeadKey.of(hex(v.get("key"))).words, 0, word(v, 0), word(v, 4), word(v, 8),
                        MemorySegment.ofArray(new byte[64]), 0, MemorySegment.ofArray(block0), 0, 64);
                assertArrayEquals(expected, java.util.Arrays.copyOf(block0, 32));
            }));
        }
        return tests.stream();
    }

    @Test
    void aeadFromSeparatePrimitivesMatchesSection282() {
        // Rebuild the AEAD from the pieces the other tests check (RFC 8439 2.8): catches a
        // disagreement between the fused engines and the primitives.
        JsonNode v = SHARED.get("aead_2_8_2");
        byte[] key = hex(v.get("key"));
        byte[] nonce = hex(v.get("nonce"));
        byte[] aad = hex(v.get("aad"));
        byte[] pt = hex(v.get("plaintext"));
        int[] k = AeadKey.of(key).words;
        int n0 = leInt(nonce, 0);
        int n1 = leInt(nonce, 4);
        int n2 = leInt(nonce, 8);
        byte[] otk = new byte[64];
        ChaCha20.xor(k, 0, n0, n1, n2, MemorySegment.ofArray(new byte[64]), 0, MemorySegment.ofArray(otk), 0, 64);
        byte[] ct = new byte[pt.length];
        ChaCha20.xor(k, 1, n0, n1, n2, MemorySegment.ofArray(pt), 0, MemorySegment.ofArray(ct), 0, pt.length);
        assertArrayEquals(hex(v.get("ciphertext")), ct);
        int padA = (16 - aad.length % 16) % 16;
        int padC = (16 - ct.length % 16) % 16;
        byte[] macData = new byte[aad.length + padA + ct.length + padC + 16];
        System.arraycopy(aad, 0, macData, 0, aad.length);
        System.arraycopy(ct, 0, macData, aad.length + padA, ct.length);
        int lens = aad.length + padA + ct.length + padC;
        macData[lens] = (byte) aad.length;
        macData[lens + 8] = (byte) ct.length;
        assertArrayEquals(hex(v.get("tag")), poly1305(java.util.Arrays.copyOf(otk, 32), macData));
    }

    @Test
    void moreVectorsFileIsComplete() {
        assertEquals(6, MORE.get("chacha20_block").size());
        assertEquals(4, MORE.get("chacha20_encrypt").size());
        assertEquals(11, MORE.get("poly1305").size());
        assertEquals(4, MORE.get("poly1305_keygen").size());
    }

    static byte[] sealWithNonce(byte[] key, byte[] nonce, byte[] ad, byte[] pt) {
        byte[] out = new byte[pt.length + ChaChaPoly.TAG_LENGTH];
        int n = ChaChaPoly.seal(AeadKey.of(key), nonce, MemorySegment.ofArray(ad), 0, ad.length,
                MemorySegment.ofArray(pt), 0, pt.length, MemorySegment.ofArray(out), 0);
        assertEquals(out.length, n);
        return out;
    }

    static byte[] openWithNonce(byte[] key, byte[] nonce, byte[] ad, byte[] sealed) {
        byte[] out = new byte[sealed.length - ChaChaPoly.TAG_LENGTH];
        int n = ChaChaPoly.open(AeadKey.of(key), nonce, MemorySegment.ofArray(ad), 0, ad.length,
                MemorySegment.ofArray(sealed), 0, sealed.length, MemorySegment.ofArray(out), 0);
        assertEquals(out.length, n);
        return out;
    }

    private static byte[] poly1305(byte[] key, byte[] msg) {
        byte[] tag = new byte[16];
        Poly1305.mac(MemorySegment.ofArray(key), 0, MemorySegment.ofArray(msg), 0, msg.length, MemorySegment.ofArray(tag), 0);
        return tag;
    }

    private static byte[] chachaScalar(JsonNode v, byte[] input) {
        byte[] out = new byte[input.length];
        ChaCha20.xor(AeadKey.of(hex(v.get("key"))).words, v.get("counter").asInt(), word(v, 0), word(v, 4), word(v, 8),
                MemorySegment.ofArray(input), 0, MemorySegment.ofArray(out), 0, input.length);
        return out;
    }

    private static byte[] chachaLanes(JsonNode v, byte[] input) {
        byte[] out = new byte[input.length];
        int[] k = AeadKey.of(hex(v.get("key"))).words;
        int counter = v.get("counter").asInt();
        int[] s = new int[ChaCha20Lanes.SCRATCH_INTS];
        int lanes = Math.min((input.length + 63) / 64, ChaCha20Lanes.LANES);
        ChaCha20Lanes.keystream(k, counter, word(v, 0), word(v, 4), word(v, 8), lanes, s);
        ChaCha20Lanes.xor(k, counter, word(v, 0), word(v, 4), word(v, 8), s, 0, lanes,
                MemorySegment.ofArray(input), 0, MemorySegment.ofArray(out), 0, input.length);
        return out;
    }

    private static int word(JsonNode v, int offset) {
        return leInt(hex(v.get("nonce")), offset);
    }

    private static int leInt(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static JsonNode resource(String name) {
        try (InputStream in = Rfc8439Test.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
