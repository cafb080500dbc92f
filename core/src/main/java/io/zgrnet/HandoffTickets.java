package io.zgrnet;

/**
 * Handshake messages one thread handed to the control agent, and those the agent has finished
 * with, so that a transport datagram that arrived behind them can wait for exactly those: its
 * ticket is the count handed over when it arrived (arrival order, not a clock that a slow X25519,
 * a cold JIT or a descheduled agent could outlast). One thread hands over, the agent finishes, any
 * thread reads; the agent wakes the waiting reader after each message.
 */
final class HandoffTickets {
    /** Written by the handing thread only. */
    private volatile long handedOver;
    /** Written by the control agent only, after a session it made is installed. */
    private volatile long finished;
    private final Runnable wakeWaiter;

    HandoffTickets(Runnable wakeWaiter) {
        this.wakeWaiter = wakeWaiter;
    }

    /** Handing thread: one more message is with the agent (before it routes what follows). */
    void handedOver() {
        handedOver = handedOver + 1;
    }

    /** The ticket of a datagram routed after every message handed over so far. */
    long ticket() {
        return handedOver;
    }

    /**
     * Control agent: done with one more message, its session (if any) installed; wakes the waiter.
     * May run ahead of {@link #handedOver()} for a moment (the handing thread counts after it
     * queues): harmless, tickets are only compared against it.
     */
    void finished() {
        finished = finished + 1;
        wakeWaiter.run();
    }

    /** True once the agent has finished with every message up to {@code ticket}. */
    boolean finishedUpTo(long ticket) {
        return finished - ticket >= 0;
    }
}
