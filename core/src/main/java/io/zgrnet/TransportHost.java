package io.zgrnet;

import io.zgrnet.host.ServiceHost;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * A transport as the services on it (the relay) see it: {@link ServiceHost} over this package's
 * roles. Handlers run in the {@link Reader}; sends go through the {@link SendPath} on the caller's
 * thread and never wait.
 */
final class TransportHost implements ServiceHost<PeerKey> {
    private final UDP udp;
    private final TransportContext ctx;
    private final SendPath sendPath;
    private final Reader reader;

    TransportHost(UDP udp, TransportContext ctx, SendPath sendPath, Reader reader) {
        this.udp = udp;
        this.ctx = ctx;
        this.sendPath = sendPath;
        this.reader = reader;
    }

    @Override
    public PeerKey localKey() {
        return ctx.handshakes.publicKey();
    }

    @Override
    public void handle(int protocol, Sink<PeerKey> sink) {
        reader.register(protocol, sink == null ? null
                : (peer, proto, payload, off, len) -> sink.onMessage(peer.key, proto, payload, off, len));
    }

    @Override
    public void startDelivery() throws TransportClosedException {
        udp.startDelivery();
    }

    @Override
    public boolean send(PeerKey peer, int protocol, MemorySegment body, long off, int len) {
        Peer p = ctx.peers.get(peer);
        if (p == null || len > udp.maxPayload() || ctx.lifecycle.stopped()) {
            return false;
        }
        return sendPath.write(p, protocol, null, body, off, len);
    }

    @Override
    public int maxPayload() {
        return udp.maxPayload();
    }

    @Override
    public void watchPeers(Consumer<PeerKey> added, Consumer<PeerKey> removed) {
        ctx.peers.watch(added, removed);
    }
}
