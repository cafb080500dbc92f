package io.zgrnet.io.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.sys.Errno;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.IoUringFaults;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-feature verdicts {@code zgrnet probe} prints: real kernel, refused setup, hidden opcode. */
@Timeout(30)
class IoUringSupportChecksTest {
    @BeforeAll
    static void probeBeforeAnyFault() {
        IoUringSupport.get(); // cache the real probe before any fault is injected
    }

    @AfterEach
    void clearFaults() {
        IoUringFaults.clear();
    }

    private static Map<String, IoUringSupport.Check> byName(List<IoUringSupport.Check> checks) {
        return checks.stream().collect(Collectors.toMap(IoUringSupport.Check::name, Function.identity()));
    }

    @Test
    void aWorkingKernelReportsWhatTheBackendNeedsAsSupported() {
        IoUringSupport support = IoUringSupport.probe();
        Assumptions.assumeTrue(support.available(), support::unavailabilityCause);
        Map<String, IoUringSupport.Check> ops = byName(support.opcodeChecks());
        for (String op : List.of("RECVMSG", "SENDMSG", "ASYNC_CANCEL", "READ")) {
            assertTrue(ops.get(op).supported(), op + ": " + ops.get(op).cause());
        }
        Map<String, IoUringSupport.Check> features = byName(support.featureChecks());
        for (String f : List.of("NODROP", "FAST_POLL", "EXT_ARG")) {
            assertTrue(features.get(f).supported(), f + ": " + features.get(f).cause());
        }
        Map<String, IoUringSupport.Check> flags = byName(support.setupFlagChecks());
        assertEquals(10, flags.size(), flags.keySet().toString());
        // The probe ring's own flags were accepted by this kernel, so each must be reported as such.
        for (String name : IoUringSupport.setupFlagNames(support.setupFlags()).split("\\|")) {
            assertTrue(flags.get(name).supported(), name + ": " + flags.get(name).cause());
        }
        assertEquals(support.multishotReceive(), support.bufferRingCause() == null
                && support.opSupported(IoUring.IORING_OP_SEND_ZC));
    }

    @Test
    void aRefusedSetupGivesEveryCheckTheCauseWithoutFurtherCalls() {
        IoUringFaults.failSetup(Errno.EPERM);
        IoUringSupport support = IoUringSupport.probe();
        assertEquals(IoUringSupport.Status.NOT_PERMITTED, support.status());
        for (List<IoUringSupport.Check> checks : List.of(support.setupFlagChecks(), support.featureChecks(),
                support.opcodeChecks())) {
            assertFalse(checks.isEmpty());
            for (IoUringSupport.Check c : checks) {
                assertFalse(c.supported(), c.name());
                assertTrue(c.cause().contains("EPERM"), c.name() + ": " + c.cause());
            }
        }
        assertNotNull(support.bufferRingCause());
    }

    @Test
    void aHiddenOpcodeIsReportedWithTheKernelThatBroughtIt() {
        Assumptions.assumeTrue(IoUringSupport.get().available(), IoUringSupport.get()::unavailabilityCause);
        IoUringFaults.hideOpcode(IoUring.IORING_OP_SEND_ZC);
        IoUringSupport support = IoUringSupport.probe();
        IoUringSupport.Check zc = byName(support.opcodeChecks()).get("SEND_ZC");
        assertFalse(zc.supported());
        assertTrue(zc.cause().contains("6.0"), zc.cause());
        assertNull(byName(support.opcodeChecks()).get("RECVMSG").cause());
    }

    @Test
    void setupFlagNamesNameKnownBitsAndShowTheRestInHex() {
        assertEquals("none", IoUringSupport.setupFlagNames(0));
        assertEquals("SINGLE_ISSUER|DEFER_TASKRUN", IoUringSupport.setupFlagNames(
                IoUring.IORING_SETUP_SINGLE_ISSUER | IoUring.IORING_SETUP_DEFER_TASKRUN));
        assertEquals("CQSIZE|0x1", IoUringSupport.setupFlagNames(IoUring.IORING_SETUP_CQSIZE | 1));
    }
}
