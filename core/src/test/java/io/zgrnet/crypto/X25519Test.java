package io.zgrnet.crypto;

import static io.zgrnet.testing.SharedFiles.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.testing.SharedFiles;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** X25519 against RFC 7748 sections 5.2 and 6.1, and the oracle's static/ephemeral keys. */
class X25519Test {
    private static final JsonNode RFC = SharedFiles.json("testdata/rfc-vectors.json").get("rfc7748_x25519");

    @Test
    void section52Vectors() throws InvalidKeyException {
        JsonNode vectors = RFC.get("section_5_2_vectors");
        for (JsonNode v : vectors) {
            assertArrayEquals(hex(v.get("output")), X25519.dh(hex(v.get("scalar")), hex(v.get("u"))), v.get("scalar").asText());
        }
    }

    @Test
    void section52IteratedOnceAndThousandTimes() throws InvalidKeyException {
        // The 1,000,000-iteration value is left out: it takes minutes.
        JsonNode after = RFC.get("section_5_2_iterated").get("after_iterations");
        byte[] k = new byte[32];
        k[0] = 9;
        byte[] u = k.clone();
        for (int i = 1; i <= 1000; i++) {
            byte[] next = X25519.dh(k, u);
            u = k;
            k = next;
            if (i == 1) {
                assertArrayEquals(hex(after.get("1")), k, "after 1 iteration");
            }
        }
        assertArrayEquals(hex(after.get("1000")), k, "after 1000 iterations");
    }

    @Test
    void section61DiffieHellman() throws InvalidKeyException {
        JsonNode v = RFC.get("section_6_1_diffie_hellman");
        byte[] alice = hex(v.get("alice_private"));
        byte[] bob = hex(v.get("bob_private"));
        assertArrayEquals(hex(v.get("alice_public")), X25519.publicKey(alice));
        assertArrayEquals(hex(v.get("bob_public")), X25519.publicKey(bob));
        assertArrayEquals(hex(v.get("shared_secret")), X25519.dh(alice, hex(v.get("bob_public"))));
        assertArrayEquals(hex(v.get("shared_secret")), X25519.dh(bob, hex(v.get("alice_public"))));
    }

    @Test
    void oracleKeysClampAndDerivePublicKeys() {
        JsonNode keys = SharedFiles.json("oracle/vectors.json").get("keys");
        for (Map.Entry<String, JsonNode> e : keys.properties()) {
            JsonNode k = e.getValue();
            byte[] raw = hex(k.get("private_raw"));
            assertArrayEquals(hex(k.get("private_clamped")), X25519.clamp(raw), e.getKey() + " clamp");
            assertArrayEquals(hex(k.get("public")), X25519.publicKey(raw), e.getKey() + " public from raw");
            assertArrayEquals(hex(k.get("public")), X25519.publicKey(X25519.clamp(raw)), e.getKey() + " public from clamped");
        }
    }

    @Test
    void lowOrderPointsAreRejected() {
        // Points of order 1, 2, 4 and 8 (and non-canonical encodings of them) give an all-zero
        // shared secret for every scalar; zgrnet must refuse them rather than key a session on 0.
        byte[] priv = X25519.generatePrivateKey(new SecureRandom(new byte[] {1}));
        String[] lowOrder = {
            "0000000000000000000000000000000000000000000000000000000000000000", // 0
            "0100000000000000000000000000000000000000000000000000000000000000", // 1
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", // order 8
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p - 1
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p (= 0)
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p + 1 (= 1)
        };
        for (String u : lowOrder) {
            assertThrows(InvalidKeyException.class, () -> X25519.dh(priv, hex(u)), u);
        }
    }

    @Test
    void clampSetsAndClearsTheRightBits() {
        byte[] ones = new byte[32];
        java.util.Arrays.fill(ones, (byte) 0xFF);
        byte[] c = X25519.clamp(ones);
        assertArrayEquals(hex("f8ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), c);
        assertArrayEquals(hex("0000000000000000000000000000000000000000000000000000000000000040"), X25519.clamp(new byte[32]));
    }
}
