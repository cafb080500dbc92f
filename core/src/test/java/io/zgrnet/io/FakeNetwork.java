package io.zgrnet.io;

import io.zgrnet.sys.SockAddr;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory network of {@link FakeBackend}s, for pipeline tests that should not touch sockets.
 * Datagrams go from one endpoint's pool to another's through a bounded queue, with the sender's
 * bound address as source. Delivery is reliable and in order unless a {@link LinkFilter} drops
 * datagrams; a full queue drops the datagram and counts it at the sender as ENOBUFS; a datagram to
 * an address nobody is bound to is counted as sent and lost, like UDP.
 *
 * <p>Thread-safe: endpoints register and look each other up under this object's lock, which is
 * only taken on open/close and per send call; a fake is for tests, not for speed.
 */
public final class FakeNetwork {
    /** Decides per datagram whether the network delivers it (e.g. to simulate loss). */
    @FunctionalInterface
    public interface LinkFilter {
        /** True to deliver; called on the sender's thread with the datagram's raw addresses. */
        boolean deliver(InetSocketAddress from, InetSocketAddress to, int length);
    }

    /** Default inbound queue capacity of an endpoint. */
    public static final int DEFAULT_QUEUE_CAPACITY = 4096;

    private final AtomicLong undeliverable = new AtomicLong();
    private volatile FakeBackend[] endpoints = new FakeBackend[0];
    private volatile LinkFilter filter;
    private int nextPort = 40000;

    /** Opens an endpoint bound to {@code bind} (port 0 picks a free port) with the default queue. */
    public FakeBackend open(InetSocketAddress bind, PacketPool pool) throws BindException {
        return open(bind, pool, DEFAULT_QUEUE_CAPACITY);
    }

    /**
     * Opens an endpoint.
     *
     * @param bind a specific address (not a wildcard: its address is the source of what it sends)
     * @param queueCapacity datagrams queued for this endpoint before senders see ENOBUFS
     * @throws BindException naming the address if an endpoint is already bound there
     * @throws IllegalArgumentException naming the argument that is invalid
     */
    public synchronized FakeBackend open(InetSocketAddress bind, PacketPool pool, int queueCapacity)
            throws BindException {
        if (bind == null || bind.isUnresolved()) {
            throw new IllegalArgumentException("bind must be a resolved address, got " + bind);
        }
        if (pool == null) {
            throw new IllegalArgumentException("pool must not be null");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be >= 1, got " + queueCapacity);
        }
        InetSocketAddress address = bind;
        if (bind.getPort() == 0) {
            do {
                address = new InetSocketAddress(bind.getAddress(), nextPort++);
            } while (find(address) != null);
        } else if (find(address) != null) {
            throw new BindException("bind(" + SockAddr.format(bind) + ") failed: address already in use (fake network)");
        }
        FakeBackend endpoint = new FakeBackend(this, address, pool, queueCapacity);
        FakeBackend[] now = endpoints;
        FakeBackend[] next = java.util.Arrays.copyOf(now, now.length + 1);
        next[now.length] = endpoint;
        endpoints = next;
        return endpoint;
    }

    /** Sets (or clears, with null) the filter deciding which datagrams are delivered. */
    public void filter(LinkFilter filter) {
        this.filter = filter;
    }

    /** Datagrams sent to an address with no endpoint, or dropped by the filter. */
    public long undeliverable() {
        return undeliverable.get();
    }

    LinkFilter filter() {
        return filter;
    }

    void countUndeliverable() {
        undeliverable.incrementAndGet();
    }

    synchronized void unregister(FakeBackend endpoint) {
        FakeBackend[] now = endpoints;
        FakeBackend[] next = new FakeBackend[now.length];
        int n = 0;
        for (FakeBackend e : now) {
            if (e != endpoint) {
                next[n++] = e;
            }
        }
        endpoints = java.util.Arrays.copyOf(next, n);
    }

    /** The endpoint bound to the raw address at {@code offset}, or null; does not allocate. */
    FakeBackend lookup(MemorySegment segment, long offset) {
        for (FakeBackend e : endpoints) {
            if (SockAddr.equals(segment, offset, e.rawAddress(), 0)) {
                return e;
            }
        }
        return null;
    }

    private FakeBackend find(InetSocketAddress address) {
        for (FakeBackend e : endpoints) {
            if (e.localAddress().equals(address)) {
                return e;
            }
        }
        return null;
    }
}
