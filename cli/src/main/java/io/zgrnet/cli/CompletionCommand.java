package io.zgrnet.cli;

import java.io.PrintWriter;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code zgrnet completion}: prints a bash completion script for every command and option, made
 * by picocli's {@link AutoComplete} from the same model that parses the arguments (so it cannot
 * drift from them). zsh runs it too: the script loads {@code bashcompinit} when it sees zsh.
 */
@Command(name = "completion", description = {
    "Print a bash/zsh completion script for zgrnet's commands and options.",
    "Load it in the current shell:   source <(./zgrnet completion)",
    "or for every shell: ./zgrnet completion > ~/.local/share/bash-completion/completions/zgrnet",
    "(zsh: put the source line in ~/.zshrc). It completes the command name zgrnet, also when run as ./zgrnet."})
final class CompletionCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        CommandLine root = spec.root().commandLine();
        PrintWriter out = spec.commandLine().getOut();
        out.print(AutoComplete.bash(spec.root().name(), root));
        out.flush();
    }
}
