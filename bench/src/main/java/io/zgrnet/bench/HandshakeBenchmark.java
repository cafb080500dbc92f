package io.zgrnet.bench;

import io.zgrnet.noise.HandshakeFailure;
import io.zgrnet.noise.InitOutcome;
import io.zgrnet.noise.Initiator;
import io.zgrnet.noise.KeyPair;
import io.zgrnet.noise.ReceivedInit;
import io.zgrnet.noise.Responder;
import io.zgrnet.noise.SessionKeys;
import io.zgrnet.noise.SessionOutcome;
import io.zgrnet.peer.Session;
import io.zgrnet.wire.ProtocolByte;
import io.zgrnet.wire.TransportHeader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The protocol core's costs: one complete zgrnet IK handshake (both sides, fresh ephemerals), and
 * per-datagram transport work on a {@link Session}: seal, stateless decrypt, and seal + open
 * (decrypt and replay-window update) of one datagram. {@code payloadBytes} is the payload after
 * the protocol byte; the datagram is 30 bytes longer.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar Handshake -f 1 -wi 3 -w 2 -i 5 -r 2</pre>
 */
@BenchmarkMode(Mode.AverageTime)
public class HandshakeBenchmark {
    private static final int INITIATOR_INDEX = 0x01020304;
    private static final int RESPONDER_INDEX = 0x0A0B0C0D;

    /** Two static key pairs and a responder; the handshake benchmark needs nothing else. */
    @State(Scope.Thread)
    public static class Peers {
        final SecureRandom random = new SecureRandom();
        KeyPair initiatorStatic;
        byte[] responderPublic;
        Responder responder;
        MemorySegment buffer;

        @Setup(Level.Trial)
        public void setUp() {
            initiatorStatic = KeyPair.generate(random);
            KeyPair responderStatic = KeyPair.generate(random);
            responderPublic = responderStatic.publicKey();
            responder = new Responder(responderStatic);
            buffer = MemorySegment.ofArray(new byte[128]);
        }

        /** Initiator start, responder read + respond, initiator finish: {initiator, responder} keys. */
        SessionKeys[] handshake() throws Exception {
            Initiator initiator = Initiator.start(initiatorStatic, responderPublic, INITIATOR_INDEX, random);
            int n1 = initiator.writeInit(buffer, 0);
            InitOutcome read = responder.readInit(buffer, 0, n1);
            if (!(read instanceof ReceivedInit init)) {
                throw new IllegalStateException("message 1 refused: " + read);
            }
            SessionOutcome responderKeys = init.respond(RESPONDER_INDEX, random, buffer, 0);
            SessionOutcome initiatorKeys = initiator.readResponse(buffer, 0, 57);
            if (responderKeys instanceof HandshakeFailure || initiatorKeys instanceof HandshakeFailure) {
                throw new IllegalStateException("handshake failed: " + responderKeys + ", " + initiatorKeys);
            }
            return new SessionKeys[] {(SessionKeys) initiatorKeys, (SessionKeys) responderKeys};
        }
    }

    /** A session pair from a real handshake and off-heap buffers for one datagram. */
    @State(Scope.Thread)
    public static class Transport {
        /** Payload bytes after the protocol byte; the datagram is 30 bytes longer. */
        @Param({"64", "1200"})
        public int payloadBytes;

        Arena arena;
        Session sender;
        Session receiver;
        MemorySegment payload;
        MemorySegment datagram;
        MemorySegment plaintext;
        int sealedLength;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            Peers peers = new Peers();
            peers.setUp();
            SessionKeys[] keys = peers.handshake();
            sender = new Session(keys[0]);
            receiver = new Session(keys[1]);
            arena = Arena.ofConfined();
            payload = arena.allocate(payloadBytes);
            for (int i = 0; i < payloadBytes; i++) {
                payload.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            datagram = arena.allocate(payloadBytes + TransportHeader.OVERHEAD);
            plaintext = arena.allocate(payloadBytes + 1);
            sealedLength = sender.seal(ProtocolByte.RAW, payload, 0, payloadBytes, datagram, 0);
            if (receiver.decrypt(datagram, 0, sealedLength, plaintext, 0) != payloadBytes + 1) {
                throw new IllegalStateException("setup datagram does not open");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** A complete handshake, both sides, including both ephemeral key generations. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public SessionKeys[] handshake(Peers p) throws Exception {
        return p.handshake();
    }

    /** Seal one datagram with the next counter (header, protocol byte, AEAD). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int seal(Transport t) {
        return t.sender.seal(ProtocolByte.RAW, t.payload, 0, t.payloadBytes, t.datagram, 0);
    }

    /** Check and decrypt one datagram without touching the replay window (a decrypt worker's job). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int decrypt(Transport t) {
        return t.receiver.decrypt(t.datagram, 0, t.sealedLength, t.plaintext, 0);
    }

    /** Seal one datagram and open it on the peer's session (decrypt, then replay-window update). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int sealOpen(Transport t) {
        int n = t.sender.seal(ProtocolByte.RAW, t.payload, 0, t.payloadBytes, t.datagram, 0);
        return t.receiver.open(t.datagram, 0, n, t.plaintext, 0);
    }
}
