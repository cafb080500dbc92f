package io.zgrnet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code zgrnet version}: the library version and the JDK it runs on. */
@Command(name = "version", description = "Print the zgrnet-java version and the JDK in use.")
final class VersionCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public void run() {
        spec.commandLine().getOut().println("zgrnet-java " + version() + " (JDK " + Runtime.version() + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")");
    }

    /** Supplies {@code --version}. */
    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"zgrnet-java " + version() + " (JDK " + Runtime.version() + ")"};
        }
    }
}
