package io.zgrnet.cli;

import io.zgrnet.IOMode;
import io.zgrnet.Message;
import io.zgrnet.PeerKey;
import io.zgrnet.TransportConfig;
import io.zgrnet.UDP;
import io.zgrnet.crypto.X25519;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code zgrnet pipe}: an encrypted pipe between two peers. Each stdin line goes out as one
 * datagram (protocol 0); each received payload is printed as one line on stdout; logs go to
 * stderr, the first line giving the bound address and our public key. A line longer than the
 * transport's largest payload ({@link UDP#maxPayload()}: 65,477 bytes over IPv4, 65,497 over IPv6)
 * is not sent: one stderr line names its number, its length and the limit, and the pipe goes on.
 */
@Command(name = "pipe", description = {
    "Encrypted pipe: stdin lines become datagrams to the peer, received payloads become stdout lines.",
    "With --echo, every received payload is sent back to its sender instead (stdin is not read;",
    "stop it with Ctrl-C or SIGTERM)."})
final class PipeCommand implements Callable<Integer> {
    private static final Duration READ_WAIT = Duration.ofMillis(200);
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    IdentityOptions identity;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "bind address (port 0: any)")
    String listen;

    @Option(names = "--peer", paramLabel = "PUBHEX@HOST:PORT", description = {"the peer to connect to;",
        "with --via only PUBHEX: the peer is reached through the relay"})
    String peer;

    @Option(names = "--via", paramLabel = "RELAYPUB@HOST:PORT", description = {
        "reach peers through this relay (zgrnet relay): we connect to it, and --peer's handshake and",
        "datagrams go inside RELAY_0/RELAY_2; without --peer, wait (with --allow-unknown) for peers",
        "that come through it"})
    String via;

    @Option(names = "--allow-unknown", description = "accept handshakes from any peer")
    boolean allowUnknown;

    @Option(names = "--echo", description = "send every received payload back to its sender")
    boolean echo;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long to wait for the handshake with --peer, > 0 (default ${DEFAULT-VALUE})")
    int connectTimeoutSeconds;

    @Option(names = "--linger", paramLabel = "MILLIS", defaultValue = "300",
            description = "after EOF, wait for replies until none came for this long (default ${DEFAULT-VALUE})")
    int lingerMillis;

    /** Every argument is checked before the socket is bound: a usage error never half-starts a pipe. */
    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (connectTimeoutSeconds <= 0) {
            throw new UsageException("--connect-timeout must be > 0 seconds, got " + connectTimeoutSeconds);
        }
        if (lingerMillis < 0) {
            throw new UsageException("--linger must be >= 0 ms, got " + lingerMillis);
        }
        byte[] privateKey = identity.privateKey();
        InetSocketAddress bind = parseHostPort(listen, "--listen");
        PeerKey peerKey = null;
        InetSocketAddress peerAddress = null;
        PeerArgument relay = via == null ? null : parsePeer(via, "--via", privateKey);
        if (peer != null && relay != null) {
            if (peer.indexOf('@') >= 0) {
                throw new UsageException("--peer with --via: give only the peer's public key (PUBHEX), the relay"
                        + " reaches it; got '" + peer + "'");
            }
            peerKey = PeerKey.of(checkPeerKey(KeyFiles.parseHexKey(peer, "--peer"), privateKey));
            if (peerKey.equals(relay.key())) {
                throw new UsageException("--peer and --via name the same key: to talk to the relay itself, give"
                        + " --peer " + via + " without --via");
            }
        } else if (peer != null) {
            PeerArgument parsed = parsePeer(peer, "--peer", privateKey);
            peerKey = parsed.key();
            peerAddress = parsed.address();
        }
        if (peer == null && !allowUnknown) {
            throw new UsageException("--peer or --allow-unknown: without either, no peer could ever connect");
        }
        TransportConfig config = identity.config(privateKey).bindAddress(bind)
                .allowUnknownPeers(allowUnknown).build();
        try (UDP udp = open(config, bind)) {
            InetSocketAddress local = udp.hostInfo().localAddress();
            err.println("listening " + hostPort(local) + " public key " + udp.hostInfo().publicKey().toHex()
                    + " io " + udp.ioInfo().backend());
            err.flush();
            Thread shutdown = new Thread(udp::close, "zgrnet-pipe-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdown);
            try {
                if (relay != null) {
                    connectRelay(udp, relay);
                    err.println("relay " + relay.key().toHex() + " at " + hostPort(relay.address()));
                    err.flush();
                }
                return run(udp, peerKey, peerAddress, relay, err, out);
            } finally {
                removeShutdownHook(shutdown);
            }
        }
    }

    private int run(UDP udp, PeerKey peerKey, InetSocketAddress peerAddress, PeerArgument relay, PrintWriter err,
                    PrintWriter out) throws Exception {
        AtomicReference<PeerKey> lastSender = new AtomicReference<>(peerKey);
        AtomicLong lastReceivedNs = new AtomicLong(System.nanoTime());
        AtomicReference<Exception> readerFailure = new AtomicReference<>();
        if (peerKey != null) {
            connect(udp, peerKey, peerAddress, relay);
            err.println("connected " + peerKey.toHex() + (relay == null ? " at " + hostPort(peerAddress)
                    : " via " + relay.key().toHex().substring(0, 8) + "…"));
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
                        if (m.length() > udp.maxPayload()) { // (a peer with a higher limit, e.g. IPv6 to IPv4)
                            err.println("payload of " + m.length() + " bytes not echoed: more than the largest"
                                    + " payload, " + udp.maxPayload() + " bytes");
                            err.flush();
                            continue;
                        }
                        udp.writeTo(m.sender(), m.protocol(), Arrays.copyOf(buf, m.length()));
                    } else {
                        synchronized (out) {
                            out.println(new String(buf, 0, m.length(), StandardCharsets.UTF_8));
                            out.flush();
                        }
                    }
                }
            } catch (Exception e) {
                // Closing (EOF, SIGTERM) ends the reader with a TransportClosedException; anything else,
                // the transport failing on its own included, is a failure.
                if (!udp.isClosed()) {
                    readerFailure.set(e);
                }
            }
        });
        if (echo) {
            reader.join();
            checkAlive(udp, readerFailure.get());
            return 0;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int maxPayload = udp.maxPayload();
        String line;
        long lineNumber = 0;
        while ((line = in.readLine()) != null) {
            lineNumber++;
            checkAlive(udp, readerFailure.get());
            PeerKey to = lastSender.get();
            if (to == null) {
                err.println("no peer yet: line dropped (give --peer, or wait for a peer to connect)");
                err.flush();
                continue;
            }
            byte[] data = line.getBytes(StandardCharsets.UTF_8);
            if (data.length > maxPayload) {
                err.println("line " + lineNumber + " not sent: " + data.length + " bytes, more than the largest "
                        + "payload, " + maxPayload + " bytes");
                err.flush();
                continue;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(connectTimeoutSeconds);
            while (!send(udp, to, data)) {
                if (System.nanoTime() - deadline > 0) {
                    err.println("could not send a line to " + to.toHex() + " within " + connectTimeoutSeconds
                            + " s (no session: is the peer still running?)");
                    err.flush();
                    break;
                }
                Thread.sleep(5); // waiting for a (re)handshake that the failed send started
            }
        }
        try {
            udp.flush(Duration.ofSeconds(5));
        } catch (IOException e) { // a TransportClosedException: closed or failed under us
            checkAlive(udp, null);
            throw new CommandFailure("sending the last lines failed: " + Failures.io(e).line(), e);
        }
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
        checkAlive(udp, readerFailure.get());
        return 0;
    }

    /**
     * Refuses, before any packet is sent, a {@code --peer} key no handshake can succeed with: our
     * own public key (a pipe to itself), or a low-order point (the Diffie-Hellman result is zero).
     */
    static byte[] checkPeerKey(byte[] peerPublicKey, byte[] ourPrivateKey) {
        String hex = HexFormat.of().formatHex(peerPublicKey);
        if (Arrays.equals(peerPublicKey, X25519.publicKey(ourPrivateKey))) {
            throw new UsageException("--peer: " + hex + " is our own public key (the one of --key); give the other"
                    + " side's public key (the first line of its zgrnet pipe, or zgrnet pubkey --key THEIR.key)");
        }
        try {
            X25519.dh(ourPrivateKey, peerPublicKey);
        } catch (InvalidKeyException e) {
            throw new UsageException("--peer: " + hex + " is a low-order point, not a public key any handshake"
                    + " can use; copy the public key the other side printed");
        }
        return peerPublicKey;
    }

    // The transport calls that can fail, each turned into a line that names what failed and what to try.

    /** Binds and starts the transport. */
    private UDP open(TransportConfig config, InetSocketAddress bind) {
        try {
            return UDP.open(config);
        } catch (IOException e) {
            boolean forcedBackend = identity.io != IOMode.AUTO && Failures.bindErrno(e) == 0;
            throw new CommandFailure("cannot listen on " + hostPort(bind) + ": " + Failures.bindProblem(e, "--listen")
                    + (forcedBackend ? " (with --io " + identity.io.name().toLowerCase(Locale.ROOT)
                            + "; --io auto picks a backend that works here)" : ""), e);
        }
    }

    /**
     * Handshakes with the relay of {@code --via} and pings it once: the ping proves the relay's
     * session with us (it answered our handshake; it may send to us once we spoke on it), so that
     * it can deliver what peers send us through it.
     */
    private void connectRelay(UDP udp, PeerArgument relay) throws InterruptedException {
        connect(udp, relay.key(), relay.address(), null);
        try {
            udp.ping(relay.key(), Duration.ofSeconds(connectTimeoutSeconds));
        } catch (TimeoutException e) {
            throw new CommandFailure("the relay of --via " + relay.key().toHex().substring(0, 8) + "… at "
                    + hostPort(relay.address()) + " does not answer pings within --connect-timeout "
                    + connectTimeoutSeconds + " s; is it a zgrnet relay?", e);
        } catch (IOException e) {
            checkAlive(udp, null);
            throw new CommandFailure("pinging the relay of --via failed: " + Failures.io(e).line(), e);
        }
    }

    /** Handshakes with {@code --peer} (directly, or through {@code relay}), waiting {@code --connect-timeout}. */
    private void connect(UDP udp, PeerKey peerKey, InetSocketAddress at, PeerArgument relay)
            throws InterruptedException {
        String who = relay == null ? "--peer " + peerKey.toHex().substring(0, 8) + "… at " + hostPort(at)
                : "--peer " + peerKey.toHex().substring(0, 8) + "… via the relay at " + hostPort(relay.address());
        try {
            if (relay == null) {
                udp.setPeerEndpoint(peerKey, at);
            } else {
                udp.setPeerRelay(peerKey, relay.key());
            }
            udp.connect(peerKey, Duration.ofSeconds(connectTimeoutSeconds));
        } catch (TimeoutException e) {
            throw new CommandFailure("no handshake with " + who + " within --connect-timeout " + connectTimeoutSeconds
                    + " s" + handshakeDetail(e)
                    + (relay == null ? "; is a zgrnet pipe running there, with --allow-unknown or a --peer naming"
                            + " our public key?"
                            : "; is the peer's zgrnet pipe connected to the same relay (--via), with --allow-unknown?")
                    + " (a slow path: raise --connect-timeout)", e);
        } catch (IOException e) {
            checkAlive(udp, null); // the transport itself failed: say that
            throw new CommandFailure("handshake with " + who + " failed: " + Failures.io(e).line()
                    + "; check the public key and address in --peer, and that the other side is running", e);
        }
    }

    /**
     * What the transport says about an unanswered handshake, without what our line already names:
     * " (1 initiation(s) sent in 1003 ms, no valid response)" out of "no session within 1000 ms:
     * handshake with KEY at ADDRESS: 1 initiation(s) sent in 1003 ms, no valid response".
     */
    static String handshakeDetail(TimeoutException e) {
        if (!Failures.hasText(e.getMessage())) {
            return "";
        }
        String m = Failures.oneLine(e.getMessage());
        int colon = m.lastIndexOf(": ");
        return " (" + (colon < 0 ? m : m.substring(colon + 2)) + ")";
    }

    /** Queues one datagram; false when it was dropped (no session yet, full queue). */
    private static boolean send(UDP udp, PeerKey to, byte[] data) {
        try {
            return udp.writeTo(to, data);
        } catch (IOException e) { // a TransportClosedException: closed or failed under us
            throw new CommandFailure("sending to " + to.toHex().substring(0, 8) + "… failed: "
                    + Failures.io(udp.failure() != null ? udp.failure() : e).line(), e);
        }
    }

    /** Throws when the transport failed on its own (its backend kept failing) or the reader did. */
    private static void checkAlive(UDP udp, Exception readerFailure) {
        IOException failure = udp.failure();
        if (failure != null) {
            throw new CommandFailure("the transport stopped: " + Failures.io(failure).line()
                    + "; restart the pipe, or pick another --io backend ('zgrnet probe' shows what works here)", failure);
        }
        if (readerFailure != null) {
            throw new CommandFailure("receiving stopped: " + Failures.describe(readerFailure, "zgrnet pipe").line(),
                    readerFailure);
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (close is idempotent)
        }
    }

    /** A peer given as PUBHEX@HOST:PORT. */
    record PeerArgument(PeerKey key, InetSocketAddress address) {
    }

    /** Parses {@code text}, refusing a key no handshake with {@code ourPrivateKey} can succeed with. */
    static PeerArgument parsePeer(String text, String option, byte[] ourPrivateKey) {
        int at = text.indexOf('@');
        if (at < 0) {
            throw new UsageException(option + ": expected PUBHEX@HOST:PORT, got '" + text + "'");
        }
        byte[] key = checkPeerKey(KeyFiles.parseHexKey(text.substring(0, at), option), ourPrivateKey);
        return new PeerArgument(PeerKey.of(key),
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
