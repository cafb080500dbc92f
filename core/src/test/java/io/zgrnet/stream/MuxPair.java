package io.zgrnet.stream;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Two muxes (A = client, B = server) whose frames wait in per-direction queues until the test
 * delivers or drops them; one fake clock for both. Tests only (it copies frames).
 */
final class MuxPair {
    /** A listener that records events. */
    static final class Events implements StreamListener {
        int acceptable;
        int readable;
        int writable;
        final List<io.zgrnet.stream.Stream> closed = new ArrayList<>();

        @Override
        public void onAcceptable(Mux mux) {
            acceptable++;
        }

        @Override
        public void onReadable(io.zgrnet.stream.Stream stream) {
            readable++;
        }

        @Override
        public void onWritable(io.zgrnet.stream.Stream stream) {
            writable++;
        }

        @Override
        public void onClosed(io.zgrnet.stream.Stream stream) {
            closed.add(stream);
        }
    }

    final ServicesVectors.Frames outA = new ServicesVectors.Frames();
    final ServicesVectors.Frames outB = new ServicesVectors.Frames();
    final Events eventsA = new Events();
    final Events eventsB = new Events();
    final Mux a;
    final Mux b;
    long now;

    MuxPair(MuxConfig configA, MuxConfig configB) {
        a = new Mux(configA, true, outA, eventsA);
        b = new Mux(configB, false, outB, eventsB);
    }

    MuxPair(MuxConfig config) {
        this(config, config);
    }

    /** Advances both clocks to {@code t} (one update each). */
    void tick(long t) {
        now = t;
        a.update(t);
        b.update(t);
    }

    /** Delivers everything queued in both directions, repeatedly, until nothing is left. */
    void exchange() {
        while (!outA.frames.isEmpty() || !outB.frames.isEmpty()) {
            for (byte[] f : outA.take()) {
                b.input(MemorySegment.ofArray(f), 0, f.length);
            }
            for (byte[] f : outB.take()) {
                a.input(MemorySegment.ofArray(f), 0, f.length);
            }
        }
    }

    /** Runs {@code ms} milliseconds in 10 ms ticks, exchanging all frames after each. */
    void run(long ms) {
        long end = now + ms;
        while (now < end) {
            tick(now + 10);
            exchange();
        }
    }

    /** Reads everything available from a stream into a list of bytes; returns the last result. */
    static int readAll(io.zgrnet.stream.Stream s, java.io.ByteArrayOutputStream into) {
        byte[] buf = new byte[4096];
        int n;
        while ((n = s.read(buf, 0, buf.length)) > 0) {
            into.write(buf, 0, n);
        }
        return n;
    }

    /** The command byte of each frame. */
    static List<Integer> cmds(List<byte[]> frames) {
        List<Integer> out = new ArrayList<>();
        for (byte[] f : frames) {
            out.add(f[0] & 0xFF);
        }
        return out;
    }
}
