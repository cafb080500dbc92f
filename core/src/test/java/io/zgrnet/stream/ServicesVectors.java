package io.zgrnet.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.testing.SharedFiles;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Loads {@code testdata/services-vectors.json} once; small helpers shared by the stream tests. */
final class ServicesVectors {
    static final JsonNode ROOT = SharedFiles.json("testdata/services-vectors.json");

    private ServicesVectors() {
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] unhex(String s) {
        return HexFormat.of().parseHex(s);
    }

    static MemorySegment seg(byte[] b) {
        return MemorySegment.ofArray(b);
    }

    /** A FrameOutput that keeps a copy of every frame. */
    static final class Frames implements FrameOutput {
        final List<byte[]> frames = new ArrayList<>();

        @Override
        public void sendFrame(byte[] buf, int off, int len) {
            frames.add(Arrays.copyOfRange(buf, off, off + len));
        }

        List<byte[]> take() {
            List<byte[]> out = new ArrayList<>(frames);
            frames.clear();
            return out;
        }
    }
}
