package io.zgrnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The CLI's face: help on every command, unknown options, and one plain line for every failure. */
@Timeout(60)
class HelpAndErrorsTest {
    /** Every command path under {@code zgrnet}, the root (empty path) first. */
    private static List<List<String>> commandPaths() {
        List<List<String>> paths = new ArrayList<>();
        walk(Main.commandLine(false), List.of(), paths);
        return paths;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> into) {
        into.add(path);
        cl.getSubcommands().forEach((name, sub) -> {
            List<String> p = new ArrayList<>(path);
            p.add(name);
            walk(sub, p, into);
        });
    }

    private static String[] args(List<String> path, String... more) {
        List<String> a = new ArrayList<>(path);
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void everyCommandAnswersHelpWithItsUsageAndExit0() {
        List<List<String>> paths = commandPaths();
        assertTrue(paths.containsAll(List.of(List.of(), List.of("pipe"), List.of("bench"), List.of("keygen"))),
                "the walk found the commands: " + paths);
        // picocli reports a description it cannot format (a lone '%') on System.err, not on the
        // command's error writer: watch both.
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream picocliWarnings = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(picocliWarnings, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            for (List<String> path : paths) {
                String usage = "Usage: " + String.join(" ", args(List.of("zgrnet"), path.toArray(String[]::new)));
                for (String help : List.of("--help", "-h")) {
                    CliRun r = CliRun.run(args(path, help));
                    assertEquals(0, r.exit(), path + " " + help + ": " + r.err());
                    assertTrue(r.out().contains(usage + " "), path + " " + help + ":\n" + r.out());
                    assertTrue(r.err().isEmpty(), path + " " + help + ": " + r.err());
                    assertEquals("", picocliWarnings.toString(java.nio.charset.StandardCharsets.UTF_8),
                            path + " " + help + " wrote to System.err");
                }
            }
        } finally {
            System.setErr(stderr);
        }
    }

    @Test
    void helpWinsOverMissingRequiredOptions() {
        // Before: "zgrnet pipe --help" answered "Missing required options".
        CliRun r = CliRun.run("pipe", "--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("--connect-timeout"), r.out());
    }

    @Test
    void versionAtTheTopLevel() {
        for (String v : List.of("--version", "-V")) {
            CliRun r = CliRun.run(v);
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("zgrnet-java ") && r.out().contains("JDK"), r.out());
        }
    }

    @Test
    void unknownOptionIsOneLineNamingItWithAHelpHintAndExit2() {
        assertEquals("zgrnet: unknown option '--bogus'; see 'zgrnet --help'", CliRun.run("--bogus").failureLine(2));
        assertEquals("zgrnet: unknown option '--bogus'; see 'zgrnet bench --help'",
                CliRun.run("bench", "--bogus").failureLine(2));
        // picocli checks required options first: the unknown one is still what gets named.
        assertEquals("zgrnet: unknown option '--bogus'; see 'zgrnet pipe --help'",
                CliRun.run("pipe", "--bogus").failureLine(2));
        assertEquals("zgrnet: unknown option '--peeer' (did you mean --peer?); see 'zgrnet pipe --help'",
                CliRun.run("pipe", "--key", "k", "--listen", "127.0.0.1:0", "--peeer", "x").failureLine(2));
        assertEquals("zgrnet: unknown command 'frobnicate' (did you mean probe?); see 'zgrnet --help'",
                CliRun.run("frobnicate").failureLine(2));
        String missing = CliRun.run("keygen").failureLine(2);
        assertTrue(missing.contains("'--out=FILE'") && missing.endsWith("; see 'zgrnet keygen --help'"), missing);
    }

    /** A command that throws what it is given, to drive the execution exception handler. */
    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        private final Exception toThrow;

        Boom(Exception toThrow) {
            this.toThrow = toThrow;
        }

        @Override
        public Integer call() throws Exception {
            throw toThrow;
        }
    }

    private static CliRun boom(Exception e, boolean debug) {
        CommandLine cl = Main.commandLine(debug);
        cl.addSubcommand("boom", new Boom(e));
        return CliRun.run(cl, "boom");
    }

