package io.zgrnet.io.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.sys.Errno;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.NativeException;
import io.zgrnet.sys.Sqe;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bare ring: setup, mapping, NOP round trips, CQ overflow, single-issuer rule. */
@Timeout(30)
class RingTest {
    @BeforeAll
    static void requireIoUring() {
        IoUringSupport support = IoUringSupport.get();
        Assumptions.assumeTrue(support.available(), () -> "io_uring unavailable: " + support.unavailabilityCause());
    }

    private static void nop(Ring ring, long userData) {
        long sqe = ring.nextSqe();
        assertTrue(sqe >= 0, "SQ has room");
        Sqe.prep(ring.sqes(), sqe, IoUring.IORING_OP_NOP, 0, -1, 0, 0, 0, userData);
    }

    @Test
    void nopRoundTrip() throws Exception {
        try (Ring ring = Ring.open(Ring.Options.of(8, 32))) {
            ring.enable();
            assertEquals(8, ring.sqEntries());
            assertEquals(32, ring.cqEntries());
            for (int round = 0; round < 100; round++) {
                for (int i = 0; i < 5; i++) {
                    nop(ring, 1000L * round + i);
                }
                assertEquals(5, ring.pendingSubmissions());
                int submitted = ring.enter(5, 0, 0, 0);
                assertEquals(5, submitted);
                assertEquals(5, ring.cqReady());
                for (int i = 0; i < 5; i++) {
                    assertEquals(1000L * round + i, ring.cqeUserData(i));
                    assertEquals(0, ring.cqeRes(i));
                }
                ring.cqAdvance(5);
                assertEquals(0, ring.cqReady());
            }
        }
    }

    @Test
    void sqFullReportsMinusOne() throws Exception {
        try (Ring ring = Ring.open(Ring.Options.of(4, 8))) {
            ring.enable();
            for (int i = 0; i < 4; i++) {
                nop(ring, i);
            }
            assertEquals(-1, ring.nextSqe());
            assertEquals(4, ring.submit());
            assertTrue(ring.nextSqe() >= 0, "room again after the kernel consumed the SQEs");
        }
    }

    @Test
    void prefersSingleIssuerAndDeferredTaskRun() throws Exception {
        try (Ring ring = Ring.open(Ring.Options.of(4, 8))) {
            // Linux 6.1+ (this machine runs 6.18) accepts the richest set.
            assertTrue(ring.hasSetupFlag(IoUring.IORING_SETUP_SINGLE_ISSUER | IoUring.IORING_SETUP_DEFER_TASKRUN),
                    ring.toString());
            assertTrue(ring.hasFeature(IoUring.IORING_FEAT_SINGLE_MMAP));
        }
    }

    @Test
    void anotherThreadCannotSubmitToASingleIssuerRing() throws Exception {
        try (Ring ring = Ring.open(Ring.Options.of(4, 8))) {
            Assumptions.assumeTrue(ring.hasSetupFlag(IoUring.IORING_SETUP_SINGLE_ISSUER), "no SINGLE_ISSUER");
            ring.enable();
            nop(ring, 1);
            assertEquals(1, ring.submit());
            CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() -> {
                try {
                    nop(ring, 2);
                    return ring.submit();
                } catch (NativeException e) {
                    return -e.errno();
                }
            });
            assertEquals(-Errno.EEXIST, other.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void cqOverflowIsDetectedAndFlushedWithoutLoss() throws Exception {
        try (Ring ring = Ring.open(Ring.Options.of(4, 4))) {
            ring.enable();
            assertTrue(ring.hasFeature(IoUring.IORING_FEAT_NODROP));
            int total = 12;
            for (int i = 0; i < total; i++) {
                nop(ring, i);
                if ((i & 3) == 3) {
                    ring.submit(); // never reap: CQ (4 entries) overflows into the kernel's backlog
                }
            }
            assertTrue(ring.cqOverflowed(), "IORING_SQ_CQ_OVERFLOW set");
            long next = 0;
            while (next < total) {
                int ready = ring.cqReady();
                for (int i = 0; i < ready; i++) {
                    assertEquals(next++, ring.cqeUserData(i), "CQEs arrive in order, none lost");
                }
                ring.cqAdvance(ready);
                if (next < total) {
                    assertTrue(ring.cqOverflowed() || ring.cqReady() > 0, "backlog still flagged");
                    ring.flushOverflow();
                }
            }
            assertFalse(ring.cqOverflowed());
            assertEquals(0, ring.cqDropped());
            assertTrue(ring.overflowFlushes() >= 2);
        }
    }

    @Test
    void timedWaitReturnsEtime() throws Exception {
        try (Ring ring = Ring.open(Ring.Options.of(4, 8));
                WaitArg wait = new WaitArg()) {
            ring.enable();
            long t0 = System.nanoTime();
            int r = ring.enter(1, IoUring.IORING_ENTER_EXT_ARG, wait.address(5_000_000L), wait.size());
            long waited = System.nanoTime() - t0;
            assertEquals(-Errno.ETIME, r);
            assertTrue(waited >= 4_000_000L, "waited about 5 ms, got " + waited);
        }
    }

    @Test
    void invalidSizesAreRejectedByOptions() {
        assertThrows(IllegalArgumentException.class, () -> Ring.Options.of(8, 4));
        assertThrows(IllegalArgumentException.class, () -> Ring.Options.of(0, 4));
    }

    @Test
    void probeFindsTheOpcodesWeUse() {
        IoUringSupport s = IoUringSupport.get();
        assertTrue(s.opSupported(IoUring.IORING_OP_RECVMSG));
        assertTrue(s.opSupported(IoUring.IORING_OP_SENDMSG));
        assertTrue(s.opSupported(IoUring.IORING_OP_NOP));
        assertTrue(s.multishotReceive(), s.toString());
        assertTrue(s.sendZc(), s.toString());
        assertEquals(IoUringSupport.Status.AVAILABLE, s.status());
    }
}
