package io.zgrnet.crypto;

import static io.zgrnet.testing.SharedFiles.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.testing.SharedFiles;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** HMAC-BLAKE2s and zgrnet's HKDF against the oracle's {@code extra} values. */
class HmacHkdfTest {
    private static final JsonNode EXTRA = SharedFiles.json("oracle/vectors.json").get("extra");

    @Test
    void hmacKey32x01MessageAbc() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 0x01);
        assertArrayEquals(hex(EXTRA.get("hmac_blake2s_key32x01_msg_abc")),
                HmacBlake2s.mac(key, "abc".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void hmacOverPartsEqualsHmacOverConcatenation() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 0x01);
        byte[] whole = HmacBlake2s.mac(key, "abc".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(whole, HmacBlake2s.mac(key, new byte[] {'a'}, new byte[] {'b', 'c'}));
    }

    @Test
    void hkdf3FromInitialChainingKeyAndEmptyInput() {
        // ck_initial = HASH(protocol name), the chaining key every zgrnet handshake starts from.
        JsonNode vectors = SharedFiles.json("oracle/vectors.json");
        byte[] protocolName = vectors.get("protocol_name").asText().getBytes(StandardCharsets.US_ASCII);
        assertEquals(vectors.get("protocol_name_len").asInt(), protocolName.length);
        byte[] ck = Blake2s.hash(protocolName); // the name is longer than 32 bytes, so Noise hashes it
        assertArrayEquals(hex(vectors.get("handshake").get("initial").get("ck")), ck);
        byte[][] out = Hkdf.derive(ck, new byte[0], 3);
        JsonNode expected = EXTRA.get("hkdf3_ck_initial_ikm_empty");
        assertEquals(3, expected.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(hex(expected.get(i)), out[i], "output " + (i + 1));
        }
        // Fewer outputs are a prefix of the same sequence.
        assertArrayEquals(out[0], Hkdf.derive(ck, new byte[0], 1)[0]);
        assertArrayEquals(out[1], Hkdf.derive(ck, new byte[0], 2)[1]);
    }
}
