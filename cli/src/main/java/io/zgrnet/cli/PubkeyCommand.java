package io.zgrnet.cli;

import io.zgrnet.crypto.X25519;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code zgrnet pubkey --key FILE}: prints the public key of a private key file. */
@Command(name = "pubkey", description = "Print the public key (hex) of the private key in FILE.")
final class PubkeyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "private key file (64 hex chars)")
    Path key;

    @Override
    public Integer call() {
        byte[] privateKey = KeyFiles.readPrivateKey(key, "--key");
        spec.commandLine().getOut().println(HexFormat.of().formatHex(X25519.publicKey(privateKey)));
        return 0;
    }
}
