package io.zgrnet.io;

import io.zgrnet.sys.SocketOptionsReport;
import io.zgrnet.io.BackendStats.Counter;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.SockAddr;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Concurrency design. Each endpoint has a bounded inbound ring of (sender, sender's slot) under a
 * lock with a condition: senders append (taking the lock), the receiver waits on the condition and
 * copies each datagram from the sender's slot into a slot of its own pool, then releases the
 * sender's slot. Sender-side counters are written by the sending thread, receiver-side counters
 * by the receiving thread, so BackendStats keeps its single writer. close() takes the lock, marks
 * the endpoint closed, wakes the receiver and returns every queued slot to its sender's pool.
 */

/**
 * An in-memory {@link DatagramBackend} on a {@link FakeNetwork}: same contract as the socket
 * backends (batches, source addresses, truncation counted and dropped, zero-length datagrams,
 * wakeup, close waking a blocked receiver), no sockets. Uses a lock per call: it is a test double.
 *
 * <p>Slot ownership: a sent datagram's slot stays with the fake "network" until the receiver copies
 * it into its own pool (or closes), then goes back to the sender's pool; so the sender's
 * {@link PacketPool#outstanding()} counts datagrams in flight.
 */
public final class FakeBackend implements DatagramBackend {
    private final FakeNetwork network;
    private final InetSocketAddress localAddress;
    private final MemorySegment rawAddress = MemorySegment.ofArray(new byte[PacketPool.ADDRESS_SIZE]);
    private final PacketPool pool;
    private final BackendStats stats = new BackendStats();
    private final SocketOptionsReport report = new SocketOptionsReport(java.util.List.of());

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final FakeBackend[] queuedFrom;
    private final int[] queuedSlot;
    private int head;
    private int size;
    private boolean wakeupPending;
    private volatile boolean closed;

    FakeBackend(FakeNetwork network, InetSocketAddress localAddress, PacketPool pool, int queueCapacity) {
        this.network = network;
        this.localAddress = localAddress;
        this.pool = pool;
        this.queuedFrom = new FakeBackend[queueCapacity];
        this.queuedSlot = new int[queueCapacity];
        SockAddr.write(rawAddress, 0, localAddress);
    }

    MemorySegment rawAddress() {
        return rawAddress;
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public PacketPool pool() {
        return pool;
    }

    @Override
    public int receive(int[] slots, int max, long timeoutNanos) throws ClosedChannelException {
        if (slots == null) {
            throw new IllegalArgumentException("slots must not be null");
        }
        if (max < 1 || max > slots.length) {
            throw new IllegalArgumentException("max must be 1..slots.length (" + slots.length + "), got " + max);
        }
        lock.lock();
        try {
            long left = timeoutNanos;
            while (true) {
                if (closed) {
                    throw new ClosedChannelException();
                }
                int n = deliver(slots, max);
                if (n != 0) {
                    return Math.max(n, 0);
                }
                if (wakeupPending && timeoutNanos != 0) {
                    wakeupPending = false;
                    stats.increment(Counter.WAKEUPS);
                    return 0;
                }
                if (timeoutNanos == 0 || (timeoutNanos > 0 && left <= 0)) {
                    return 0;
                }
                if (timeoutNanos < 0) {
                    arrived.awaitUninterruptibly();
                } else {
                    try {
                        left = arrived.awaitNanos(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return 0;
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Copies queued datagrams into own slots (lock held): count, or -1 if the pool is empty. */
    private int deliver(int[] slots, int max) {
        int out = 0;
        long bytes = 0;
        int slotSize = pool.slotSize();
        int limit = maxDatagram();
        while (out < max && size > 0) {
            FakeBackend from = queuedFrom[head];
            int fromSlot = queuedSlot[head];
            PacketPool fromPool = from.pool;
            int length = fromPool.length(fromSlot);
            int s = -1;
            if (length > limit) {
                stats.increment(Counter.DATAGRAMS_TRUNCATED);
            } else if (length > slotSize) {
                s = pool.acquireLarge();
                if (s < 0) {
                    stats.increment(Counter.LARGE_NO_SLOT); // dropped; small datagrams keep flowing
                } else {
                    stats.increment(Counter.LARGE_RECEIVED);
                }
            } else {
                s = pool.acquire();
                if (s < 0) {
                    stats.increment(Counter.RECEIVE_NO_SLOT);
                    return out == 0 ? -1 : out; // it waits in the queue
                }
            }
            if (s >= 0) {
                MemorySegment.copy(fromPool.slab(), fromPool.slotOffset(fromSlot) + fromPool.dataOffset(fromSlot),
                        pool.slab(), pool.slotOffset(s), length);
                SockAddr.copy(from.rawAddress, 0, pool.addresses(), pool.addressOffset(s));
                pool.length(s, length);
                pool.dataOffset(s, 0);
                slots[out++] = s;
                bytes += length;
            }
            queuedFrom[head] = null;
            head = (head + 1) % queuedSlot.length;
            size--;
            fromPool.release(fromSlot);
        }
        if (out > 0) {
            stats.increment(Counter.RECEIVE_CALLS);
            stats.add(Counter.DATAGRAMS_RECEIVED, out);
            stats.add(Counter.BYTES_RECEIVED, bytes);
        }
        return out;
    }

    private static final int QUEUED = 0;
    private static final int LOST = 1;
    private static final int FULL = 2;

    /** Queues one datagram from {@code sender}: QUEUED (the queue owns the slot), LOST (closed) or FULL. */
    private int enqueue(FakeBackend sender, int slot) {
        lock.lock();
        try {
            if (closed) {
                return LOST;
            }
            if (size == queuedSlot.length) {
                return FULL;
            }
            int tail = (head + size) % queuedSlot.length;
            queuedFrom[tail] = sender;
            queuedSlot[tail] = slot;
            size++;
            arrived.signalAll();
            return QUEUED;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int send(int[] slots, int count) throws ClosedChannelException {
        if (slots == null) {
            throw new IllegalArgumentException("slots must not be null");
        }
        if (count < 0 || count > slots.length) {
            throw new IllegalArgumentException("count must be 0..slots.length (" + slots.length + "), got " + count);
        }
        if (closed) {
            for (int i = 0; i < count; i++) {
                pool.release(slots[i]);
            }
            throw new ClosedChannelException();
        }
        FakeNetwork.LinkFilter filter = network.filter();
        int accepted = 0;
        long bytes = 0;
        MemorySegment addresses = pool.addresses();
        for (int i = 0; i < count; i++) {
            int s = slots[i];
            int length = pool.length(s);
            int offset = pool.dataOffset(s);
            long addressOffset = pool.addressOffset(s);
            if (length < 0 || offset < 0 || offset > pool.slotSize(s) - length
                    || SockAddr.length(addresses, addressOffset) == 0) {
                stats.increment(Counter.SEND_MALFORMED);
                pool.release(s);
                continue;
            }
            FakeBackend to = network.lookup(addresses, addressOffset);
            boolean pass = to != null && (filter == null
                    || filter.deliver(localAddress, to.localAddress, length));
            int outcome = pass ? to.enqueue(this, s) : LOST;
            if (outcome == FULL) {
                stats.sendError(Errno.ENOBUFS);
                pool.release(s);
                continue;
            }
            if (outcome == LOST) {
                network.countUndeliverable();
                pool.release(s);
            }
            accepted++;
            bytes += length;
        }
        stats.increment(Counter.SEND_CALLS);
        stats.add(Counter.DATAGRAMS_SENT, accepted);
        stats.add(Counter.BYTES_SENT, bytes);
        return accepted;
    }

    @Override
    public void wakeup() {
        lock.lock();
        try {
            wakeupPending = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public BackendStats stats() {
        return stats;
    }

    @Override
    public SocketOptionsReport socketOptionsReport() {
        return report;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            while (size > 0) {
                queuedFrom[head].pool.release(queuedSlot[head]);
                queuedFrom[head] = null;
                head = (head + 1) % queuedSlot.length;
                size--;
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        network.unregister(this);
    }

    @Override
    public String toString() {
        return "FakeBackend[" + SockAddr.format(localAddress) + "]";
    }
}
