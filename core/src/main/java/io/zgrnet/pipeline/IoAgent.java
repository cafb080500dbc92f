package io.zgrnet.pipeline;

import io.zgrnet.io.BoundedIntQueue;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.NativeException;
import io.zgrnet.wire.MessageType;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The I/O agent: the only thread that calls the datagram backend.
 *
 * <p>Each duty cycle sends what callers queued (one batch), then receives one batch and routes it
 * by message type: transport datagrams go to the in-order ring for the decrypt workers, handshake
 * datagrams to the handshake intake (which admits some to the control agent), anything else, and
 * anything shorter than its type's minimum, is dropped and counted. It never blocks
 * on a slow consumer: a full ring or inbox drops the datagram and counts it.
 *
 * <p>When there is nothing to send it waits in the backend's receive for up to
 * {@link #RECEIVE_WAIT_NS}. Senders that queue a slot while it waits call {@link #wakeSender()},
 * which wakes the backend only if the agent is actually waiting (a Dekker-style handshake on two
 * volatile fields: the agent publishes "waiting" then re-checks the send queue; a sender publishes
 * its slot then checks "waiting"; at least one of them sees the other). The first sender that sees
 * "waiting" also clears it (a CAS) and makes the one wake-up call; the senders after it see no
 * wait to end, as the wake-up stays pending in the backend until the agent returns. Without that,
 * a thread sending a burst (the stream thread) made one wake-up system call per datagram until
 * the agent was scheduled.
 */
public final class IoAgent implements Agent {
    /** How long one receive may wait when there is nothing to send. */
    public static final long RECEIVE_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * Takes a well-formed handshake datagram on the I/O thread, cheaply: it decides whether the
     * control agent spends work on it, and counts what it refuses.
     */
    public interface HandshakeIntake {
        /**
         * @param type {@code MessageType.HANDSHAKE_INIT} or {@code HANDSHAKE_RESPONSE}
         * @return true if it kept the slot (it releases it later); false: the agent releases it
         */
        boolean take(int slot, int type);
    }

    /** Where the agent reports drops; implemented by the transport. */
    public interface Listener {
        /** A transport datagram found the receive ring full. */
        void receiveRingFull();

        /** A datagram of no known type (or a cookie reply, which zgrnet never sends). */
        void unknownType();

        /** A datagram of a known type shorter than that type's minimum length. */
        void malformed();

        /** Datagrams received (all types). */
        void received(int count);

        /** Datagrams the backend did not hand to the kernel (counted by errno in its stats). */
        void sendRefused(int count);

        /**
         * The backend failed. {@code fatal}: it kept failing for {@link #FAILURE_PERSISTENCE_NS} (or
         * with an errno that cannot heal), and the agent has stopped using it; otherwise it retries
         * with a growing pause.
         */
        void backendError(IOException e, boolean fatal);
    }

    /** How long a backend may keep failing before the agent gives up on it. */
    public static final long FAILURE_PERSISTENCE_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long MAX_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(64);


    private static final System.Logger LOG = System.getLogger(IoAgent.class.getName());
    private static final VarHandle WAITING;

    static {
        try {
            WAITING = MethodHandles.lookup().findVarHandle(IoAgent.class, "waiting", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DatagramBackend backend;
    private final PacketPool pool;
    private final MemorySegment slab;
    private final BoundedIntQueue sendQueue;
    private final OrderedPipeline receiveRing;
    private final HandshakeIntake handshakes;
    private final Runnable workersWake;
    private final Listener listener;
    private final int[] receiveBatch;
    private final int[] sendBatch;
    private volatile boolean waiting;
    private volatile boolean closed;
    private volatile boolean failed;
    /** Since when the backend has failed without a success in between (0: it works). */
    private long failingSinceNs;
    private long backoffNs;

    /**
     * @param backend the datagram backend (owned by the caller, closed after this agent stops)
     * @param sendQueue slots ready to send, filled by sender threads
     * @param receiveRing transport datagrams for the decrypt workers
     * @param handshakes takes handshake datagrams (and wakes the control agent when it queues one)
     * @param workersWake wakes idle decrypt workers after a batch was added
     * @param batchSize datagrams per receive and per send
     */
    public IoAgent(DatagramBackend backend, BoundedIntQueue sendQueue, OrderedPipeline receiveRing,
                   HandshakeIntake handshakes, Runnable workersWake, Listener listener, int batchSize) {
        this.backend = backend;
        this.pool = backend.pool();
        this.slab = pool.slab();
        this.sendQueue = sendQueue;
        this.receiveRing = receiveRing;
        this.handshakes = handshakes;
        this.workersWake = workersWake;
        this.listener = listener;
        this.receiveBatch = new int[batchSize];
        this.sendBatch = new int[batchSize];
    }

    @Override
    public String roleName() {
        return "zgrnet-io";
    }

    /**
     * Called by a sender after queueing a slot: wakes the agent if it waits in receive and no
     * other sender has woken it yet.
     */
    public void wakeSender() {
        if (waiting && WAITING.compareAndSet(this, true, false)) {
            backend.wakeup();
        }
    }

    /** Makes the agent stop waiting and return from its duty cycle (used on close). */
    public void stop() {
        closed = true;
        backend.wakeup();
    }

    /** True once the backend failed for good (see {@link Listener#backendError}). */
    public boolean failed() {
        return failed;
    }

    @Override
    public int doWork() {
        if (closed || failed) {
            return 0;
        }
        if (backoffNs > 0) {
            LockSupport.parkNanos(backoffNs); // a failing backend: pause instead of spinning on it
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
            failure(e);
            return work + 1;
        } finally {
            waiting = false;
        }
        succeeded();
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
            int sent = backend.send(sendBatch, n);
            if (sent < n) {
                listener.sendRefused(n - sent);
            }
        } catch (ClosedChannelException e) {
            closed = true;
        } catch (IOException e) {
            listener.sendRefused(n); // the backend released the slots it could not send
            failure(e);
        }
        return n;
    }

    /** A backend call failed: pause, and give up once it has failed for too long (or cannot heal). */
    private void failure(IOException e) {
        long now = System.nanoTime();
        if (failingSinceNs == 0) {
            failingSinceNs = now;
        }
        backoffNs = backoffNs == 0 ? TimeUnit.MILLISECONDS.toNanos(1) : Math.min(MAX_BACKOFF_NS, backoffNs * 2);
        boolean fatal = now - failingSinceNs >= FAILURE_PERSISTENCE_NS || cannotHeal(e);
        if (fatal) {
            failed = true;
        }
        listener.backendError(e, fatal);
    }

    private void succeeded() {
        failingSinceNs = 0;
        backoffNs = 0;
    }

    /** EBADF/ENOTSOCK/EFAULT: our own descriptor or memory is wrong; retrying cannot help. */
    private static boolean cannotHeal(IOException e) {
        return e instanceof NativeException n
                && (n.errno() == Errno.EBADF || n.errno() == Errno.EFAULT || n.errno() == Errno.ENOTSOCK);
    }

    private void route(int count) {
        listener.received(count);
        boolean transport = false;
        for (int i = 0; i < count; i++) {
            int slot = receiveBatch[i];
            int length = pool.length(slot);
            long at = pool.slotOffset(slot) + pool.dataOffset(slot);
            int type = MessageType.of(slab, at, length);
            // Length first: a datagram too short for its type costs a counter here and nothing
            // else (no ring entry, no handshake work, no rate-limit token).
            int minimum = MessageType.minimumLength(type);
            if (minimum == Integer.MAX_VALUE) {
                pool.release(slot);
                listener.unknownType();
            } else if (length < minimum) {
                pool.release(slot);
                listener.malformed();
            } else if (type == MessageType.TRANSPORT) {
                if (receiveRing.offer(slot)) {
                    transport = true;
                } else {
                    pool.release(slot);
                    listener.receiveRingFull();
                }
            } else if (!handshakes.take(slot, type)) {
                pool.release(slot);
            }
        }
        if (transport) {
            workersWake.run();
        }
    }

    /**
     * The agent's last act, on its own thread: slots queued for sending but never sent go back to
     * the pool, and the backend is closed here, by the thread that owns it, so that io_uring can
     * cancel its operations as their single issuer and reap their completions before anything is
     * freed (closing it again later, from the transport, is a no-op).
     */
    @Override
    public void onClose() {
        int slot;
        while ((slot = sendQueue.poll()) >= 0) {
            pool.release(slot);
        }
        backend.close();
        LOG.log(Level.DEBUG, "io agent stopped");
    }
}
