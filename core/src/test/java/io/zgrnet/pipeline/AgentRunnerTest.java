package io.zgrnet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class AgentRunnerTest {
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void runsTheDutyCycleSurvivesFailuresAndJoinsOnClose() throws Exception {
        CountDownLatch cycles = new CountDownLatch(100);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Agent agent = new Agent() {
            @Override
            public int doWork() {
                cycles.countDown();
                if (calls.incrementAndGet() == 3) {
                    throw new IllegalStateException("a failing cycle must not stop the agent");
                }
                return 0;
            }

            @Override
            public String roleName() {
                return "test-agent";
            }

            @Override
            public void onClose() {
                closed.countDown();
            }
        };
        AgentRunner runner = new AgentRunner(agent);
        assertTrue(cycles.await(10, TimeUnit.SECONDS));
        runner.wake();
        runner.close();
        assertFalse(runner.thread().isAlive());
        assertTrue(closed.await(0, TimeUnit.SECONDS));
    }

    /**
     * The lost wake-up window: a producer queues work and calls wake() after the agent's last
     * empty duty cycle but before the runner has announced the park. The runner must see the work
     * (Agent.hasWork after the announcement) instead of sleeping through it. Here the agent itself
     * plays the producer at that exact moment, so the interleaving is deterministic.
     */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void workQueuedJustBeforeTheParkIsSeenWithoutWaitingForTheTimeout() throws Exception {
        AtomicInteger pending = new AtomicInteger();
        AtomicInteger seenBeforePark = new AtomicInteger();
        CountDownLatch served = new CountDownLatch(10);
        java.util.concurrent.atomic.AtomicReference<AgentRunner> runner = new java.util.concurrent.atomic.AtomicReference<>();
        Agent agent = new Agent() {
            private int empty;

            @Override
            public int doWork() {
                if (pending.get() > 0) {
                    pending.set(0);
                    empty = 0;
                    served.countDown();
                    return 1;
                }
                // Past the spins and yields the runner parks next: queue work and wake now, as a
                // producer racing with the park would.
                AgentRunner self = runner.get();
                if (++empty >= 200 && self != null) {
                    pending.set(1);
                    self.wake();
                }
                return 0;
            }

            @Override
            public boolean hasWork() {
                boolean w = pending.get() > 0;
                if (w) {
                    seenBeforePark.incrementAndGet();
                }
                return w;
            }

            @Override
            public String roleName() {
                return "test-lost-wakeup";
            }
        };
        try (AgentRunner r = new AgentRunner(agent)) {
            runner.set(r);
            served.await();
        }
        assertEquals(10, seenBeforePark.get(), "every racing wake-up was caught by the check before parking");
    }
}
