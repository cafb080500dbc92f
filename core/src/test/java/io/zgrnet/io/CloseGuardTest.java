package io.zgrnet.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CloseGuardTest {
    @Test
    void withNobodyInsideTheWakeRunsBeforeTheCleanupOnTheClosingThread() {
        CloseGuard guard = new CloseGuard();
        List<String> events = new ArrayList<>();
        assertTrue(guard.closeAndWake(() -> events.add("cleanup"), () -> events.add("wake")));
        assertEquals(List.of("wake", "cleanup"), events, "the cleanup frees what the wake touches");
        assertTrue(guard.isCleaned());
        assertEquals(Thread.currentThread(), guard.cleanedBy());
        assertFalse(guard.enter(), "closed: no new call enters");
    }

    @Test
    void aSecondCloseNeitherWakesNorCleansAgain() {
        CloseGuard guard = new CloseGuard();
        int[] runs = new int[2];
        assertTrue(guard.closeAndWake(() -> runs[0]++, () -> runs[1]++));
        assertFalse(guard.closeAndWake(() -> runs[0]++, () -> runs[1]++));
        assertEquals(1, runs[0], "one cleanup");
        assertEquals(1, runs[1], "one wake");
        assertEquals(0, guard.users(), "the second close left no call entered");
    }

    /**
     * A caller blocked inside: the close wakes it, and the cleanup runs only once it has left, on
     * whichever thread leaves last (the caller, or the closer leaving its own wake-up call).
     */
    @Test
    void aCallerInsideIsWokenAndTheCleanupWaitsUntilItLeft() throws Exception {
        CloseGuard guard = new CloseGuard();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch woken = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean callerLeft = new java.util.concurrent.atomic.AtomicBoolean();
        Thread caller = new Thread(() -> {
            if (!guard.enter()) {
                return;
            }
            inside.countDown();
            try {
                woken.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            callerLeft.set(true);
            guard.exit();
        });
        caller.start();
        inside.await();
        java.util.concurrent.atomic.AtomicBoolean cleanedAfterTheCallerLeft = new java.util.concurrent.atomic.AtomicBoolean();
        assertTrue(guard.closeAndWake(() -> cleanedAfterTheCallerLeft.set(callerLeft.get()), woken::countDown));
        assertTrue(guard.awaitCleaned(TimeUnit.SECONDS.toNanos(10)));
        caller.join();
        assertTrue(cleanedAfterTheCallerLeft.get(), "the cleanup ran only after the caller left");
        assertTrue(guard.cleanedBy() == caller || guard.cleanedBy() == Thread.currentThread(), "" + guard.cleanedBy());
    }
}
