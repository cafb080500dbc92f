package io.zgrnet.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Finds the team's shared directory (spec, oracle, vectors) and loads its JSON files.
 *
 * <p>Looked up in order: system property {@code zgrnet.shared}, environment variable
 * {@code ZGRNET_SHARED}, then a {@code shared/} directory beside any parent of the working
 * directory. Tests fail (not skip) when it is missing: the vectors are the proof of compatibility.
 */
public final class SharedFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SharedFiles() {
    }

    /** The shared directory; throws with a clear message if none is found. */
    public static Path sharedDir() {
        List<Path> tried = new ArrayList<>();
        for (String candidate : new String[] {System.getProperty("zgrnet.shared"), System.getenv("ZGRNET_SHARED")}) {
            if (candidate != null && !candidate.isBlank()) {
                Path p = Path.of(candidate).toAbsolutePath().normalize();
                tried.add(p);
                if (Files.isRegularFile(p.resolve("protocol.md"))) {
                    return p;
                }
            }
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("shared");
            tried.add(p);
            if (Files.isRegularFile(p.resolve("protocol.md"))) {
                return p;
            }
        }
        throw new IllegalStateException("shared directory (protocol.md, oracle/, testdata/) not found; tried " + tried
                + "; set -Dzgrnet.shared=PATH or ZGRNET_SHARED");
    }

    /** A file under the shared directory, e.g. {@code oracle/vectors.json}. */
    public static Path path(String relative) {
        return sharedDir().resolve(relative);
    }

    /** Parses a JSON file under the shared directory. */
    public static JsonNode json(String relative) {
        return readJson(path(relative));
    }

    /** Parses any JSON file. */
    public static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * The vector files to replay: always {@code oracle/vectors.json}, plus the file named by
     * {@code -Dzgrnet.vectors=PATH} (any seed of {@code zgr_oracle.py vectors}) when given.
     */
    public static List<Path> vectorFiles() {
        List<Path> files = new ArrayList<>();
        files.add(path("oracle/vectors.json"));
        String extra = System.getProperty("zgrnet.vectors");
        if (extra != null && !extra.isBlank()) {
            Path p = Path.of(extra).toAbsolutePath();
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException("-Dzgrnet.vectors=" + extra + ": no such file");
            }
            files.add(p);
        }
        return files;
    }

    /** Decodes lower- or upper-case hex. */
    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    /** Decodes the hex text of a JSON node. */
    public static byte[] hex(JsonNode node) {
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException("missing hex field");
        }
        return hex(node.asText());
    }
}
