package io.zgrnet.cli;

import io.zgrnet.crypto.X25519;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code zgrnet keygen --out FILE}: writes a new private key (mode 0600), prints the public key. */
@Command(name = "keygen", description = "Generate a private key into FILE (hex, mode 0600) and print its public key.")
final class KeygenCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to write the private key")
    Path out;

    @Option(names = "--force", description = "overwrite FILE if it exists")
    boolean force;

    @Override
    public Integer call() {
        byte[] privateKey = X25519.generatePrivateKey(new SecureRandom());
        byte[] publicKey = X25519.publicKey(privateKey);
        String text = HexFormat.of().formatHex(privateKey) + "\n";
        try {
            if (force) {
                Files.deleteIfExists(out);
            }
            // Created with 0600 from the start, so the key is never readable by others.
            Files.write(Files.createFile(out, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------"))),
                    text.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new UsageException("--out: " + out + " already exists (use --force to overwrite)");
        } catch (IOException e) {
            throw new UsageException("--out: cannot write " + Failures.fileProblem(out, e));
        }
        spec.commandLine().getOut().println(HexFormat.of().formatHex(publicKey));
        return 0;
    }
}
