package io.zgrnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** One in-process run of the CLI: exit code, stdout and stderr. */
record CliRun(int exit, String out, String err) {
    private static final Pattern NULL_WORD = Pattern.compile("\\bnull\\b");

    /** Runs {@code zgrnet ARGS} as {@link Main#main} would, without {@code ZGRNET_DEBUG}. */
    static CliRun run(String... args) {
        return run(Main.commandLine(false), args);
    }

    static CliRun run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    /**
     * Asserts the run failed with {@code exit} and exactly one stderr line (after any "listening"
     * line), a sentence rather than a class name, without "null"; returns that line.
     */
    String failureLine(int expectedExit) {
        assertEquals(expectedExit, exit, "exit code; stderr: " + err);
        String line = err.lines().filter(l -> !l.startsWith("listening ")).reduce((a, b) -> {
            throw new AssertionError("more than one error line:\n" + err);
        }).orElseThrow(() -> new AssertionError("no error line; stdout: " + out));
        assertTrue(line.startsWith("zgrnet: "), line);
        assertFalse(NULL_WORD.matcher(line).find(), "prints null: " + line);
        String text = line.substring("zgrnet: ".length());
        assertTrue(text.contains(" "), "a sentence, not a bare name: " + line);
        return line;
    }
}
