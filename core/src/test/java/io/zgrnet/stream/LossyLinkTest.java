package io.zgrnet.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zgrnet.kcp.KcpCounter;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;

/**
 * Two muxes with {@link MuxConfig#defaults()} connected by an in-memory link that loses,
 * delays (and so reorders) and duplicates frames, driven by a seeded random source and a fake
 * clock. Three streams (two opened by each side... one by B) carry different amounts of data
 * both ways, then the writers close; every byte must arrive in order, every reader must see EOF,
 * and at the end no stream or segment may be left in either mux.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LossyLinkTest {
    private static final long STEP_MS = 5;
    private static final long LIMIT_MS = 180_000;

    /** A frame on its way. */
    private record InFlight(long at, long seq, Mux to, byte[] frame) {
    }

    /** The link: one FrameOutput per direction, both feeding one time-ordered queue. */
    private static final class Link {
        final Random random;
        final double loss;
        final double duplicate;
        final PriorityQueue<InFlight> queue = new PriorityQueue<>((x, y) -> x.at != y.at
                ? Long.compare(x.at, y.at) : Long.compare(x.seq, y.seq));
        long now;
        long seq;
        long sent;
        long dropped;
        long duplicated;

        Link(long seed, double loss, double duplicate) {
            this.random = new Random(seed);
            this.loss = loss;
            this.duplicate = duplicate;
        }

        FrameOutput toward(Mux[] target) {
            return (buf, off, len) -> {
                sent++;
                if (random.nextDouble() < loss) {
                    dropped++;
                    return;
                }
                byte[] f = Arrays.copyOfRange(buf, off, off + len);
                queue.add(new InFlight(now + 10 + random.nextInt(20), seq++, target[0], f));
                if (random.nextDouble() < duplicate) {
                    duplicated++;
                    queue.add(new InFlight(now + 10 + random.nextInt(40), seq++, target[0], f));
                }
            };
        }

        void deliverUntil(long t) {
            while (!queue.isEmpty() && queue.peek().at <= t) {
                InFlight f = queue.poll();
                f.to.input(MemorySegment.ofArray(f.frame), 0, f.frame.length);
            }
        }
    }

    /** One direction of one stream: the writer's data and what the reader got. */
    private static final class Transfer {
        final byte[] data;
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        io.zgrnet.stream.Stream writer;
        io.zgrnet.stream.Stream reader;
        int written;
        boolean eof;

        Transfer(Random r, int size) {
            data = new byte[size];
            r.nextBytes(data);
        }

        void pump() {
            if (written < data.length) {
                int n = writer.write(data, written, data.length - written);
                assertTrue(n >= 0, "write refused: " + StreamResult.name(n));
                written += n;
                if (written == data.length) {
                    writer.close();
                }
            }
            if (reader != null && !eof) {
                byte[] buf = new byte[16 * 1024];
                int n;
                while ((n = reader.read(buf, 0, buf.length)) > 0) {
                    got.write(buf, 0, n);
                }
                if (n == StreamResult.EOF) {
                    eof = true;
                    reader.close();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}% loss, seed {1}")
    @CsvSource({"1, 101", "5, 202", "20, 303"})
    void everyByteArrivesInOrderAndEveryStreamEnds(int lossPercent, long seed) {
        Link link = new Link(seed, lossPercent / 100.0, 0.01);
        Mux[] a = new Mux[1];
        Mux[] b = new Mux[1];
        a[0] = new Mux(MuxConfig.defaults(), true, link.toward(b), StreamListener.NONE);
        b[0] = new Mux(MuxConfig.defaults(), false, link.toward(a), StreamListener.NONE);
        Random data = new Random(seed * 7);
        List<Transfer> transfers = new ArrayList<>();
        Transfer t1 = new Transfer(data, 300_000);
        Transfer t2 = new Transfer(data, 50_000);
        Transfer t3 = new Transfer(data, 200_000);
        transfers.add(t1);
        transfers.add(t2);
        transfers.add(t3);
        t1.writer = a[0].open();
        t2.writer = a[0].open(7, new byte[] {1, 2, 3}, 0, 3);
        t3.writer = b[0].open();

        long now = 0;
        while (!transfers.stream().allMatch(t -> t.eof)) {
            now += STEP_MS;
            if (now > LIMIT_MS) {
                fail(lossPercent + "% loss: not done after " + LIMIT_MS + " ms: " + progress(transfers) + " A "
                        + a[0].stats() + " B " + b[0].stats());
            }
            link.now = now;
            link.deliverUntil(now);
            a[0].update(now);
            b[0].update(now);
            acceptInto(a[0], transfers);
            acceptInto(b[0], transfers);
            for (Transfer t : transfers) {
                t.pump();
            }
        }
        for (Transfer t : transfers) {
            assertArrayEquals(t.data, t.got.toByteArray(), "stream " + t.writer.id());
        }
        assertEquals(7, t2.reader.proto());
        assertArrayEquals(new byte[] {1, 2, 3}, t2.reader.metadata());

        // Let the last FIN repeats go; then nothing may be left behind.
        for (long end = now + 2_000; now < end; now += STEP_MS) {
            link.now = now;
            link.deliverUntil(now);
            a[0].update(now);
            b[0].update(now);
        }
        assertEquals(0, a[0].streamCount(), "A streams left");
        assertEquals(0, b[0].streamCount(), "B streams left");
        assertEquals(0, a[0].segmentsInUse(), "A segments leaked");
        assertEquals(0, b[0].segmentsInUse(), "B segments leaked");
        assertTrue(link.dropped > 0 && link.duplicated > 0, "the link did lose and duplicate");
        long resent = a[0].kcpStats().get(KcpCounter.RETRANSMIT_TIMEOUT) + a[0].kcpStats().get(KcpCounter.RETRANSMIT_FAST)
                + b[0].kcpStats().get(KcpCounter.RETRANSMIT_TIMEOUT) + b[0].kcpStats().get(KcpCounter.RETRANSMIT_FAST);
        assertTrue(resent > 0, "losses were repaired by retransmission");
        System.getLogger(LossyLinkTest.class.getName()).log(System.Logger.Level.INFO,
                "{0}% loss: done at {1} ms virtual; frames sent {2}, dropped {3}, duplicated {4}; resent {5}",
                lossPercent, now, link.sent, link.dropped, link.duplicated, resent + " A " + a[0].kcpStats() + " B " + b[0].kcpStats());
    }

    private static void acceptInto(Mux mux, List<Transfer> transfers) {
        io.zgrnet.stream.Stream s;
        while ((s = mux.accept()) != null) {
            for (Transfer t : transfers) {
                if (t.writer.id() == s.id() && t.writer.isLocal() && t.reader == null) {
                    t.reader = s;
                }
            }
        }
    }

    private static String progress(List<Transfer> transfers) {
        StringBuilder sb = new StringBuilder();
        for (Transfer t : transfers) {
            sb.append(" [").append(t.writer).append(" written ").append(t.written).append('/').append(t.data.length)
                    .append(" read ").append(t.got.size()).append(t.eof ? " EOF" : "")
                    .append(t.reader == null ? " not accepted" : " " + t.reader).append(']');
        }
        return sb.toString();
    }
}
