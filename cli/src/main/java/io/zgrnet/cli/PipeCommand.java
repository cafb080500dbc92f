package io.zgrnet.cli;

import io.zgrnet.IOMode;
import io.zgrnet.Message;
import io.zgrnet.PeerKey;
import io.zgrnet.TransportConfig;
import io.zgrnet.UDP;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zgrnet pipe}: an encrypted pipe between two peers. Each stdin line goes out as one
 * datagram (protocol 0); each received payload is printed as one line on stdout; logs go to
 * stderr, the first line giving the bound address and our public key.
 */
@Command(name = "pipe", description = {
    "Encrypted pipe: stdin lines become datagrams to the peer, received payloads become stdout lines.",
    "With --echo, every received payload is sent back to its sender instead (stdin is not read;",
    "stop it with Ctrl-C or SIGTERM)."})
final class PipeCommand implements Callable<Integer> {
    private static final Duration READ_WAIT = Duration.ofMillis(200);
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "our private key file")
    Path key;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "bind address (port 0: any)")
    String listen;

    @Option(names = "--peer", paramLabel = "PUBHEX@HOST:PORT", description = "the peer to connect to")
    String peer;

    @Option(names = "--allow-unknown", description = "accept handshakes from any peer")
    boolean allowUnknown;

    @Option(names = "--echo", description = "send every received payload back to its sender")
    boolean echo;

    @Option(names = "--io", paramLabel = "MODE", defaultValue = "AUTO",
            description = "I/O backend: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    IOMode io;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long to wait for the handshake with --peer (default ${DEFAULT-VALUE})")
    int connectTimeoutSeconds;

    @Option(names = "--linger", paramLabel = "MILLIS", defaultValue = "300",
            description = "after EOF, wait for replies until none came for this long (default ${DEFAULT-VALUE})")
    int lingerMillis;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        byte[] privateKey = KeyFiles.readPrivateKey(key, "--key");
        InetSocketAddress bind = parseHostPort(listen, "--listen");
        PeerKey peerKey = null;
        InetSocketAddress peerAddress = null;
        if (peer != null) {
            PeerAddress pa = parsePeer(peer, "--peer");
            peerKey = pa.key();
            peerAddress = pa.address();
        }
        if (peer == null && !allowUnknown) {
            throw new UsageException("--peer or --allow-unknown: without either, no peer could ever connect");
        }
        TransportConfig config = TransportConfig.builder().privateKey(privateKey).bindAddress(bind)
                .allowUnknownPeers(allowUnknown).ioMode(io).build();
        try (UDP udp = UDP.open(config)) {
            InetSocketAddress local = udp.hostInfo().localAddress();
            err.println("listening " + hostPort(local) + " public key " + udp.hostInfo().publicKey().toHex()
                    + " io " + udp.ioInfo().backend());
            err.flush();
            AtomicReference<PeerKey> lastSender = new AtomicReference<>(peerKey);
            java.util.concurrent.atomic.AtomicLong lastReceivedNs = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
            Thread shutdown = new Thread(udp::close, "zgrnet-pipe-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdown);
            if (peerKey != null) {
                udp.setPeerEndpoint(peerKey, peerAddress);
                udp.connect(peerKey, Duration.ofSeconds(connectTimeoutSeconds));
                err.println("connected " + peerKey.toHex() + " at " + hostPort(peerAddress));
                err.flush();
            }
            Thread reader = Thread.ofPlatform().daemon().name("zgrnet-pipe-reader").start(() -> {
                byte[] buf = new byte[65536];
                Message m = new Message();
                try {
                    while (!udp.isClosed()) {
                        if (!udp.readFrom(m, buf, READ_WAIT)) {
                            continue;
                        }
                        lastSender.set(m.sender());
                        lastReceivedNs.set(System.nanoTime());
                        if (echo) {
                            udp.writeTo(m.sender(), m.protocol(), Arrays.copyOf(buf, m.length()));
                        } else {
                            synchronized (out) {
                                out.println(new String(buf, 0, m.length(), StandardCharsets.UTF_8));
                                out.flush();
                            }
                        }
                    }
                } catch (InterruptedException | java.io.IOException e) {
                    // closed (TransportClosedException), or interrupted: the pipe is ending
                }
            });
            if (echo) {
                reader.join();
                return 0;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                PeerKey to = lastSender.get();
                if (to == null) {
                    err.println("no peer yet: line dropped (give --peer, or wait for a peer to connect)");
                    err.flush();
                    continue;
                }
                byte[] data = line.getBytes(StandardCharsets.UTF_8);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(connectTimeoutSeconds);
                while (!udp.writeTo(to, data)) {
                    if (System.nanoTime() - deadline > 0) {
                        err.println("could not send a line to " + to.toHex() + " (no session)");
                        err.flush();
                        break;
                    }
                    Thread.sleep(5); // waiting for a (re)handshake that the failed send started
                }
            }
            udp.flush(Duration.ofSeconds(5));
            // Linger for replies in flight: until --linger passes without one (at most 10 x --linger).
            long quietNs = TimeUnit.MILLISECONDS.toNanos(lingerMillis);
            lastReceivedNs.accumulateAndGet(System.nanoTime(), Math::max);
            long lingerEnd = System.nanoTime() + 10 * quietNs;
            while (System.nanoTime() - lingerEnd < 0 && System.nanoTime() - lastReceivedNs.get() < quietNs) {
                Thread.sleep(10);
            }
            synchronized (out) {
                out.flush();
            }
            Runtime.getRuntime().removeShutdownHook(shutdown);
            return 0;
        }
    }

    /** A peer given as {@code PUBHEX@HOST:PORT}. */
    record PeerAddress(PeerKey key, InetSocketAddress address) {
    }

    /** Parses {@code PUBHEX@HOST:PORT}; a {@link UsageException} names {@code option}. */
    static PeerAddress parsePeer(String text, String option) {
        int at = text.indexOf('@');
        if (at < 0) {
            throw new UsageException(option + ": expected PUBHEX@HOST:PORT, got '" + text + "'");
        }
        return new PeerAddress(PeerKey.of(KeyFiles.parseHexKey(text.substring(0, at), option)),
                parseHostPort(text.substring(at + 1), option));
    }

    static InetSocketAddress parseHostPort(String text, String option) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new UsageException(option + ": expected HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": port is not a number in '" + text + "'");
        }
        if (port < 0 || port > 65535) {
            throw new UsageException(option + ": port must be 0..65535, got " + port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new UsageException(option + ": unknown host '" + host + "'");
        }
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
