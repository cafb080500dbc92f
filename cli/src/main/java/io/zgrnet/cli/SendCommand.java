package io.zgrnet.cli;

import io.zgrnet.StreamChannel;
import io.zgrnet.TransportConfig;
import io.zgrnet.UDP;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code zgrnet send FILE}: sends one file over a zgrnet stream. The stream carries the file's
 * bytes only; its name goes in the SYN metadata. After the last byte the output is shut down (FIN
 * once everything is acknowledged) and we wait for the receiver to end its side, which it does
 * after it answered with the SHA-256 of the file on its disk, which must be ours. Prints the
 * SHA-256 of what was sent.
 */
@Command(name = "send", description = {
    "Send FILE to a peer over an encrypted stream (the peer runs 'zgrnet recv').",
    "Prints 'sent NAME BYTES bytes sha256 HEX' once the receiver confirmed the same SHA-256 on its disk."})
final class SendCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the file to send")
    Path file;

    @Mixin
    IdentityOptions identity;

    @Option(names = "--peer", required = true, paramLabel = "PUBHEX@HOST:PORT", description = "the receiver")
    String peer;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:0",
            description = "bind address (default ${DEFAULT-VALUE})")
    String listen;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long the handshake, and the receiver's confirmation after the last byte, "
                    + "may take; also how long the transfer may stall (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.isRegularFile(file)) {
            throw new UsageException("FILE: " + file + (Files.exists(file) ? " is not a regular file" : " does not exist"));
        }
        if (!Files.isReadable(file)) {
            throw new UsageException("FILE: " + file + " is not readable");
        }
        if (timeoutSeconds < 1) {
            throw new UsageException("--timeout: must be at least 1, got " + timeoutSeconds);
        }
        byte[] privateKey = identity.privateKey();
        PipeCommand.PeerArgument to = PipeCommand.parsePeer(peer, "--peer", privateKey);
        InetSocketAddress bind = PipeCommand.parseHostPort(listen, "--listen");
        String name = file.getFileName().toString();
        byte[] metadata = name.getBytes(StandardCharsets.UTF_8);
        if (metadata.length > 1024) {
            throw new UsageException("FILE: the name is longer than 1024 bytes");
        }
        long size = Files.size(file);
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        TransportConfig config = identity.config(privateKey).bindAddress(bind).build();
        try (UDP udp = UDP.open(config); InputStream in = Files.newInputStream(file)) {
            udp.setPeerEndpoint(to.key(), to.address());
            StreamChannel stream = udp.openStream(to.key(), 0, metadata, timeout);
            stream.setWriteTimeout(timeout);
            Progress progress = new Progress(err, "sending", name, size);
            OutputStream sink = stream.outputStream();
            byte[] buf = new byte[64 << 10];
            int n;
            while ((n = in.read(buf)) > 0) {
                sink.write(buf, 0, n);
                progress.add(buf, 0, n);
            }
            stream.shutdownOutput();
            // The receiver answers with the SHA-256 of what it stored, once the file is on its disk,
            // then ends the stream; an end without it means the file was not kept.
            String sha = progress.finish();
            stream.setReadTimeout(timeout);
            byte[] answer = stream.inputStream().readNBytes(33);
            stream.close();
            if (answer.length != 32) {
                throw new java.io.IOException("the receiver did not confirm the file (it ended the stream "
                        + (answer.length == 0 ? "without its digest" : "with " + answer.length + " bytes")
                        + "): not delivered");
            }
            if (!java.util.HexFormat.of().formatHex(answer).equals(sha)) {
                throw new java.io.IOException("the receiver stored a file with SHA-256 "
                        + java.util.HexFormat.of().formatHex(answer) + ", we sent " + sha);
            }
            out.println(String.format(Locale.ROOT, "sent %s %d bytes sha256 %s (%.1f s)", name, progress.bytes(), sha,
                    progress.seconds()));
            out.flush();
            return 0;
        }
    }
}
