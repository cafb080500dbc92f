package io.zgrnet.kcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Behaviour of one control block and of two talking to each other, on a fake clock. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KcpTest {
    private final KcpStats statsA = new KcpStats();
    private final KcpStats statsB = new KcpStats();
    private final CapturedOutput outA = new CapturedOutput();
    private final CapturedOutput outB = new CapturedOutput();
    // 4096+ free segments: the advertised window is exactly ikcp's (rcv_wnd - nrcv_que).
    private final SegmentPool poolA = new SegmentPool(8192);
    private final SegmentPool poolB = new SegmentPool(8192);
    private final Kcp a = new Kcp(7, poolA, outA, statsA, 0, 1024);
    private final Kcp b = new Kcp(7, poolB, outB, statsB, 0, 1024);

    private static byte[] pattern(int n) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) {
            d[i] = (byte) (i % 251);
        }
        return d;
    }

    private static int input(Kcp k, byte[] d) {
        return k.input(MemorySegment.ofArray(d), 0, d.length);
    }

    @Test
    void flushDoesNothingBeforeTheFirstUpdate() {
        assertEquals(5, a.send(pattern(5), 0, 5));
        a.flush();
        assertTrue(outA.datagrams.isEmpty(), "ikcp_flush returns early until ikcp_update ran once");
        a.update(1000);
        assertEquals(List.of("PUSH sn=0 frg=0 ts=1000 una=0 wnd=4096 len=5"), CapturedOutput.describe(outA.drain().get(0)));
    }

    @Test
    void aMessageIsSplitIntoMssSegmentsWithFrgCountingDown() {
        a.update(0);
        assertEquals(3000, a.send(pattern(3000), 0, 3000));
        a.flush();
        List<byte[]> d = outA.drain();
        assertEquals(3, d.size(), "a full-size segment goes alone");
        assertEquals(1400, d.get(0).length);
        assertEquals("PUSH sn=0 frg=2 ts=0 una=0 wnd=4096 len=1376", CapturedOutput.describe(d.get(0)).get(0));
        assertEquals("PUSH sn=1 frg=1 ts=0 una=0 wnd=4096 len=1376", CapturedOutput.describe(d.get(1)).get(0));
        assertEquals("PUSH sn=2 frg=0 ts=0 una=0 wnd=4096 len=248", CapturedOutput.describe(d.get(2)).get(0));
    }

    @Test
    void sizeLimitsOfOneMessage() {
        a.update(0);
        assertEquals(0, a.send(new byte[0], 0, 0), "empty write is a no-op");
        assertEquals(0, a.waitingSegments());
        byte[] max = pattern(KcpConstants.MAX_MESSAGE_BYTES);
        assertEquals(KcpConstants.MAX_MESSAGE_BYTES, a.send(max, 0, max.length));
        assertEquals(127, a.waitingSegments());
        byte[] over = pattern(KcpConstants.MAX_MESSAGE_BYTES + 1);
        assertEquals(KcpResult.MESSAGE_TOO_LARGE, a.send(over, 0, over.length));
        assertEquals(1, statsA.get(KcpCounter.SEND_REFUSED_TOO_LARGE));
    }

    @Test
    void messagesTravelAndComeOutWhole() {
        a.update(0);
        b.update(0);
        byte[] m1 = pattern(3000);
        byte[] m2 = pattern(10);
        a.send(m1, 0, m1.length);
        a.send(m2, 0, m2.length);
        a.flush();
        outA.deliverAll(b);
        assertEquals(3000, b.peekSize());
        byte[] small = new byte[2999];
        assertEquals(KcpResult.BUFFER_TOO_SMALL, b.recv(small, 0, small.length), "ikcp_recv -3: message stays");
        byte[] buf = new byte[4000];
        assertEquals(3000, b.recv(buf, 0, buf.length));
        assertArrayEquals(m1, java.util.Arrays.copyOf(buf, 3000));
        assertEquals(10, b.recv(buf, 0, buf.length));
        assertEquals(KcpResult.NO_MESSAGE, b.recv(buf, 0, buf.length));
        b.update(10);
        outB.deliverAll(a);
        assertEquals(0, a.waitingSegments(), "all acknowledged");
        assertEquals(0, poolA.inUse());
        assertEquals(0, poolB.inUse());
    }

    @Test
    void recvIntoASinkHandsOverSegmentsInOrderEvenWhenSpaceIsShort() {
        a.update(0);
        b.update(0);
        byte[] m = pattern(3000);
        a.send(m, 0, m.length);
        a.flush();
        List<byte[]> d = outA.drain();
        // Out of order: the last fragment first; nothing is complete until the first arrives.
        input(b, d.get(2));
        input(b, d.get(1));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        MessageSink sink = got::write;
        assertEquals(0, b.recv(sink, 10_000));
        input(b, d.get(0));
        assertEquals(1376, b.recv(sink, 2000), "only whole segments that fit");
        assertEquals(1376 + 248, b.recv(sink, 10_000));
        assertArrayEquals(m, got.toByteArray());
    }

    @Test
    void timeoutRetransmissionBacksOffByHalfTheRto() {
        a.update(5000);
        a.send(pattern(4), 0, 4);
        a.flush();
        outA.drain();
        List<Integer> resent = new ArrayList<>();
        for (int t = 5001; t <= 5800; t++) {
            a.update(t);
            if (!outA.drain().isEmpty()) {
                resent.add(t - 5000);
            }
        }
        // services.md 2.3: fresh block, rx_rto 100: resends at +100, +250, +450, +700.
        assertEquals(List.of(100, 250, 450, 700), resent);
        assertEquals(4, statsA.get(KcpCounter.RETRANSMIT_TIMEOUT));
    }

    /**
     * Flushes between the periodic ones (a write's) look only at new segments until a
     * retransmission can be due: the old segment's schedule is unchanged by them.
     */
    @Test
    void retransmissionsKeepTheirScheduleAmongFlushesOfNewWrites() {
        a.update(5000);
        a.send(pattern(4), 0, 4);
        a.flush();
        outA.drain();
        List<Integer> sn0 = new ArrayList<>();
        for (int t = 5001; t <= 5800; t++) {
            a.update(t);
            if (t % 3 == 0 && t < 5400) {
                a.send(pattern(2), 0, 2);
                a.flush();
            }
            for (byte[] d : outA.drain()) {
                for (String seg : CapturedOutput.describe(d)) {
                    if (seg.startsWith("PUSH sn=0 ")) {
                        sn0.add(t - 5000);
                    }
                }
            }
        }
        assertEquals(List.of(100, 250, 450, 700), sn0);
    }

    @Test
    void rttSamplesSetTheRto() {
        a.update(1000);
        b.update(1000);
        a.send(pattern(4), 0, 4);
        a.flush();
        outA.deliverAll(b);
        b.update(1010);
        a.update(1010);
        outB.deliverAll(a);
        // rtt 10: srtt 10, rttval 5, rto = 10 + max(10, 20) = 30.
        assertEquals(10, a.srttMs());
        assertEquals(30, a.rtoMs());
    }

    @Test
    void twoSkippingAckBatchesTriggerAFastRetransmission() {
        a.update(7000);
        b.update(7000);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            a.send(pattern(2), 0, 2);
            a.flush();
            sent.addAll(outA.drain());
        }
        input(b, sent.get(1));
        b.update(7010);
        a.update(7010);
        outB.deliverAll(a);
        input(b, sent.get(2));
        b.update(7020);
        outB.deliverAll(a);
        a.update(7020);
        List<byte[]> again = outA.drain();
        assertEquals(1, again.size());
        assertEquals(List.of("PUSH sn=0 frg=0 ts=7020 una=0 wnd=4096 len=2"), CapturedOutput.describe(again.get(0)));
        assertEquals(1, statsA.get(KcpCounter.RETRANSMIT_FAST));
    }

    @Test
    void conservativeFastAckIgnoresALargerSnWithAnOlderTs() {
        a.update(100);
        for (int i = 0; i < 4; i++) {
            a.send(pattern(2), 0, 2);
        }
        a.flush();
        outA.drain();
        // One datagram: ACK sn 1 (ts 100), then ACK sn 3 with the same ts: maxack stays 1.
        byte[] acks = new byte[48];
        MemorySegment s = MemorySegment.ofArray(acks);
        KcpHeader.write(s, 0, 7, KcpConstants.CMD_ACK, 0, 4096, 100, 1, 0, 0);
        KcpHeader.write(s, 24, 7, KcpConstants.CMD_ACK, 0, 4096, 100, 3, 0, 0);
        input(a, acks);
        input(a, acks);
        a.update(110);
        // sn 0 was skipped twice (maxack 1); sn 2 never (it is not below maxack 1).
        List<String> d = CapturedOutput.describe(outA.drain().get(0));
        assertEquals(List.of("PUSH sn=0 frg=0 ts=110 una=0 wnd=4096 len=2"), d);
    }

    @Test
    void malformedInputIsCountedAndStopsTheWalk() {
        a.update(0);
        assertEquals(KcpResult.BAD_CONV_OR_SHORT, input(a, new byte[23]));
        assertEquals(1, statsA.get(KcpCounter.DROP_INPUT_TOO_SHORT));

        byte[] twoPush = new byte[2 * 24 + 2];
        MemorySegment s = MemorySegment.ofArray(twoPush);
        KcpHeader.write(s, 0, 7, KcpConstants.CMD_PUSH, 0, 4096, 0, 0, 0, 1);
        KcpHeader.write(s, 25, 8, KcpConstants.CMD_PUSH, 0, 4096, 0, 1, 0, 1);
        assertEquals(KcpResult.BAD_CONV_OR_SHORT, input(a, twoPush));
        assertEquals(1, statsA.get(KcpCounter.DROP_INPUT_WRONG_CONV));
        assertEquals(1, a.peekSize(), "the segment before the wrong conv was used");

        byte[] truncated = new byte[24 + 3];
        KcpHeader.write(MemorySegment.ofArray(truncated), 0, 7, KcpConstants.CMD_PUSH, 0, 4096, 0, 1, 0, 4);
        assertEquals(KcpResult.TRUNCATED, input(a, truncated));
        byte[] hugeLen = new byte[24];
        KcpHeader.write(MemorySegment.ofArray(hugeLen), 0, 7, KcpConstants.CMD_PUSH, 0, 4096, 0, 1, 0, -8);
        assertEquals(KcpResult.TRUNCATED, input(a, hugeLen));
        assertEquals(2, statsA.get(KcpCounter.DROP_INPUT_TRUNCATED));

        byte[] unknown = new byte[24];
        KcpHeader.write(MemorySegment.ofArray(unknown), 0, 7, 85, 0, 4096, 0, 1, 0, 0);
        assertEquals(KcpResult.UNKNOWN_COMMAND, input(a, unknown));
        assertEquals(1, statsA.get(KcpCounter.DROP_INPUT_UNKNOWN_CMD));
    }

    @Test
    void pushBeyondTheWindowIsNeitherStoredNorAcknowledged() {
        a.update(0);
        byte[] far = new byte[25];
        KcpHeader.write(MemorySegment.ofArray(far), 0, 7, KcpConstants.CMD_PUSH, 0, 4096, 0, KcpConstants.RCV_WND, 0, 1);
        assertEquals(KcpResult.OK, input(a, far));
        a.flush();
        assertTrue(outA.datagrams.isEmpty());
        assertEquals(1, statsA.get(KcpCounter.DROP_PUSH_OUT_OF_WINDOW));
    }

    @Test
    void duplicatesAreAcknowledgedAgainButStoredOnce() {
        a.update(0);
        byte[] p = new byte[25];
        KcpHeader.write(MemorySegment.ofArray(p), 0, 7, KcpConstants.CMD_PUSH, 0, 4096, 5, 1, 0, 1);
        input(a, p);
        input(a, p);
        a.flush();
        List<String> d = CapturedOutput.describe(outA.drain().get(0));
        assertEquals(2, d.size());
        assertEquals(1, a.outOfOrderSegments());
        assertEquals(1, statsA.get(KcpCounter.PUSH_DUPLICATE));
    }

    @Test
    void aFullSendRingRefusesUntilAcksFreeIt() {
        SegmentPool pool = new SegmentPool(4096);
        Kcp k = new Kcp(7, pool, outA, statsA, 0, 128);
        k.update(0);
        byte[] m = pattern(100 * KcpConstants.MSS);
        assertEquals(m.length, k.send(m, 0, m.length));
        assertEquals(28, k.sendCapacitySegments());
        assertEquals(KcpResult.WOULD_BLOCK, k.send(m, 0, 29 * KcpConstants.MSS), "nothing is dropped silently");
        assertEquals(1, statsA.get(KcpCounter.SEND_REFUSED_FULL));
        k.flush();
        outA.deliverAll(b);
        b.update(0);
        b.flush();
        outB.deliverAll(k);
        assertEquals(128, k.sendCapacitySegments());
    }

    @Test
    void anEmptyPoolDropsPushWithoutAcknowledgingIt() {
        SegmentPool tiny = new SegmentPool(1);
        Kcp r = new Kcp(7, tiny, outB, statsB, 0, 128);
        r.update(0);
        a.update(0);
        a.send(pattern(10), 0, 10);
        a.send(pattern(10), 0, 10);
        a.flush();
        outA.deliverAll(r);
        r.flush();
        List<String> acks = CapturedOutput.describe(outB.drain().get(0));
        // Only what was stored is acked, and the window says the pool is empty.
        assertEquals(List.of("ACK sn=0 frg=0 ts=0 una=1 wnd=0 len=0"), acks);
        assertEquals(1, statsB.get(KcpCounter.DROP_PUSH_NO_BUFFER));
        // The application takes the first message: the window reopens, and the next flush says so.
        byte[] buf = new byte[100];
        assertEquals(10, r.recv(buf, 0, buf.length));
        r.flush();
        assertEquals(List.of("WINS sn=0 frg=0 ts=0 una=1 wnd=1 len=0"), CapturedOutput.describe(outB.drain().get(0)));
        r.flush();
        assertTrue(outB.datagrams.isEmpty(), "told once");
        for (int t = 10; t <= 100; t += 10) {
            a.update(t);
        }
        outA.deliverAll(r);
        assertEquals(10, r.recv(buf, 0, buf.length));
    }

    @Test
    void aFullDatagramHoldsAtMost58Acks() {
        a.update(0);
        b.update(0);
        for (int i = 0; i < 60; i++) {
            a.send(pattern(1), 0, 1);
        }
        a.flush();
        outA.deliverAll(b);
        b.flush();
        List<byte[]> d = outB.drain();
        assertEquals(2, d.size());
        assertEquals(58 * 24, d.get(0).length);
        assertEquals(2 * 24, d.get(1).length);
    }

    @Test
    void aClosedRemoteWindowIsProbedAfter7sThenEvery1_5x() {
        a.update(0);
        byte[] wins0 = new byte[24];
        KcpHeader.write(MemorySegment.ofArray(wins0), 0, 7, KcpConstants.CMD_WINS, 0, 0, 0, 0, 0, 0);
        input(a, wins0);
        List<Integer> probes = new ArrayList<>();
        for (int t = 10; t <= 20_000; t += 10) {
            a.update(t);
            for (byte[] d : outA.drain()) {
                if (CapturedOutput.describe(d).get(0).startsWith("WASK")) {
                    probes.add(t);
                }
            }
        }
        // First flush with rmt_wnd 0 (t=10) arms 7000 ms; then the wait grows to 10500.
        assertEquals(List.of(7010, 17510), probes);
        // The peer answers a WASK with a WINS at its next flush.
        byte[] wask = new byte[24];
        KcpHeader.write(MemorySegment.ofArray(wask), 0, 7, KcpConstants.CMD_WASK, 0, 4096, 0, 0, 0, 0);
        b.update(0);
        input(b, wask);
        b.flush();
        assertEquals(List.of("WINS sn=0 frg=0 ts=0 una=0 wnd=4096 len=0"), CapturedOutput.describe(outB.drain().get(0)));
    }

    @Test
    void theInitialRemoteWindowOf128LimitsDataInFlight() {
        a.update(0);
        byte[] m = pattern(KcpConstants.MAX_MESSAGE_BYTES);
        a.send(m, 0, m.length);
        a.send(m, 0, m.length);
        a.flush();
        assertEquals(128, outA.drain().size());
        assertEquals(128, a.sendNext());
    }

    @Test
    void checkSaysWhenTheNextFlushOrResendIsDue() {
        assertEquals(5, a.check(5), "before the first update: now");
        a.update(100);
        assertEquals(110, a.check(103), "next flush at 110");
        a.send(pattern(1), 0, 1);
        a.flush();
        assertEquals(110, a.check(105));
    }

    @Test
    void releaseReturnsEverySegmentAndStopsTheBlock() {
        a.update(0);
        a.send(pattern(5000), 0, 5000);
        a.flush();
        outA.drain();
        byte[] p = new byte[25];
        KcpHeader.write(MemorySegment.ofArray(p), 0, 7, KcpConstants.CMD_PUSH, 0, 4096, 0, 3, 0, 1);
        input(a, p);
        assertTrue(poolA.inUse() > 0);
        a.release();
        assertEquals(0, poolA.inUse());
        assertEquals(KcpResult.RELEASED, a.send(pattern(1), 0, 1));
        a.update(1000);
        assertTrue(outA.datagrams.isEmpty());
        assertFalse(a.isDeadLink());
    }

    @Test
    void aSegmentSent20TimesMarksTheLinkDeadButKeepsResending() {
        a.update(0);
        a.send(pattern(1), 0, 1);
        int t = 0;
        while (!a.isDeadLink() && t < 10_000_000) {
            t += 10;
            a.update(t);
        }
        assertTrue(a.isDeadLink());
        assertEquals(1, statsA.get(KcpCounter.DEAD_LINK));
        assertEquals(19, statsA.get(KcpCounter.RETRANSMIT_TIMEOUT));
    }
}
