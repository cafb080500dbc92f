package io.zgrnet.crypto;

import static io.zgrnet.testing.SharedFiles.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.testing.SharedFiles;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** BLAKE2s against RFC 7693 (Appendix B, the Appendix E self-test) and the oracle's extra values. */
class Blake2sTest {
    private static final JsonNode RFC = SharedFiles.json("testdata/rfc-vectors.json").get("rfc7693_blake2s");

    @Test
    void appendixBAbc() {
        JsonNode v = RFC.get("appendix_b");
        assertEquals("abc", v.get("input_ascii").asText());
        assertArrayEquals(hex(v.get("digest")), Blake2s.hash(hex(v.get("input"))));
    }

    @Test
    void emptyInput() {
        JsonNode extra = SharedFiles.json("oracle/vectors.json").get("extra");
        assertArrayEquals(hex(extra.get("blake2s_empty")), Blake2s.hash(new byte[0]));
    }

    @Test
    void appendixESelfTestSteps() {
        // Each derived step pins down one (outlen, inlen, keyed) case; the grand hash below would
        // only say that some case is wrong.
        JsonNode steps = RFC.get("appendix_e_selftest").get("derived_steps");
        assertEquals(24, steps.size());
        for (JsonNode step : steps) {
            int outLen = step.get("outlen").asInt();
            int inLen = step.get("inlen").asInt();
            byte[] in = selfTestSequence(inLen, inLen);
            byte[] key = selfTestSequence(outLen, outLen);
            assertArrayEquals(hex(step.get("key")), key, "key outlen " + outLen);
            String where = "outlen " + outLen + " inlen " + inLen;
            assertArrayEquals(hex(step.get("unkeyed")), new Blake2s(outLen, null).update(in).digest(), "unkeyed " + where);
            assertArrayEquals(hex(step.get("keyed")), new Blake2s(outLen, key).update(in).digest(), "keyed " + where);
        }
    }

    @Test
    void appendixESelfTestGrandHash() {
        JsonNode test = RFC.get("appendix_e_selftest");
        Blake2s grand = new Blake2s();
        for (JsonNode outLenNode : test.get("md_len")) {
            int outLen = outLenNode.asInt();
            for (JsonNode inLenNode : test.get("in_len")) {
                int inLen = inLenNode.asInt();
                byte[] in = selfTestSequence(inLen, inLen);
                grand.update(new Blake2s(outLen, null).update(in).digest());
                grand.update(new Blake2s(outLen, selfTestSequence(outLen, outLen)).update(in).digest());
            }
        }
        assertArrayEquals(hex(test.get("grand_hash")), grand.digest());
    }

    @Test
    void incrementalUpdatesMatchOneShot() {
        byte[] msg = "The quick brown fox jumps over the lazy dog, twice over, to cross a block".repeat(5)
                .getBytes(StandardCharsets.US_ASCII);
        byte[] oneShot = Blake2s.hash(msg);
        for (int split = 0; split <= msg.length; split += 7) {
            Blake2s b = new Blake2s();
            b.update(msg, 0, split).update(msg, split, msg.length - split);
            assertArrayEquals(oneShot, b.digest(), "split at " + split);
        }
    }

    /** RFC 7693 Appendix E's selftest_seq: a Fibonacci-like generator, top byte of each step. */
    static byte[] selfTestSequence(int len, int seed) {
        byte[] out = new byte[len];
        int a = 0xDEAD4BAD * seed;
        int b = 1;
        for (int i = 0; i < len; i++) {
            int t = a + b;
            a = b;
            b = t;
            out[i] = (byte) (t >>> 24);
        }
        return out;
    }
}
