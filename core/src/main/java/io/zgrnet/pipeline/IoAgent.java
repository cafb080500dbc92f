package io.zgrnet.pipeline;

import io.zgrnet.io.BoundedIntQueue;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/**
 * The I/O agent: the only thread that calls the datagram backend.
 *
 * <p>Each duty cycle sends what callers queued (one batch), then receives one batch and routes it
 * by message type: transport datagrams go to the in-order ring for the decrypt workers, handshake
 * datagrams to the control agent's inbox, anything else is dropped and counted. It never blocks
 * on a slow consumer: a full ring or inbox drops the datagram and counts it.
 *
 * <p>When there is nothing to send it waits in the backend's receive for up to
 * {@link #RECEIVE_WAIT_NS}. Senders that queue a slot while it waits call {@link #wakeSender()},
 * which wakes the backend only if the agent is actually waiting (a Dekker-style handshake on two
 * volatile fields: the agent publishes "waiting" then re-checks the send queue; a sender publishes
 * its slot then checks "waiting"; at least one of them sees the other).
 */
public final class IoAgent implements Agent {
    /** How long one receive may wait when there is nothing to send. */
    public static final long RECEIVE_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Where the agent reports drops; implemented by the transport. */
    public interface Listener {
        /** A transport datagram found the receive ring full. */
        void receiveRingFull();

        /** A handshake datagram found the control inbox full. */
        void controlInboxFull();

        /** A datagram of no known type, or too short to have one. */
        void unknownType();

        /** Datagrams received (all types). */
        void received(int count);

        /** The backend failed; the agent keeps running (the transport decides whether to close). */
        void backendError(IOException e);
    }

    /** zgrnet's message types (first byte). */
    private static final byte TYPE_INIT = 1;
    private static final byte TYPE_RESPONSE = 2;
    private static final byte TYPE_TRANSPORT = 4;

    private static final System.Logger LOG = System.getLogger(IoAgent.class.getName());

    private final DatagramBackend backend;
    private final PacketPool pool;
    private final MemorySegment slab;
    private final BoundedIntQueue sendQueue;
    private final OrderedPipeline receiveRing;
    private final BoundedIntQueue controlInbox;
    private final Runnable workersWake;
    private final Runnable controlWake;
    private final Listener listener;
    private final int[] receiveBatch;
    private final int[] sendBatch;
    private volatile boolean waiting;
    private volatile boolean closed;

    /**
     * @param backend the datagram backend (owned by the caller, closed after this agent stops)
     * @param sendQueue slots ready to send, filled by sender threads
     * @param receiveRing transport datagrams for the decrypt workers
     * @param controlInbox handshake datagrams for the control agent
     * @param workersWake wakes idle decrypt workers after a batch was added
     * @param controlWake wakes the control agent after a handshake was queued
     * @param batchSize datagrams per receive and per send
     */
    public IoAgent(DatagramBackend backend, BoundedIntQueue sendQueue, OrderedPipeline receiveRing,
                   BoundedIntQueue controlInbox, Runnable workersWake, Runnable controlWake, Listener listener,
                   int batchSize) {
        this.backend = backend;
        this.pool = backend.pool();
        this.slab = pool.slab();
        this.sendQueue = sendQueue;
        this.receiveRing = receiveRing;
        this.controlInbox = controlInbox;
        this.workersWake = workersWake;
        this.controlWake = controlWake;
        this.listener = listener;
        this.receiveBatch = new int[batchSize];
        this.sendBatch = new int[batchSize];
    }

    @Override
    public String roleName() {
        return "zgrnet-io";
    }

    /** Called by a sender after queueing a slot: wakes the agent if it waits in receive. */
    public void wakeSender() {
        if (waiting) {
            backend.wakeup();
        }
    }

    /** Makes the agent stop waiting and return from its duty cycle (used on close). */
    public void stop() {
        closed = true;
        backend.wakeup();
    }

    @Override
    public int doWork() {
        if (closed) {
            return 0;
        }
        int work = flushSends();
        long wait = 0;
        if (work == 0) {
            waiting = true;
            if (sendQueue.isEmpty()) {
                wait = RECEIVE_WAIT_NS;
            } else {
                waiting = false;
            }
        }
        int received;
        try {
            received = backend.receive(receiveBatch, receiveBatch.length, wait);
        } catch (ClosedChannelException e) {
            closed = true;
            return 0;
        } catch (IOException e) {
            listener.backendError(e);
            received = 0;
        } finally {
            waiting = false;
        }
        if (received > 0) {
            route(received);
        }
        // A cycle that waited in the kernel counts as work: the runner must not add its own idling.
        return work + received + (wait > 0 ? 1 : 0);
    }

    private int flushSends() {
        int n = sendQueue.drain(sendBatch, sendBatch.length);
        if (n == 0) {
            return 0;
        }
        try {
            backend.send(sendBatch, n);
        } catch (ClosedChannelException e) {
            closed = true;
        } catch (IOException e) {
            listener.backendError(e);
        }
        return n;
    }

    private void route(int count) {
        listener.received(count);
        boolean transport = false;
        boolean control = false;
        for (int i = 0; i < count; i++) {
            int slot = receiveBatch[i];
            int length = pool.length(slot);
            byte type = length > 0
                    ? slab.get(ValueLayout.JAVA_BYTE, pool.slotOffset(slot) + pool.dataOffset(slot)) : 0;
            if (type == TYPE_TRANSPORT) {
                if (receiveRing.offer(slot)) {
                    transport = true;
                } else {
                    pool.release(slot);
                    listener.receiveRingFull();
                }
            } else if (type == TYPE_INIT || type == TYPE_RESPONSE) {
                if (controlInbox.offer(slot)) {
                    control = true;
                } else {
                    pool.release(slot);
                    listener.controlInboxFull();
                }
            } else {
                pool.release(slot);
                listener.unknownType();
            }
        }
        if (transport) {
            workersWake.run();
        }
        if (control) {
            controlWake.run();
        }
    }

    @Override
    public void onClose() {
        // Slots queued for sending but never sent go back to the pool.
        int slot;
        while ((slot = sendQueue.poll()) >= 0) {
            pool.release(slot);
        }
        LOG.log(Level.DEBUG, "io agent stopped");
    }
}
