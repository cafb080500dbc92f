package io.zgrnet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bad network on loopback for tests: two UDP sockets between transports a and b. a sends to
 * {@link #forA()}, b to {@link #forB()}; each datagram goes on to the other side from the other
 * socket. Transport messages (type 4) are dropped, duplicated and delayed (reordered) at the given
 * rates, decided by a seeded {@link Random}; handshakes pass untouched (their retries take
 * seconds and are not what is tested). One thread, stopped by {@link #close()}.
 */
final class LossyForwarder implements AutoCloseable {
    private static final int TRANSPORT_TYPE = 4;

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
    private final PriorityQueue<Pending> delayed = new PriorityQueue<>(
            (x, y) -> x.dueNs != y.dueNs ? Long.compare(x.dueNs, y.dueNs) : Long.compare(x.seq, y.seq));
    private final Thread thread;
    private volatile boolean running = true;
    private long seq;
    final AtomicLong forwarded = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong reordered = new AtomicLong();

    /**
     * @param loss, duplicate, reorder probabilities per transport message (reordered ones are
     *        held back 1-20 ms)
     */
    LossyForwarder(InetSocketAddress a, InetSocketAddress b, double loss, double duplicate, double reorder,
                   long seed) throws IOException {
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
            c.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ);
        }
        this.thread = Thread.ofPlatform().daemon().name("test-forwarder").start(this::run);
    }

    /** Where a sends datagrams meant for b. */
    InetSocketAddress forA() throws IOException {
        return (InetSocketAddress) facingA.getLocalAddress();
    }

    /** Where b sends datagrams meant for a. */
    InetSocketAddress forB() throws IOException {
        return (InetSocketAddress) facingB.getLocalAddress();
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        try {
            while (running) {
                long now = System.nanoTime();
                Pending head;
                while ((head = delayed.peek()) != null && head.dueNs - now <= 0) {
                    delayed.poll();
                    send(head.via, head.to, head.data);
                }
                long waitMs = head == null ? 5 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(head.dueNs - now));
                selector.select(waitMs);
                selector.selectedKeys().clear();
                receive(facingA, facingB, b, buf);
                receive(facingB, facingA, a, buf);
            }
        } catch (IOException e) {
            if (running) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private void receive(DatagramChannel from, DatagramChannel via, InetSocketAddress to, ByteBuffer buf)
            throws IOException {
        while (true) {
            buf.clear();
            if (from.receive(buf) == null) {
                return;
            }
            buf.flip();
            byte[] data = new byte[buf.remaining()];
            buf.get(data);
            if (data.length == 0 || data[0] != TRANSPORT_TYPE) {
                send(via, to, data);
                continue;
            }
            if (random.nextDouble() < loss) {
                dropped.incrementAndGet();
                continue;
            }
            int copies = random.nextDouble() < duplicate ? 2 : 1;
            if (copies == 2) {
                duplicated.incrementAndGet();
            }
            for (int i = 0; i < copies; i++) {
                if (random.nextDouble() < reorder) {
                    reordered.incrementAndGet();
                    long delayNs = TimeUnit.MILLISECONDS.toNanos(1 + random.nextInt(20));
                    delayed.add(new Pending(System.nanoTime() + delayNs, seq++, via, to, data));
                } else {
                    send(via, to, data);
                }
            }
        }
    }

    private void send(DatagramChannel via, InetSocketAddress to, byte[] data) throws IOException {
        via.send(ByteBuffer.wrap(data), to);
        forwarded.incrementAndGet();
    }

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
        return "forwarded " + forwarded + ", dropped " + dropped + ", duplicated " + duplicated + ", reordered "
                + reordered;
    }
}
