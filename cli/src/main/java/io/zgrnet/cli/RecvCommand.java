package io.zgrnet.cli;

import io.zgrnet.StreamChannel;
import io.zgrnet.TransportClosedException;
import io.zgrnet.TransportConfig;
import io.zgrnet.UDP;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code zgrnet recv}: accepts every stream and writes each to one file in the output directory,
 * named from the SYN metadata (a bare file name; otherwise, or when absent, a name we pick). Bytes
 * go to a hidden {@code .NAME.*.part} file that is renamed to its final name only once the peer's
 * FIN ended the stream (and the data is on disk); a stream that breaks leaves nothing behind. Then
 * we answer with the file's SHA-256 (32 bytes) and close: the sender's confirmation. A stream that
 * fails is aborted without it, so the sender cannot mistake that end for success.
 */
@Command(name = "recv", description = {
    "Receive files sent with 'zgrnet send': one file per stream, into --out.",
    "Prints 'received NAME BYTES bytes sha256 HEX from PEER' per file; runs until stopped (or --count files)."})
final class RecvCommand implements Callable<Integer> {
    private static final Duration STALL = Duration.ofMinutes(5);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    IdentityOptions identity;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "bind address (port 0: any)")
    String listen;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory the files go to")
    Path out;

    @Option(names = "--peer", paramLabel = "PUBHEX@HOST:PORT", description = "a peer allowed to send (repeatable)")
    java.util.List<String> peers = new java.util.ArrayList<>();

    @Option(names = "--allow-unknown", description = "accept files from any peer")
    boolean allowUnknown;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
            description = "exit after N files (default: run until stopped)")
    int count;

    /** Partial files being written: deleted if we are stopped. */
    private final Set<Path> partial = ConcurrentHashMap.newKeySet();
    private final AtomicInteger unnamed = new AtomicInteger();
    private final Object naming = new Object();

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        if (!Files.isDirectory(out)) {
            throw new UsageException("--out: " + out + (Files.exists(out) ? " is not a directory" : " does not exist"));
        }
        if (!Files.isWritable(out)) {
            throw new UsageException("--out: " + out + " is not writable");
        }
        if (peers.isEmpty() && !allowUnknown) {
            throw new UsageException("--peer or --allow-unknown: without either, no peer could ever send");
        }
        if (count < 0) {
            throw new UsageException("--count: must be >= 0, got " + count);
        }
        byte[] privateKey = identity.privateKey();
        InetSocketAddress bind = PipeCommand.parseHostPort(listen, "--listen");
        java.util.List<PipeCommand.PeerArgument> allowed = new java.util.ArrayList<>();
        for (String p : peers) {
            allowed.add(PipeCommand.parsePeer(p, "--peer", privateKey));
        }
        TransportConfig config = identity.config(privateKey).bindAddress(bind)
                .allowUnknownPeers(allowUnknown).build();
        try (UDP udp = UDP.open(config)) {
            for (PipeCommand.PeerArgument p : allowed) {
                udp.setPeerEndpoint(p.key(), p.address());
            }
            err.println("listening " + PipeCommand.hostPort(udp.hostInfo().localAddress()) + " public key "
                    + udp.hostInfo().publicKey().toHex() + " io " + udp.ioInfo().backend() + " into " + out);
            err.flush();
            Thread shutdown = new Thread(() -> {
                udp.close();
                deletePartials();
            }, "zgrnet-recv-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdown);
            Semaphore finished = new Semaphore(0);
            AtomicInteger failures = new AtomicInteger();
            int accepted = 0;
            try {
                while (count == 0 || accepted < count) {
                    StreamChannel stream = udp.acceptStream();
                    accepted++;
                    Thread.ofVirtual().name("recv-" + Integer.toUnsignedString(stream.id())).start(() -> {
                        try {
                            receive(stream, stdout, err);
                        } catch (TransportClosedException e) {
                            failures.incrementAndGet(); // stopping
                        } catch (IOException | RuntimeException e) {
                            failures.incrementAndGet();
                            synchronized (err) {
                                err.println("zgrnet: stream " + Integer.toUnsignedString(stream.id()) + " from "
                                        + stream.peer().toHex() + " failed: " + e.getMessage() + " (nothing kept)");
                                err.flush();
                            }
                        } finally {
                            finished.release();
                        }
                    });
                }
                finished.acquire(accepted);
            } catch (TransportClosedException e) {
                return 1; // stopped by a signal: the hook closed the transport
            } finally {
                deletePartials();
            }
            Runtime.getRuntime().removeShutdownHook(shutdown);
            return failures.get() == 0 ? 0 : 1;
        }
    }

    /** Receives one file: partial file, fsync, rename, summary line, then our FIN. */
    private void receive(StreamChannel stream, PrintWriter stdout, PrintWriter err) throws IOException {
        String name = nameFor(stream);
        Path part = Files.createTempFile(out, "." + name + ".", ".part");
        partial.add(part);
        boolean kept = false;
        try {
            stream.setReadTimeout(STALL);
            Progress progress = new Progress(err, "receiving", name, -1);
            try (FileChannel file = FileChannel.open(part, StandardOpenOption.WRITE);
                 InputStream in = stream.inputStream()) {
                byte[] buf = new byte[64 << 10];
                int n;
                while ((n = in.read(buf, 0, buf.length)) > 0) {
                    file.write(ByteBuffer.wrap(buf, 0, n));
                    progress.add(buf, 0, n);
                }
                file.force(true);
                Path target = place(part, name);
                kept = true;
                String sha = progress.finish();
                // The confirmation the sender waits for: the digest of what is on our disk.
                stream.write(ByteBuffer.wrap(java.util.HexFormat.of().parseHex(sha)));
                synchronized (stdout) {
                    stdout.println(String.format(Locale.ROOT, "received %s %d bytes sha256 %s from %s (%.1f s)",
                            target.getFileName(), progress.bytes(), sha, stream.peer().toHex(), progress.seconds()));
                    stdout.flush();
                }
            } // closing the input stream closes our side
            // The digest must reach the sender before we may exit (--count): wait for our FIN.
            try {
                stream.awaitEnded(Duration.ofSeconds(15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            partial.remove(part);
            if (!kept) {
                Files.deleteIfExists(part);
                stream.abort();
            }
        }
    }

    /**
     * Gives the finished part file its name: {@code name}, or {@code name.1}, {@code name.2}… if
     * taken. A hard link never replaces an existing file and appears complete at once; where links
     * are not supported, a rename after a check.
     */
    private Path place(Path part, String name) throws IOException {
        synchronized (naming) {
            for (int i = 0; ; i++) {
                Path target = out.resolve(i == 0 ? name : name + "." + i);
                if (Files.exists(target)) {
                    continue;
                }
                try {
                    Files.createLink(target, part);
                    Files.delete(part);
                } catch (FileAlreadyExistsException e) {
                    continue;
                } catch (UnsupportedOperationException e) {
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                }
                return target;
            }
        }
    }

    /** The SYN metadata as a bare, safe file name; otherwise one we make up. */
    private String nameFor(StreamChannel stream) {
        byte[] md = stream.metadata();
        String name = null;
        if (md.length > 0 && md.length <= 255) {
            try {
                name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(md)).toString();
            } catch (CharacterCodingException e) {
                name = null;
            }
        }
        if (name == null || name.isBlank() || name.equals(".") || name.equals("..") || name.startsWith(".")
                || name.chars().anyMatch(c -> c == '/' || c == '\\' || c < 0x20 || c == 0x7f)) {
            return String.format(Locale.ROOT, "stream-%s-%s-%d", stream.peer().toHex().substring(0, 8),
                    Integer.toUnsignedString(stream.id()), unnamed.incrementAndGet());
        }
        return name;
    }

    private void deletePartials() {
        for (Path p : partial) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // best effort at exit
            }
        }
    }
}
