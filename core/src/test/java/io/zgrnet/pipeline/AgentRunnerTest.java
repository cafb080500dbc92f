package io.zgrnet.pipeline;

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
}
