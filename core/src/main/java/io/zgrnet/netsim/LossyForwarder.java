package io.zgrnet.netsim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bad network on loopback, for tests and benchmarks: two UDP sockets between transports a and b.
 * a sends to {@link #forA()}, b to {@link #forB()}; each datagram goes on to the other side from
 * the other socket. Transport messages (type 4) are dropped, duplicated and delayed (reordered) at
 * the given rates, decided by a seeded {@link Random}; handshakes pass untouched (their retries
 * take seconds and are not what is tested).
 *
 * <p>One thread ("lossy-forwarder"), stopped by {@link #close()}. It drains both sockets until
 * they are empty, then waits in a selector; a datagram that goes on at once is sent from the
 * receive buffer (no copy, no allocation), only a delayed one is copied. Costs about two system
 * calls per datagram of a core: a benchmark through it measures the forwarder too.
 */
public final class LossyForwarder implements AutoCloseable {
    private static final int TRANSPORT_TYPE = 4;
    /** Largest held-back delay of a reordered datagram. */
    private static final int MAX_DELAY_MS = 20;

    private record Pending(long dueNs, long seq, DatagramChannel via, InetSocketAddress to, byte[] data) {
    }

    private final DatagramChannel facingA;
    private final DatagramChannel facingB;
    private final InetSocketAddress a;
    private final InetSocketAddress b;
    private final double loss;
    private final double duplicate;
    private final double reorder;
    private final Random random;
    private final Selector selector;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(65536);
    private final PriorityQueue<Pending> delayed = new PriorityQueue<>(
            (x, y) -> x.dueNs != y.dueNs ? Long.compare(x.dueNs, y.dueNs) : Long.compare(x.seq, y.seq));
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private long seq;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();

    /**
     * Binds two loopback sockets and starts forwarding.
     *
     * @param a where b's datagrams go on to (a's socket)
     * @param b where a's datagrams go on to (b's socket)
     * @param loss probability that a transport message is dropped
     * @param duplicate probability that one is sent twice
     * @param reorder probability that a copy is held back 1-20 ms (reordered)
     * @param seed the seed of the decisions
     * @throws IOException when a socket cannot be bound
     */
    public LossyForwarder(InetSocketAddress a, InetSocketAddress b, double loss, double duplicate, double reorder,
                          long seed) throws IOException {
        for (double p : new double[] {loss, duplicate, reorder}) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("probabilities must be in [0, 1], got " + p);
            }
        }
        this.a = a;
        this.b = b;
        this.loss = loss;
        this.duplicate = duplicate;
        this.reorder = reorder;
        this.random = new Random(seed);
        this.selector = Selector.open();
        InetAddress lo = InetAddress.getLoopbackAddress();
        this.facingA = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
        this.facingB = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
        for (DatagramChannel c : new DatagramChannel[] {facingA, facingB}) {
            c.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            c.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ);
        }
        this.thread = Thread.ofPlatform().daemon().name("lossy-forwarder").start(this::run);
    }

    /** Where a sends datagrams meant for b. */
    public InetSocketAddress forA() throws IOException {
        return (InetSocketAddress) facingA.getLocalAddress();
    }

    /** Where b sends datagrams meant for a. */
    public InetSocketAddress forB() throws IOException {
        return (InetSocketAddress) facingB.getLocalAddress();
    }

    /** Datagrams sent on (copies included). */
    public long forwarded() {
        return forwarded.get();
    }

    /** Transport messages dropped. */
    public long dropped() {
        return dropped.get();
    }

    /** Transport messages sent twice. */
    public long duplicated() {
        return duplicated.get();
    }

    /** Copies held back (reordered). */
    public long reordered() {
        return reordered.get();
    }

    private void run() {
        try {
            while (running) {
                long now = System.nanoTime();
                Pending head;
                while ((head = delayed.peek()) != null && head.dueNs - now <= 0) {
                    delayed.poll();
                    send(head.via, head.to, ByteBuffer.wrap(head.data));
                }
                int moved = receive(facingA, facingB, b) + receive(facingB, facingA, a);
                if (moved == 0) {
                    long waitMs = head == null ? 5 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(head.dueNs - now));
                    selector.select(waitMs);
                    selector.selectedKeys().clear();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                failure = e;
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
        }
    }

    /** Forwards what {@code from} holds now (at most 256 datagrams); returns how many came in. */
    private int receive(DatagramChannel from, DatagramChannel via, InetSocketAddress to) throws IOException {
        int n = 0;
        while (n < 256) {
            buf.clear();
            if (from.receive(buf) == null) {
                return n;
            }
            n++;
            buf.flip();
            if (!buf.hasRemaining() || buf.get(0) != TRANSPORT_TYPE) {
                send(via, to, buf);
                continue;
            }
            if (loss > 0 && random.nextDouble() < loss) {
                dropped.incrementAndGet();
                continue;
            }
            int copies = duplicate > 0 && random.nextDouble() < duplicate ? 2 : 1;
            if (copies == 2) {
                duplicated.incrementAndGet();
            }
            for (int i = 0; i < copies; i++) {
                if (reorder > 0 && random.nextDouble() < reorder) {
                    reordered.incrementAndGet();
                    byte[] data = new byte[buf.limit()];
                    buf.get(0, data);
                    long delayNs = TimeUnit.MILLISECONDS.toNanos(1 + random.nextInt(MAX_DELAY_MS));
                    delayed.add(new Pending(System.nanoTime() + delayNs, seq++, via, to, data));
                } else {
                    buf.position(0);
                    send(via, to, buf);
                }
            }
        }
        return n;
    }

    /** Sends; a full socket buffer (a non-blocking send of 0 bytes) loses the datagram, as a network would. */
    private void send(DatagramChannel via, InetSocketAddress to, ByteBuffer data) throws IOException {
        if (via.send(data, to) > 0) {
            forwarded.incrementAndGet();
        }
    }

    /** Stops the thread (waiting up to 5 s) and closes the sockets; rethrows nothing. */
    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        selector.close();
        facingA.close();
        facingB.close();
    }

    @Override
    public String toString() {
        Throwable f = failure;
        return "forwarded " + forwarded + ", dropped " + dropped + ", duplicated " + duplicated + ", reordered "
                + reordered + (f == null ? "" : ", failed: " + f);
    }
}
