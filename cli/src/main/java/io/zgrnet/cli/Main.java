package io.zgrnet.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code zgrnet} command. Prints for people; the library logs through System.Logger.
 *
 * <p>Every command and subcommand answers {@code -h}/{@code --help} and {@code -V}/{@code --version}
 * (the standard help options, inherited). Every failure is one line on stderr saying what failed
 * and what to try ({@link Failures}); bad arguments exit with {@link #EXIT_USAGE}, other failures
 * with {@link #EXIT_FAILURE}; {@code ZGRNET_DEBUG=1} adds the stack trace.
 */
@Command(name = "zgrnet",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT,
        versionProvider = VersionCommand.Provider.class,
        description = "zgrnet-java: zgrnet's encrypted UDP transport on the JVM.",
        subcommands = {VersionCommand.class, KeygenCommand.class, PubkeyCommand.class, PipeCommand.class,
                SendCommand.class, RecvCommand.class, PingCommand.class, RelayCommand.class, ProbeCommand.class,
                BenchCommand.class, BenchSenderCommand.class, CompletionCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for a command that failed. */
    static final int EXIT_FAILURE = 1;
    /** Exit code for bad arguments (usage errors). */
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the command line with zgrnet's error conventions; {@code ZGRNET_DEBUG} from the environment. */
    public static CommandLine commandLine() {
        return commandLine(Failures.debugRequested(System.getenv(Failures.DEBUG_ENV)));
    }

    /**
     * Builds the command line with zgrnet's error conventions: one line, exit 2 for bad arguments
     * and 1 for failures, the stack trace only when {@code debug}.
     */
    static CommandLine commandLine(boolean debug) {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true); // --io uring, --e2e-backends mmsg,nio
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("zgrnet: " + Failures.usageLine(ex));
            if (debug) {
                ex.printStackTrace(err);
            }
            err.flush();
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            Failures.Report r = Failures.describe(ex, commandLine.getCommandSpec().qualifiedName());
            err.println("zgrnet: " + r.line());
            if (debug) {
                ex.printStackTrace(err);
            }
            err.flush();
            return r.exitCode();
        });
        return cl;
    }

    public static void main(String[] args) {
        int exit;
        try {
            exit = commandLine().execute(args);
        } catch (Error e) {
            // picocli hands Exceptions to the handler above; an Error (out of memory, a missing
            // class) ends up here and gets the same treatment.
            System.err.println("zgrnet: " + Failures.describe(e, "zgrnet").line());
            if (Failures.debugRequested(System.getenv(Failures.DEBUG_ENV))) {
                e.printStackTrace();
            }
            exit = EXIT_FAILURE;
        }
        System.exit(exit);
    }
}