    @Test
    void failuresArePlainSentencesNeverNullNorABareClassName() {
        String hint = "rerun with ZGRNET_DEBUG=1 to print the stack trace";
        assertEquals("zgrnet: timed out: no session within 5000 ms",
                boom(new TimeoutException("no session within 5000 ms"), false).failureLine(1));
        // Was "zgrnet: TimeoutException: null".
        assertEquals("zgrnet: timed out waiting (no details; " + hint + ")",
                boom(new TimeoutException(), false).failureLine(1));
        assertEquals("zgrnet: timed out: handshake gave up",
                boom(new ExecutionException(new TimeoutException("handshake gave up")), false).failureLine(1));
        assertEquals("zgrnet: bind(127.0.0.1:1) failed: EACCES (permission denied)",
                boom(new IOException("bind(127.0.0.1:1) failed: EACCES (permission denied)"), false).failureLine(1));
        assertEquals("zgrnet: /nowhere/x.json: no such file or directory",
                boom(new NoSuchFileException("/nowhere/x.json"), false).failureLine(1));
        assertEquals("zgrnet: the transport was closed while the command still used it",
                boom(new ClosedChannelException(), false).failureLine(1));
        assertEquals("zgrnet: I/O failed without saying why (java.io.IOException); " + hint,
                boom(new IOException(), false).failureLine(1));
        assertEquals("zgrnet: protocol: must be 0..255, got 300 (see 'zgrnet boom --help')",
                boom(new IllegalArgumentException("protocol: must be 0..255, got 300"), false).failureLine(2));
        assertEquals("zgrnet: unexpected error: java.lang.NullPointerException (no message); " + hint,
                boom(new NullPointerException(), false).failureLine(1));
        assertEquals("zgrnet: unexpected error: java.lang.IllegalStateException: peer table full; " + hint,
                boom(new IllegalStateException("peer table full"), false).failureLine(1));
        assertEquals("zgrnet: cannot do X; try Y", boom(new CommandFailure("cannot do X; try Y"), false).failureLine(1));
        assertEquals("zgrnet: --x: bad", boom(new UsageException("--x: bad"), false).failureLine(2));
        assertEquals("zgrnet: interrupted before the command finished",
                boom(new InterruptedException(), false).failureLine(1));
    }

    @Test
    void zgrnetDebugAddsTheStackTrace() {
        CliRun quiet = boom(new IllegalStateException("x"), false);
        assertFalse(quiet.err().contains("\tat "), quiet.err());
        CliRun debug = boom(new IllegalStateException("x"), true);
        assertEquals(1, debug.exit());
        assertTrue(debug.err().startsWith("zgrnet: unexpected error: java.lang.IllegalStateException: x;"), debug.err());
        assertTrue(debug.err().contains("java.lang.IllegalStateException: x" + System.lineSeparator() + "\tat "),
                debug.err());

        assertTrue(Failures.debugRequested("1") && Failures.debugRequested("yes") && Failures.debugRequested("true"));
        assertFalse(Failures.debugRequested(null) || Failures.debugRequested("") || Failures.debugRequested("0")
                || Failures.debugRequested("false"));
    }

    @Test
    void completionPrintsABashScriptForTheVisibleCommands() throws Exception {
        CliRun r = CliRun.run("completion");
        assertEquals(0, r.exit(), r.err());
        String script = r.out();
        assertTrue(script.contains("complete -F _complete_zgrnet"), script);
        assertTrue(script.contains("bashcompinit"), "zsh loads bash completion: " + script);
        for (String word : List.of("keygen", "pubkey", "pipe", "send", "recv", "ping", "relay", "probe", "bench", "version", "completion",
                "--connect-timeout", "--allow-unknown", "--quick", "--help")) {
            assertTrue(script.contains(word), word + " missing from the completion script");
        }
        assertFalse(script.contains("bench-sender"), "the hidden command stays hidden");
        BashCompletion.assumeBash();
        assertEquals("pipe ping", BashCompletion.complete(script, "zgrnet", "pi"));
        assertEquals("--listen --linger", BashCompletion.complete(script, "./zgrnet", "pipe", "--li"));
        assertEquals("AUTO URING MMSG NIO", BashCompletion.complete(script, "zgrnet", "pipe", "--io", ""));
    }
}
