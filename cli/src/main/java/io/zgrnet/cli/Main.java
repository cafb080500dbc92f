package io.zgrnet.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code zgrnet} command. Prints for people; the library logs through System.Logger. */
@Command(name = "zgrnet",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "zgrnet-java: zgrnet's encrypted UDP transport on the JVM.",
        subcommands = {VersionCommand.class, KeygenCommand.class, PubkeyCommand.class, PipeCommand.class, PingCommand.class, RelayCommand.class,
                ProbeCommand.class, BenchCommand.class, BenchSenderCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for bad arguments (usage errors). */
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the command line with zgrnet's error conventions: one line, exit 2, no stack trace. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true); // --io uring, --e2e-backends mmsg,nio
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("zgrnet: " + ex.getMessage());
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (ex instanceof UsageException) {
                err.println("zgrnet: " + ex.getMessage());
                return EXIT_USAGE;
            }
            err.println("zgrnet: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
