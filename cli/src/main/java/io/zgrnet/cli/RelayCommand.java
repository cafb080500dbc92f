package io.zgrnet.cli;

import io.zgrnet.PeerKey;
import io.zgrnet.TransportConfig;
import io.zgrnet.UDP;
import io.zgrnet.relay.RelayConfig;
import io.zgrnet.relay.RelayNode;
import io.zgrnet.relay.RouteTable;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code zgrnet relay}: a relay node. Forwards RELAY_0/RELAY_1 (protocol 66/67) between its peers
 * as zgrnet does, answers pings, and runs until Ctrl-C or SIGTERM; the relay's and the transport's
 * counters go to stderr every {@code --stats} seconds and at exit.
 */
@Command(name = "relay", description = {
    "Relay node: forwards relayed datagrams (RELAY_0/1, protocol 66/67) between peers that reach it,",
    "without decrypting them; answers pings. Runs until Ctrl-C or SIGTERM."})
final class RelayCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    IdentityOptions identity;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "bind address")
    String listen;

    @Option(names = "--allow-unknown", description = "accept handshakes from any peer (and relay for them)")
    boolean allowUnknown;

    @Option(names = "--peer", paramLabel = "PUBHEX@HOST:PORT", description = "a known peer (repeatable)")
    List<String> peers = new ArrayList<>();

    @Option(names = "--route", paramLabel = "DSTHEX=VIAHEX",
            description = "a static route: reach DST through the relay VIA (repeatable)")
    List<String> routes = new ArrayList<>();

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "20000",
            description = "datagrams per second one neighbour may have relayed, 0 = unlimited (default ${DEFAULT-VALUE})")
    long rate;

    @Option(names = "--stats", paramLabel = "SECONDS", defaultValue = "0",
            description = "print counters every SECONDS (0: only at exit)")
    int statsSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (peers.isEmpty() && !allowUnknown) {
            throw new UsageException("--peer or --allow-unknown: without either, no peer could ever connect");
        }
        byte[] privateKey = identity.privateKey();
        InetSocketAddress bind = PipeCommand.parseHostPort(listen, "--listen");
        List<PipeCommand.PeerArgument> known = new ArrayList<>();
        for (String p : peers) {
            known.add(PipeCommand.parsePeer(p, "--peer", privateKey));
        }
        RouteTable table = new RouteTable(4096, 4096);
        for (String r : routes) {
            int eq = r.indexOf('=');
            if (eq < 0) {
                throw new UsageException("--route: expected DSTHEX=VIAHEX, got '" + r + "'");
            }
            table.put(PeerKey.of(KeyFiles.parseHexKey(r.substring(0, eq), "--route")),
                    PeerKey.of(KeyFiles.parseHexKey(r.substring(eq + 1), "--route")));
        }
        TransportConfig config = identity.config(privateKey).bindAddress(bind)
                .allowUnknownPeers(allowUnknown).build();
        UDP udp = UDP.open(config);
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            for (PipeCommand.PeerArgument p : known) {
                udp.setPeerEndpoint(p.key(), p.address());
            }
            PeerKey self = udp.hostInfo().publicKey();
            RelayConfig relayConfig = RelayConfig.builder(self).rateLimit(rate, RelayConfig.DEFAULT_RATE_BURST).build();
            RelayNode relay = RelayNode.start(udp, relayConfig, table, config.maxPeers());
            err.println("listening " + PipeCommand.hostPort(udp.hostInfo().localAddress()) + " public key "
                    + self.toHex() + " io " + udp.ioInfo().backend() + " relaying");
            err.flush();
            Thread shutdown = new Thread(() -> {
                synchronized (err) {
                    err.println("relay " + relay.stats() + " transport " + udp.stats());
                    err.flush();
                }
                udp.close();
                stopped.countDown();
            }, "zgrnet-relay-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdown);
            while (!stopped.await(statsSeconds > 0 ? statsSeconds : 3600, java.util.concurrent.TimeUnit.SECONDS)) {
                if (statsSeconds > 0) {
                    synchronized (err) {
                        err.println("relay " + relay.stats() + " transport " + udp.stats());
                        err.flush();
                    }
                }
            }
            return 0;
        } finally {
            if (stopped.getCount() > 0) {
                udp.close();
            }
        }
    }
}
