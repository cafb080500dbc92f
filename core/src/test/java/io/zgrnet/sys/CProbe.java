package io.zgrnet.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Asks the C compiler for the truth about struct layouts and constants: compiles a tiny program
 * that prints {@code name=value} for each expression ({@code sizeof}, {@code offsetof}, a macro)
 * and returns the values. Layout tests compare our Java offsets with these.
 *
 * <p>When gcc is absent the calling test is skipped with that reason (never silently passed).
 */
public final class CProbe {
    private CProbe() {
    }

    /**
     * @param includes header names, e.g. "sys/socket.h", "linux/io_uring.h"
     * @param expressions name to C expression, e.g. "msghdr.msg_iov" to "offsetof(struct msghdr, msg_iov)"
     * @return name to value, as the compiler computed it
     */
    public static Map<String, Long> values(List<String> includes, Map<String, String> expressions) {
        Path gcc = findGcc();
        Assumptions.assumeTrue(gcc != null, "gcc not found on PATH: struct layout check skipped");
        StringBuilder src = new StringBuilder("#define _GNU_SOURCE\n#include <stdio.h>\n#include <stddef.h>\n");
        for (String include : includes) {
            src.append("#include <").append(include).append(">\n");
        }
        src.append("int main(void) {\n");
        for (Map.Entry<String, String> e : expressions.entrySet()) {
            src.append("  printf(\"%s=%lld\\n\", \"").append(e.getKey()).append("\", (long long) (")
                    .append(e.getValue()).append("));\n");
        }
        src.append("  return 0;\n}\n");
        try {
            Path dir = Files.createTempDirectory("zgrnet-cprobe");
            try {
                Path c = dir.resolve("probe.c");
                Path exe = dir.resolve("probe");
                Files.writeString(c, src, StandardCharsets.US_ASCII);
                String compileOutput = run(List.of(gcc.toString(), "-o", exe.toString(), c.toString()));
                if (!Files.isExecutable(exe)) {
                    throw new AssertionError("gcc failed to compile the layout probe:\n" + compileOutput + "\n" + src);
                }
                Map<String, Long> out = new LinkedHashMap<>();
                for (String line : run(List.of(exe.toString())).split("\n")) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        out.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1).trim()));
                    }
                }
                return out;
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("layout probe failed", e);
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new String(output, StandardCharsets.UTF_8);
    }

    private static Path findGcc() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir, "gcc");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
