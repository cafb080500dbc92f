package io.zgrnet;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;

/**
 * The control agent's inbox: what other threads ask of it, bounded ({@value #CAPACITY}); a refused
 * command is counted ({@code DROP_CONTROL_COMMAND_REFUSED}) and the caller learns it at once.
 * Commands are data (a kind and a peer), not closures, so nothing else reaches into the agent.
 */
final class ControlCommands {
    static final int CAPACITY = 4096;

    /** What is asked. */
    enum Kind {
        /** Handshake with the peer unless a session exists; complete the waiter when one does. */
        CONNECT,
        /** The current session is due for a rekey (we initiated it). */
        REKEY,
        /** A writer found the peer's staging queue full. */
        STAGING_FULL,
        /** The peer was removed: retire its sessions, fail its waiters. */
        FORGET,
        /** Complete the peer's connect waiters (a session came up on another thread). */
        COMPLETE_WAITERS,
        /** Run {@code task} on the control thread (tests use it to order events). */
        RUN
    }

    record Command(Kind kind, Peer peer, CompletableFuture<Void> waiter, Runnable task) {
    }

    private final ArrayBlockingQueue<Command> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final TransportStats stats;
    private final Runnable wake;

    ControlCommands(TransportStats stats, Runnable wake) {
        this.stats = stats;
        this.wake = wake;
    }

    /** Queues a command; false (counted) when the inbox is full. */
    boolean submit(Kind kind, Peer peer, CompletableFuture<Void> waiter) {
        return offer(new Command(kind, peer, waiter, null));
    }

    /** Queues a task for the control thread; false (counted) when the inbox is full. */
    boolean run(Runnable task) {
        return offer(new Command(Kind.RUN, null, null, task));
    }

    private boolean offer(Command c) {
        if (!queue.offer(c)) {
            stats.increment(TransportCounter.DROP_CONTROL_COMMAND_REFUSED);
            return false;
        }
        wake.run();
        return true;
    }

    Command poll() {
        return queue.poll();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }
}
