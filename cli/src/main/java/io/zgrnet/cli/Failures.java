package io.zgrnet.cli;

import io.zgrnet.sys.BindFailedException;
import io.zgrnet.sys.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.BindException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;

/**
 * Turns whatever ended a command into one line for people: what failed and what to try, never
 * {@code null} or a bare class name, and the exit code ({@link Main#EXIT_USAGE} for bad
 * arguments, {@link Main#EXIT_FAILURE} for the rest). Commands that know better say it themselves
 * with a {@link UsageException} or a {@link CommandFailure}; this class covers everything else.
 */
final class Failures {
    /** The environment variable that makes the CLI print the stack trace after the line. */
    static final String DEBUG_ENV = "ZGRNET_DEBUG";

    private static final String DEBUG_HINT = "rerun with " + DEBUG_ENV + "=1 to print the stack trace";

    private Failures() {
    }

    /** One line (without the "zgrnet: " prefix) and an exit code. */
    record Report(String line, int exitCode) {
    }

    /** Whether the value of {@code ZGRNET_DEBUG} asks for stack traces: set, and not "0" or "false". */
    static boolean debugRequested(String value) {
        return value != null && !value.isBlank() && !value.strip().equals("0") && !value.strip().equalsIgnoreCase("false");
    }

    /**
     * What a command threw, as a line.
     *
     * @param command the command's qualified name, e.g. "zgrnet pipe", for the {@code --help} hint
     */
    static Report describe(Throwable thrown, String command) {
        Throwable t = unwrap(thrown);
        return switch (t) {
            case UsageException e -> new Report(oneLine(e.getMessage()), Main.EXIT_USAGE);
            case CommandFailure e -> new Report(oneLine(e.getMessage()), Main.EXIT_FAILURE);
            case IllegalArgumentException e -> new Report(
                    (hasText(e.getMessage()) ? oneLine(e.getMessage()) : "invalid argument")
                            + " (see '" + command + " --help')", Main.EXIT_USAGE);
            case TimeoutException e -> hasText(e.getMessage())
                    ? new Report("timed out: " + oneLine(e.getMessage()), Main.EXIT_FAILURE)
                    : new Report("timed out waiting (no details; " + DEBUG_HINT + ")", Main.EXIT_FAILURE);
            case IOException e -> io(e);
            case InterruptedException e -> new Report("interrupted before the command finished", Main.EXIT_FAILURE);
            case OutOfMemoryError e -> new Report("out of memory"
                    + (hasText(e.getMessage()) ? " (" + oneLine(e.getMessage()) + ")" : "")
                    + "; give the JVM more heap (JAVA_TOOL_OPTIONS=-Xmx...)", Main.EXIT_FAILURE);
            default -> unexpected(t);
        };
    }

    /** An I/O failure: the message when it has one, file errors in words, and closed channels. */
    static Report io(IOException e) {
        String line = switch (e) {
            case NoSuchFileException f -> f.getFile() + ": no such file or directory";
            case AccessDeniedException f -> f.getFile() + ": permission denied";
            case FileAlreadyExistsException f -> f.getFile() + ": already exists";
            case NotDirectoryException f -> f.getFile() + ": not a directory";
            case DirectoryNotEmptyException f -> f.getFile() + ": directory not empty";
            case FileSystemException f when f.getFile() != null -> f.getFile() + ": "
                    + (hasText(f.getReason()) ? oneLine(f.getReason()) : "file system error");
            case ClosedByInterruptException c when !hasText(c.getMessage()) ->
                    "interrupted: the channel in use was closed";
            case ClosedChannelException c when !hasText(c.getMessage()) ->
                    "the transport was closed while the command still used it";
            default -> hasText(e.getMessage()) ? oneLine(e.getMessage()) : null;
        };
        if (line != null) {
            return new Report(line, Main.EXIT_FAILURE);
        }
        Throwable cause = e.getCause();
        if (cause != null && cause != e && hasText(cause.getMessage())) {
            return new Report("I/O failed: " + oneLine(cause.getMessage()), Main.EXIT_FAILURE);
        }
        return new Report("I/O failed without saying why (" + e.getClass().getName() + "); " + DEBUG_HINT,
                Main.EXIT_FAILURE);
    }

