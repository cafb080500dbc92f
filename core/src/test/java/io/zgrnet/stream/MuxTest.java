package io.zgrnet.stream;

import static io.zgrnet.stream.KcpExchangeVectorsTest.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.kcp.KcpConstants;
import io.zgrnet.kcp.KcpCounter;
import io.zgrnet.kcp.KcpHeader;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The mux's own rules (services.md §6.4/§6.5): what it tolerates from Go and what it does on send
 * with {@link MuxConfig#defaults()}, next to the Go behaviour the vectors pin down.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MuxTest {

    @Test
    void aLostSynIsResentUntilThePeerAnswers() {
        // Vector lost_syn: Go sends the SYN once and the stream never works. We resend it.
        MuxPair p = new MuxPair(MuxConfig.defaults());
        io.zgrnet.stream.Stream s = p.a.open();
        p.outA.take(); // the SYN is lost
        p.tick(1000);
        assertEquals(4, s.write(new byte[] {1, 2, 3, 4}, 0, 4));
        p.exchange(); // PSH for an unknown id: dropped by B, no reply
        assertEquals(1, p.b.stats().get(MuxCounter.DROP_PSH_UNKNOWN_STREAM));
        assertTrue(p.outB.frames.isEmpty(), "no reset exists");
        p.run(300);
        io.zgrnet.stream.Stream accepted = p.b.accept();
        assertNotNull(accepted);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        MuxPair.readAll(accepted, got);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, got.toByteArray());
        long resent = p.a.stats().get(MuxCounter.SYN_RESENT);
        assertEquals(1, resent, "one re-send at +200 ms; the answer stops the rest");
        p.run(2000);
        assertEquals(resent, p.a.stats().get(MuxCounter.SYN_RESENT));
    }

    @Test
    void closeSendsFinOnlyAfterWrittenDataIsAcknowledgedThenRepeatsIt() {
        // Vector close_discards_unacked: Go's Close loses data written before the first tick.
        MuxPair p = new MuxPair(MuxConfig.defaults());
        io.zgrnet.stream.Stream s = p.a.open();
        p.exchange();
        io.zgrnet.stream.Stream r = p.b.accept();
        byte[] data = pattern(10_000);
        assertEquals(data.length, s.write(data, 0, data.length));
        s.close();
        assertEquals(StreamState.LOCAL_CLOSE, s.state());
        assertEquals(StreamResult.CLOSED, s.write(data, 0, 1));
        assertTrue(p.outA.frames.isEmpty(), "no FIN yet: the data is not even sent");
        int fins = 0;
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        boolean eof = false;
        for (int t = 10; t <= 1000; t += 10) {
            p.tick(t);
            List<byte[]> fromA = p.outA.take();
            for (byte[] f : fromA) {
                if (f[0] == MuxFrame.FIN) {
                    fins++;
                    assertArrayEquals(data, got.toByteArray(), "FIN never overtakes data");
                }
                p.b.input(MemorySegment.ofArray(f), 0, f.length);
            }
            for (byte[] f : p.outB.take()) {
                p.a.input(MemorySegment.ofArray(f), 0, f.length);
            }
            eof |= MuxPair.readAll(r, got) == StreamResult.EOF;
        }
        assertArrayEquals(data, got.toByteArray());
        assertTrue(eof);
        assertEquals(3, fins, "finRepeats");
        assertEquals(0, p.a.streamCount(), "gone after the last FIN");
        assertEquals(List.of(s), p.eventsA.closed);
        assertEquals(CloseReason.REMOTE_FIN, r.closeReason());
        assertEquals(StreamState.REMOTE_CLOSE, r.state());
        assertEquals(0, p.a.segmentsInUse());
    }

    @Test
    void lingerGivesUpAfterItsTimeAndDiscardsWhatWasNotAcknowledged() {
        MuxConfig c = MuxConfig.builder().closeLingerMs(500).build();
        MuxPair p = new MuxPair(c);
        p.tick(0);
        io.zgrnet.stream.Stream s = p.a.open();
        s.write(pattern(100), 0, 100);
        s.close();
        p.outA.take();
        for (int t = 10; t < 500; t += 10) {
            p.tick(t);
            assertFalse(MuxPair.cmds(p.outA.take()).contains(MuxFrame.FIN), "peer unreachable: still lingering");
        }
        p.tick(500);
        assertEquals(List.of(MuxFrame.FIN), MuxPair.cmds(p.outA.take()));
        assertEquals(1, p.a.stats().get(MuxCounter.LINGER_EXPIRED));
        assertEquals(0, p.a.segmentsInUse(), "KCP released");
    }

    @Test
    void goReplicaCloseDiscardsAtOnceAsGoDoes() {
        MuxPair p = new MuxPair(MuxConfig.goReplica());
        io.zgrnet.stream.Stream s = p.a.open();
        p.outA.take();
        s.write(pattern(10), 0, 10);
        s.close();
        assertEquals(List.of(MuxFrame.FIN), MuxPair.cmds(p.outA.take()));
        assertEquals(0, p.a.streamCount());
        p.run(1000);
        assertTrue(p.outA.frames.isEmpty());
    }

    @Test
    void aFinBeforeItsSynStillEndsTheStream() {
        // Vector fin_before_syn: Go ignores the FIN and the stream never ends.
        MuxPair p = new MuxPair(MuxConfig.goReplica(), MuxConfig.defaults());
        p.tick(6000);
        io.zgrnet.stream.Stream s = p.a.open();
        byte[] syn = p.outA.take().get(0);
        s.write(new byte[] {'d', 'a', 't', 'a'}, 0, 4);
        byte[] psh = p.outA.take().get(0);
        s.close();
        byte[] fin = p.outA.take().get(0);
        p.b.input(MemorySegment.ofArray(fin), 0, fin.length);
        assertEquals(1, p.b.stats().get(MuxCounter.EARLY_FIN_REMEMBERED));
        p.b.input(MemorySegment.ofArray(syn), 0, syn.length);
        p.b.input(MemorySegment.ofArray(psh), 0, psh.length);
        io.zgrnet.stream.Stream r = p.b.accept();
        assertEquals(StreamState.REMOTE_CLOSE, r.state());
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        assertEquals(StreamResult.EOF, MuxPair.readAll(r, got));
        assertEquals("data", got.toString());
    }

    @Test
    void anOldEarlyFinExpires() {
        MuxPair p = new MuxPair(MuxConfig.goReplica(), MuxConfig.defaults());
        p.tick(0);
        byte[] fin = new byte[7];
        MuxFrame.writeHeader(fin, 0, MuxFrame.FIN, 1, 0);
        p.b.input(MemorySegment.ofArray(fin), 0, 7);
        p.tick(2000);
        p.a.open();
        p.exchange();
        assertEquals(StreamState.OPEN, p.b.accept().state());
    }

    @Test
    void eofWaitsWhileKcpStillMissesDataBeforeAFin() {
        MuxPair p = new MuxPair(MuxConfig.goReplica());
        p.tick(0);
        io.zgrnet.stream.Stream s = p.a.open();
        p.exchange();
        io.zgrnet.stream.Stream r = p.b.accept();
        s.write(pattern(5), 0, 5);
        p.outA.take(); // sn 0 lost
        s.write(pattern(6), 0, 6);
        p.exchange(); // sn 1 arrives: held after a gap
        byte[] fin = new byte[7];
        MuxFrame.writeHeader(fin, 0, MuxFrame.FIN, s.id(), 0);
        p.b.input(MemorySegment.ofArray(fin), 0, 7);
        byte[] buf = new byte[100];
        assertEquals(0, r.read(buf, 0, 100), "a gap is pending: not EOF yet (Go would say EOF)");
        p.run(200); // sn 0 is retransmitted
        assertEquals(11, r.read(buf, 0, 100));
        assertEquals(StreamResult.EOF, r.read(buf, 0, 100));
    }

    @Test
    void idleStreamsEndWithEofAndAFin() {
        MuxConfig c = MuxConfig.builder().idleTimeoutMs(1000).build();
        MuxPair p = new MuxPair(c);
        p.tick(0);
        io.zgrnet.stream.Stream s = p.a.open();
        p.exchange();
        io.zgrnet.stream.Stream r = p.b.accept();
        s.write(pattern(3), 0, 3);
        p.exchange();
        // A vanishes: nothing of A's arrives any more.
        for (int t = 10; t <= 1100; t += 10) {
            p.tick(t);
            p.outA.take();
            p.outB.take();
        }
        assertEquals(CloseReason.IDLE_TIMEOUT, r.closeReason());
        assertEquals(StreamState.CLOSED, r.state());
        byte[] buf = new byte[10];
        assertEquals(3, r.read(buf, 0, 10), "buffered data is still read");
        assertEquals(StreamResult.EOF, r.read(buf, 0, 10));
        assertTrue(p.b.stats().get(MuxCounter.IDLE_TIMEOUTS) >= 1);
    }

    @Test
    void synsBeyondTheAcceptQueueOrStreamLimitAreRefusedWithFin() {
        MuxConfig c = MuxConfig.builder().acceptQueueSize(2).maxStreams(3).build();
        MuxPair p = new MuxPair(MuxConfig.defaults(), c);
        for (int i = 0; i < 3; i++) {
            p.a.open();
        }
        p.exchange();
        assertEquals(2, p.b.acceptable());
        assertEquals(1, p.b.stats().get(MuxCounter.REFUSED_ACCEPT_QUEUE_FULL));
        assertEquals(CloseReason.REMOTE_FIN, p.a.stream(5).closeReason(), "refused with FIN");
        p.b.accept();
        p.b.accept();
        assertNotNull(p.b.open());
        assertEquals(3, p.b.streamCount(), "the limit");
        p.a.open();
        p.exchange();
        assertEquals(1, p.b.stats().get(MuxCounter.REFUSED_STREAM_LIMIT));
        assertEquals(0, p.b.acceptable());
        assertNull(p.b.open(), "the local open is refused at the limit too");
        assertEquals(1, p.b.stats().get(MuxCounter.OPEN_REFUSED_STREAM_LIMIT));
    }

    @Test
    void writeSplitsIntoMessagesAGoReceiverCanDeliver() {
        MuxPair p = new MuxPair(MuxConfig.defaults());
        p.tick(0);
        io.zgrnet.stream.Stream s = p.a.open();
        p.outA.take();
        byte[] data = pattern(100_000);
        assertEquals(data.length, s.write(data, 0, data.length));
        List<byte[]> frames = p.outA.take();
        // Initial remote window 128: all 73 segments fit. 65 536 B = 48 segments (frg 47..0), then 26.
        assertEquals(48 + 26, frames.size());
        MemorySegment first = MemorySegment.ofArray(frames.get(0));
        MemorySegment last48 = MemorySegment.ofArray(frames.get(47));
        MemorySegment second = MemorySegment.ofArray(frames.get(48));
        assertEquals(47, KcpHeader.frg(first, 7));
        assertEquals(0, KcpHeader.frg(last48, 7));
        assertEquals(25, KcpHeader.frg(second, 7));
        assertEquals(StreamResult.MESSAGE_TOO_LARGE, s.writeMessage(data, 0, 65_537));
    }

    @Test
    void aBatchOfInputSendsItsAcksAtOnceWhenEnoughArePending() {
        MuxPair p = new MuxPair(MuxConfig.defaults());
        p.tick(0);
        io.zgrnet.stream.Stream s = p.a.open();
        p.exchange();
        assertNotNull(p.b.accept());
        byte[] data = pattern(40 * KcpConstants.MSS);
        assertEquals(data.length, s.write(data, 0, data.length));
        List<byte[]> frames = p.outA.take();
        assertEquals(40, frames.size());
        for (int i = 0; i < Mux.ACK_BATCH - 1; i++) {
            p.b.input(MemorySegment.ofArray(frames.get(i)), 0, frames.get(i).length);
        }
        assertEquals(0, p.b.flushAfterInput(), "fewer than ACK_BATCH pending: they wait for the 10 ms flush");
        assertTrue(p.outB.frames.isEmpty());
        for (int i = Mux.ACK_BATCH - 1; i < frames.size(); i++) {
            p.b.input(MemorySegment.ofArray(frames.get(i)), 0, frames.get(i).length);
        }
        assertEquals(1, p.b.flushAfterInput());
        List<byte[]> acks = p.outB.take();
        assertEquals(1, acks.size(), "40 ACKs in one datagram, without a tick");
        assertEquals(40, p.b.kcpStats().get(KcpCounter.ACK_SENT));
        assertEquals(0, p.b.flushAfterInput(), "nothing arrived since");
        p.a.input(MemorySegment.ofArray(acks.get(0)), 0, acks.get(0).length);
        assertEquals(0, p.a.flushAfterInput(), "everything acknowledged, nothing queued: no flush");
        p.run(100);
        assertEquals(0, p.a.kcpStats().get(KcpCounter.RETRANSMIT_TIMEOUT) + p.a.kcpStats().get(KcpCounter.RETRANSMIT_FAST));
    }

    @Test
    void aSlowReaderPushesBackThroughTheWindowAndNothingIsLost() {
        MuxConfig c = MuxConfig.builder().receiveBufferBytes(8 * 1024).sendBufferSegments(128)
                .segmentPoolSegments(256).build();
        MuxPair p = new MuxPair(c);
        p.tick(0);
        io.zgrnet.stream.Stream s = p.a.open();
        p.exchange();
        io.zgrnet.stream.Stream r = p.b.accept();
        byte[] data = pattern(1_000_000);
        int written = 0;
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        boolean sawBlocked = false;
        for (int t = 10; t < 60_000 && got.size() < data.length; t += 10) {
            int n = s.write(data, written, data.length - written);
            assertTrue(n >= 0);
            sawBlocked |= n < data.length - written;
            written += n;
            p.tick(t);
            p.exchange();
            if (t % 200 == 0) { // the reader wakes up every 200 ms
                MuxPair.readAll(r, got);
            }
            assertTrue(p.b.segmentsInUse() <= 256);
        }
        assertTrue(sawBlocked, "writes were refused while the reader lagged");
        assertTrue(p.eventsA.writable > 0, "and the writer was told when to retry");
        assertTrue(p.b.kcpStats().get(KcpCounter.WINS_SENT) > 0, "a window closed by the pool reopened with WINS");
        assertEquals(0, p.a.kcpStats().get(KcpCounter.WASK_SENT), "no 7 s probe was needed");
        assertArrayEquals(data, got.toByteArray());
        assertEquals(0, p.a.kcpStats().get(KcpCounter.DROP_PUSH_NO_BUFFER) + p.b.kcpStats().get(KcpCounter.DROP_PUSH_NO_BUFFER));
    }

    @Test
    void closingTheMuxResetsEveryStreamWithoutFin() {
        MuxPair p = new MuxPair(MuxConfig.defaults());
        io.zgrnet.stream.Stream s1 = p.a.open();
        io.zgrnet.stream.Stream s2 = p.a.open();
        p.outA.take();
        s1.write(pattern(10), 0, 10);
        int next = p.a.nextStreamId();
        p.a.close();
        assertTrue(p.outA.frames.isEmpty(), "no FIN: it would reach the peer's new mux");
        assertEquals(CloseReason.RESET, s1.closeReason());
        assertEquals(StreamState.CLOSED, s2.state());
        assertEquals(2, p.eventsA.closed.size());
        assertEquals(0, p.a.segmentsInUse());
        assertEquals(MuxResult.CLOSED, p.a.input(MemorySegment.ofArray(new byte[7]), 0, 7));
        assertThrows(IllegalStateException.class, p.a::open);
        // The next mux may continue the id counter (services.md §6.5).
        Mux again = new Mux(MuxConfig.defaults(), true, next, p.outA, StreamListener.NONE);
        assertEquals(5, again.open().id());
        assertThrows(IllegalArgumentException.class,
                () -> new Mux(MuxConfig.defaults(), true, 4, p.outA, StreamListener.NONE));
    }

    @Test
    void dataArrivingAfterTheLocalCloseIsDiscardedAndCounted() {
        MuxPair p = new MuxPair(MuxConfig.defaults());
        p.tick(0);
        io.zgrnet.stream.Stream s = p.a.open();
        p.exchange();
        io.zgrnet.stream.Stream r = p.b.accept();
        s.write(pattern(1), 0, 1);
        s.close(); // lingers: its byte is not acknowledged yet
        r.write(pattern(50), 0, 50);
        p.exchange();
        assertEquals(50, p.a.stats().get(MuxCounter.BYTES_DISCARDED_AFTER_CLOSE));
        assertEquals(StreamResult.EOF, s.read(new byte[10], 0, 10));
    }

    @Test
    void framesKeepTheConfiguredHeadroom() {
        int[] minOffset = {Integer.MAX_VALUE};
        FrameOutput out = (buf, off, len) -> minOffset[0] = Math.min(minOffset[0], off);
        Mux m = new Mux(MuxConfig.builder().headroom(17).build(), true, out, StreamListener.NONE);
        m.update(0);
        io.zgrnet.stream.Stream s = m.open(5, new byte[] {1, 2}, 0, 2);
        s.write(pattern(3000), 0, 3000);
        s.close();
        assertEquals(17, minOffset[0]);
    }

    @Test
    void nextUpdateIsWithinOneInterval() {
        MuxPair p = new MuxPair(MuxConfig.defaults());
        assertEquals(5, p.a.nextUpdateMs(5), "no clock yet: now");
        p.tick(100);
        p.a.open();
        assertTrue(p.a.nextUpdateMs(101) <= 100 + KcpConstants.INTERVAL_MS);
    }

    @Test
    void configErrorsNameTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MuxConfig.builder().sendBufferSegments(1000).build());
        assertTrue(e.getMessage().startsWith("sendBufferSegments"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MuxConfig.builder().maxMessageBytes(174_753).build());
        assertTrue(e.getMessage().startsWith("maxMessageBytes"), e.getMessage());
    }
}
