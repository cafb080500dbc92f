package io.zgrnet.relay;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.PeerKey;
import io.zgrnet.testing.SharedFiles;
import io.zgrnet.testing.Vectors;
import java.lang.foreign.MemorySegment;

/** The relay sections of {@code testdata/services-vectors.json}, and helpers to use them. */
final class ServiceVectors {
    static final JsonNode ROOT = SharedFiles.json("testdata/services-vectors.json");
    static final PeerKey A = node("A");
    static final PeerKey B = node("B");
    static final PeerKey R = node("R");
    static final PeerKey R2 = node("R2");

    private ServiceVectors() {
    }

    static JsonNode section(String name) {
        JsonNode n = ROOT.path(name);
        if (n.isMissingNode()) {
            throw new IllegalStateException("services-vectors.json has no section " + name);
        }
        return n;
    }

    static PeerKey node(String name) {
        return PeerKey.fromHex(ROOT.path("nodes").path(name).path("public").asText());
    }

    /** The node name of a public key in hex ("A", "B", "R", "R2"). */
    static PeerKey key(String hex) {
        return PeerKey.fromHex(hex);
    }

    static byte[] privateKey(String name) {
        return SharedFiles.hex(ROOT.path("nodes").path(name).path("private_clamped").asText());
    }

    /** A heap segment holding a copy of the hex bytes, at offset {@code pad} of a larger array. */
    static MemorySegment padded(String hex, int pad) {
        byte[] b = SharedFiles.hex(hex);
        byte[] out = new byte[pad + b.length + pad];
        System.arraycopy(b, 0, out, pad, b.length);
        return MemorySegment.ofArray(out);
    }

    static String hex(MemorySegment s, long off, int len) {
        return Vectors.hex(s, off, len);
    }

    /** A directory listing the four vector nodes. */
    static PeerDirectory directoryOfAll() {
        PeerDirectory d = new PeerDirectory(16);
        for (PeerKey k : new PeerKey[] {A, B, R, R2}) {
            d.add(k);
        }
        return d;
    }
}