    /**
     * Why a socket could not bind, in words with what to try: the port in use, an address of no
     * interface here, a privileged port; else the exception's own line.
     *
     * @param option the option that gave the address, e.g. "--listen"
     */
    static String bindProblem(IOException e, String option) {
        return switch (bindErrno(e)) {
            case Errno.EADDRINUSE -> "the port is in use (EADDRINUSE); pick another " + option
                    + " port (0: any free one)";
            case Errno.EADDRNOTAVAIL -> "no interface of this machine has that address (EADDRNOTAVAIL); give "
                    + option + " one of its addresses, 127.0.0.1, or 0.0.0.0 for all";
            case Errno.EACCES -> "permission denied (EACCES): ports below 1024 need root or"
                    + " CAP_NET_BIND_SERVICE; pick a " + option + " port >= 1024 (0: any free one)";
            default -> io(e).line();
        };
    }

    /**
     * The errno with which bind(2) refused the address, or 0 when {@code e} is no bind failure:
     * the native backends throw a {@link BindFailedException} that carries it; JDK NIO's
     * {@link BindException} only has strerror's text. Other native failures (an io_uring_setup
     * refused with EACCES, say) are not bind failures whatever their errno.
     */
    static int bindErrno(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BindFailedException b) {
                return b.errno();
            }
            if (t instanceof BindException b && b.getMessage() != null) {
                String m = b.getMessage().toLowerCase(Locale.ROOT);
                if (m.contains("already in use")) {
                    return Errno.EADDRINUSE;
                }
                if (m.contains("cannot assign requested address")) {
                    return Errno.EADDRNOTAVAIL;
                }
                if (m.contains("permission denied")) {
                    return Errno.EACCES;
                }
            }
        }
        return 0;
    }

    /** A failure on {@code file} as "FILE: what went wrong", naming the file once whatever the exception says. */
    static String fileProblem(java.nio.file.Path file, IOException e) {
        String line = io(e).line();
        return e instanceof FileSystemException f && f.getFile() != null ? line : file + ": " + line;
    }

    /** Anything else is a bug or a surprise: say so, with the class, the message and the way to learn more. */
    static Report unexpected(Throwable t) {
        return new Report("unexpected error: " + t.getClass().getName()
                + (hasText(t.getMessage()) ? ": " + oneLine(t.getMessage()) : " (no message)") + "; " + DEBUG_HINT,
                Main.EXIT_FAILURE);
    }

    /**
     * A parse error as one line: the unknown option (picocli checks required options first, so an
     * unknown one would otherwise hide behind "Missing required option"), the unknown command, or
     * picocli's own message, then where the usage is.
     */
    static String usageLine(CommandLine.ParameterException ex) {
        CommandLine cl = ex.getCommandLine();
        String command = cl.getCommandSpec().qualifiedName();
        List<String> unmatched = ex instanceof CommandLine.UnmatchedArgumentException u ? u.getUnmatched()
                : cl.getUnmatchedArguments();
        String what;
        if (unmatched != null && !unmatched.isEmpty()) {
            CommandLine.UnmatchedArgumentException u = ex instanceof CommandLine.UnmatchedArgumentException given
                    ? given : new CommandLine.UnmatchedArgumentException(cl, unmatched);
            what = unknown(unmatched, cl);
            List<String> suggestions = u.getSuggestions();
            if (!suggestions.isEmpty()) {
                what += " (did you mean " + String.join(" or ", suggestions) + "?)";
            }
        } else {
            what = hasText(ex.getMessage()) ? oneLine(ex.getMessage()) : "bad arguments";
        }
        return what + "; see '" + command + " --help'";
    }

    /** Names the unknown options, else the first stray argument. */
    private static String unknown(List<String> args, CommandLine cl) {
        List<String> options = args.stream().filter(a -> a.startsWith("-") && a.length() > 1)
                .map(a -> "'" + a + "'").toList();
        if (!options.isEmpty()) {
            return (options.size() == 1 ? "unknown option " : "unknown options ") + String.join(", ", options);
        }
        boolean commandExpected = !cl.getSubcommands().isEmpty()
                && cl.getCommandSpec().positionalParameters().isEmpty();
        return (commandExpected ? "unknown command '" : "unexpected argument '") + args.get(0) + "'";
    }

    /** The cause that says something: wrappers of one cause are looked through. */
    static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        for (int i = 0; i < 8 && cur.getCause() != null && cur.getCause() != cur; i++) {
            if (cur instanceof ExecutionException || cur instanceof CompletionException
                    || cur instanceof UncheckedIOException || cur instanceof InvocationTargetException
                    || cur instanceof CommandLine.ExecutionException) {
                cur = cur.getCause();
            } else {
                break;
            }
        }
        return cur;
    }

    static boolean hasText(String s) {
        return s != null && !s.isBlank() && !s.equals("null");
    }

    /** A message on one line: line breaks become "; ", surrounding blanks go. */
    static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
