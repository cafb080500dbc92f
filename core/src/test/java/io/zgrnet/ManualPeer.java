package io.zgrnet;

import io.zgrnet.noise.Initiator;
import io.zgrnet.noise.KeyPair;
import io.zgrnet.noise.ReceivedInit;
import io.zgrnet.noise.Responder;
import io.zgrnet.noise.SessionKeys;
import io.zgrnet.peer.Session;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A zgrnet peer built by hand from the protocol classes over a plain DatagramSocket: it lets a
 * test play the remote side exactly, including the attacker's moves (forged, replayed or
 * malformed datagrams). Loopback only.
 */
final class ManualPeer implements AutoCloseable {
    final KeyPair keys;
    final DatagramSocket socket;
    Session session;
    byte[] lastInit;

    ManualPeer(byte[] privateKey) throws IOException {
        this(KeyPair.fromPrivate(privateKey));
    }

    private ManualPeer(KeyPair keys) throws IOException {
        this(keys, InetAddress.getLoopbackAddress());
    }

    private ManualPeer(KeyPair keys, InetAddress bind) throws IOException {
        this.keys = keys;
        this.socket = new DatagramSocket(new InetSocketAddress(bind, 0));
        socket.setSoTimeout(5000);
    }

    /**
     * An attacker that claims {@code victim}'s identity from another address (e.g. 127.0.0.2). It
     * holds the victim's private key only because this project's Initiator needs one; zgrnet's
     * message 1 mixes DH(s_i, s_r) into nothing it sends, so a real attacker builds the same bytes
     * from the victim's public key alone. It never sends transport data (a real one cannot).
     */
    static ManualPeer impersonating(ManualPeer victim, InetAddress from) throws IOException {
        return new ManualPeer(victim.keys, from);
    }

    /** A peer with a fresh key bound to {@code from} (another loopback address). */
    static ManualPeer at(InetAddress from) throws IOException {
        return new ManualPeer(KeyPair.fromPrivate(TransportTestSupport.randomKey()), from);
    }

    /** Bytes this socket receives within {@code millis} (reading until quiet). */
    long drainBytes(int millis) throws IOException {
        long total = 0;
        int old = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            while (true) {
                total += receiveRaw().length;
            }
        } catch (SocketTimeoutException e) {
            return total;
        } finally {
            socket.setSoTimeout(old);
        }
    }

    PeerKey key() {
        return PeerKey.of(keys.publicKey());
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** The same identity on a new socket (a restarted peer). */
    ManualPeer restartOnNewPort() throws IOException {
        return new ManualPeer(keys);
    }

    private Initiator pending;

    /** Message 1 for {@code udp} (kept, so a response can finish it). */
    byte[] initFor(UDP udp, int localIndex) throws Exception {
        pending = Initiator.start(keys, udp.hostInfo().publicKey().toBytes(), localIndex, new SecureRandom());
        lastInit = pending.initMessage();
        return lastInit;
    }

    /** Handshakes as initiator with {@code udp}; returns the session. */
    Session connect(UDP udp, int localIndex) throws Exception {
        sendRaw(initFor(udp, localIndex), udp);
        return finish(receiveRaw());
    }

    /** Finishes the handshake started by {@link #initFor} with {@code response}; returns the session. */
    Session finish(byte[] response) {
        if (!(pending.readResponse(MemorySegment.ofArray(response), 0, response.length) instanceof SessionKeys k)) {
            throw new AssertionError("handshake response did not authenticate");
        }
        session = new Session(k);
        return session;
    }

    /** Waits for an init from {@code udp} and answers it; returns the session. */
    Session accept(UDP udp, int localIndex) throws Exception {
        return acceptInit(receiveRaw(), udp, localIndex);
    }

    /** Answers a given init from {@code udp}; returns the session. */
    Session acceptInit(byte[] init, UDP udp, int localIndex) throws Exception {
        if (!(new Responder(keys).readInit(MemorySegment.ofArray(init), 0, init.length) instanceof ReceivedInit r)) {
            throw new AssertionError("init did not authenticate");
        }
        byte[] response = new byte[57];
        if (!(r.respond(localIndex, MemorySegment.ofArray(response), 0) instanceof SessionKeys k)) {
            throw new AssertionError("respond failed");
        }
        sendRaw(response, udp);
        session = new Session(k);
        return session;
    }

    /** Seals and sends one message on the current session; returns the wire bytes. */
    byte[] send(UDP udp, int protocol, byte[] payload) throws IOException {
        byte[] wire = new byte[payload.length + 13 + 1 + 16];
        int n = session.seal(protocol, MemorySegment.ofArray(payload), 0, payload.length, MemorySegment.ofArray(wire), 0);
        wire = Arrays.copyOf(wire, n);
        sendRaw(wire, udp);
        return wire;
    }

    void sendRaw(byte[] datagram, UDP udp) throws IOException {
        socket.send(new DatagramPacket(datagram, datagram.length, udp.hostInfo().localAddress()));
    }

    byte[] receiveRaw() throws IOException {
        byte[] buf = new byte[65536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        return Arrays.copyOf(buf, p.getLength());
    }

    /** Receives transport messages until one carries data; returns protocol byte + payload. */
    byte[] receiveMessage() throws IOException {
        while (true) {
            byte[] wire = receiveRaw();
            if (wire.length == 0 || wire[0] != 4) {
                continue;
            }
            byte[] plain = new byte[wire.length];
            int n = session.open(MemorySegment.ofArray(wire), 0, wire.length, MemorySegment.ofArray(plain), 0);
            if (n > 0) {
                return Arrays.copyOf(plain, n);
            }
        }
    }

    /** True if nothing arrives within {@code millis}. */
    boolean silentFor(int millis) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            receiveRaw();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(old);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
