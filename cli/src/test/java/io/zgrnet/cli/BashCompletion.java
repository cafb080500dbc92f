package io.zgrnet.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a completion script in bash the way bash calls it on TAB, and returns its candidates. */
final class BashCompletion {
    private BashCompletion() {
    }

    static void assumeBash() {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no /bin/bash to load the completion script in");
    }

    /** The candidates bash would offer for the last word of {@code words}, space-separated. */
    static String complete(String script, String... words) throws Exception {
        Path file = Files.createTempFile("zgrnet-completion", ".bash");
        try {
            Files.writeString(file, script);
            List<String> quoted = new ArrayList<>();
            for (String w : words) {
                quoted.add("'" + w.replace("'", "'\\''") + "'");
            }
            String line = String.join(" ", words);
            String program = "source '" + file + "' 2>/dev/null; COMP_WORDS=(" + String.join(" ", quoted) + ");"
                    + " COMP_CWORD=" + (words.length - 1) + "; COMP_LINE='" + line + "'; COMP_POINT=" + line.length()
                    + "; _complete_zgrnet 2>/dev/null; echo \"${COMPREPLY[*]}\"";
            Process p = new ProcessBuilder("/bin/bash", "--norc", "--noprofile", "-c", program)
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bash did not finish");
            }
            return out;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
