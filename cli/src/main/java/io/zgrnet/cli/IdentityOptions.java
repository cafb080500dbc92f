package io.zgrnet.cli;

import io.zgrnet.IOMode;
import io.zgrnet.TransportConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of every command that opens a transport: our private key and the I/O backend
 * (a picocli mixin, so that the five commands word and check them the same way).
 */
final class IdentityOptions {
    @Option(names = "--key", required = true, paramLabel = "FILE", description = "our private key file")
    Path key;

    @Option(names = "--io", paramLabel = "MODE", defaultValue = "AUTO",
            description = "I/O backend: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    IOMode io;

    /** The key in {@code --key}; a usage error naming the option when it cannot be read or parsed. */
    byte[] privateKey() {
        return KeyFiles.readPrivateKey(key, "--key");
    }

    /** A transport configuration with {@code privateKey} (from {@link #privateKey()}) and {@code --io}. */
    TransportConfig.Builder config(byte[] privateKey) {
        return TransportConfig.builder().privateKey(privateKey).ioMode(io);
    }
}
