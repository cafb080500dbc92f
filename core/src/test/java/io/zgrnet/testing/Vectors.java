package io.zgrnet.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/** Reading helpers for the oracle's vector files (numbers as JSON ints, bytes as hex). */
public final class Vectors {
    private Vectors() {
    }

    /** One container per vector file (see {@link SharedFiles#vectorFiles()}), named after it. */
    public static Stream<DynamicNode> perFile(Function<JsonNode, Stream<? extends DynamicNode>> tests) {
        List<Path> files = SharedFiles.vectorFiles();
        return files.stream().map(f -> {
            JsonNode v = SharedFiles.readJson(f);
            return DynamicContainer.dynamicContainer(f.getFileName() + " (seed " + v.path("seed").asText("?") + ")",
                    f.toUri(), tests.apply(v));
        });
    }

    /** Bytes of a hex field. */
    public static byte[] bytes(JsonNode node) {
        return SharedFiles.hex(node);
    }

    /** A u32 JSON number as the int that carries it on the wire. */
    public static int u32(JsonNode node) {
        long v = node.asLong();
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not a u32: " + node);
        }
        return (int) v;
    }

    /** A u64 JSON number (possibly above Long.MAX_VALUE) as the long that carries it. */
    public static long u64(JsonNode node) {
        if (!node.isIntegralNumber() || node.bigIntegerValue().signum() < 0
                || node.bigIntegerValue().bitLength() > 64) {
            throw new IllegalArgumentException("not a u64: " + node);
        }
        return node.bigIntegerValue().longValue();
    }

    /** Lower-case hex. */
    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** Lower-case hex of {@code len} bytes of a segment. */
    public static String hex(MemorySegment s, long off, int len) {
        return hex(s.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE));
    }

    /** A heap segment holding a copy of {@code b}. */
    public static MemorySegment segment(byte[] b) {
        return MemorySegment.ofArray(b.clone());
    }
}
