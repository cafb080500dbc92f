package io.zgrnet.pipeline;

import java.lang.System.Logger.Level;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs an {@link Agent} on its own named platform thread until {@link #close()}, idling with a
 * spin, yield, then park backoff when a duty cycle finds no work. Others can cut the idle short
 * with {@link #wake()}. The runner owns the thread: {@code close()} stops and joins it, so no
 * thread outlives its owner.
 */
public final class AgentRunner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AgentRunner.class.getName());
    private static final int SPINS = 64;
    private static final int YIELDS = 16;
    private static final long MIN_PARK_NS = 1_000;
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Agent agent;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean parked;

    /** Creates and starts the thread. */
    public AgentRunner(Agent agent) {
        this.agent = agent;
        this.thread = Thread.ofPlatform().name(agent.roleName()).daemon(true).unstarted(this::run);
        thread.start();
    }

    /** The agent's thread. */
    public Thread thread() {
        return thread;
    }

    /**
     * Unparks the agent if it is idling in a park. Call after queueing the work. Cheap when the
     * agent is busy (a fence and one volatile read).
     */
    public void wake() {
        // StoreLoad: the caller's queueing (possibly a release store) must be visible before we
        // read `parked`; the runner does the mirror image (announce, fence, check for work). One
        // of the two sides then sees the other, so a wake-up is never lost.
        VarHandle.fullFence();
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        int idle = 0;
        try {
            while (running) {
                int work;
                try {
                    work = agent.doWork();
                } catch (Throwable t) {
                    LOG.log(Level.ERROR, agent.roleName() + ": duty cycle failed", t);
                    work = 0;
                }
                if (work > 0) {
                    idle = 0;
                } else {
                    idle(idle++);
                }
            }
        } finally {
            try {
                agent.onClose();
            } catch (Throwable t) {
                LOG.log(Level.ERROR, agent.roleName() + ": onClose failed", t);
            }
        }
    }

    private void idle(int count) {
        if (count < SPINS) {
            Thread.onSpinWait();
        } else if (count < SPINS + YIELDS) {
            Thread.yield();
        } else {
            long ns = Math.min(MAX_PARK_NS, MIN_PARK_NS << Math.min(20, count - SPINS - YIELDS));
            parked = true;
            VarHandle.fullFence();
            if (!agent.hasWork()) {
                LockSupport.parkNanos(this, ns);
            }
            parked = false;
        }
    }

    /** Stops the agent and waits for its thread to end (bounded; interrupts if it does not). */
    @Override
    public void close() {
        stop();
    }

    /**
     * As {@link #close()}, and says whether the thread ended: false if it is still running after
     * 10 s (stuck in a call that does not return): then nothing it may touch must be freed.
     * From the agent's own thread: stops the loop and returns true.
     */
    public boolean stop() {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread) {
            return true;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(Level.WARNING, agent.roleName() + ": thread did not stop within 10 s");
            return false;
        }
        return true;
    }
}
