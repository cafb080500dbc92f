package io.zgrnet.io.nio;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.BackendStats.Counter;
import io.zgrnet.io.CloseGuard;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.io.PoolStarvation;
import io.zgrnet.config.SocketOptions;
import io.zgrnet.sys.SocketOptionsReport;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.FaultSite;
import io.zgrnet.sys.Faults;
import io.zgrnet.sys.NativeException;
import io.zgrnet.sys.SockAddr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;

/*
 * Concurrency design. One I/O thread calls receive() and send(); wakeup() and close() may come from
 * any thread. The channel is non-blocking and registered with a private Selector, which is only
 * used to wait (timeouts; wakeup() and close() call Selector.wakeup()). A volatile flag tells a
 * wakeup from a spurious selector return. A CloseGuard lets close() wait for the I/O thread to
 * leave before it releases the spare slot and closes channel and selector.
 */

/**
 * Portable datagram backend over {@link DatagramChannel}: works on any OS the JDK supports.
 *
 * <p>Receive: NIO cannot scatter a datagram over two buffers nor say that one was cut
 * ({@code MSG_TRUNC}), so each datagram is received into one backend buffer of
 * {@link #maxDatagram()} + 1 bytes (a datagram that fills it was longer than the limit: dropped,
 * counted as {@link Counter#DATAGRAMS_TRUNCATED}), then copied into a small pool slot, or, when
 * it does not fit one, into a large slot ({@link Counter#LARGE_NO_SLOT} when none is free: that
 * datagram is dropped, small ones keep flowing). So every datagram up to the limit is delivered,
 * including one that exactly fills a slot, for one copy per datagram (≤ 2 KiB for the common
 * sizes: small beside NIO's own per-call cost). A small slot is taken before each receive: with
 * the pool exhausted the datagram stays in the socket. Sends go out of direct {@link ByteBuffer}
 * views of the pool's slots ({@link MemorySegment#asByteBuffer()}, created once per slot and
 * reused), no copy.
 *
 * <p>The portable path's cost: every receive allocates the {@link InetSocketAddress} NIO returns
 * (and a copy of its address bytes when writing the sockaddr into the slot's address area); NIO
 * takes an internal lock per call; one system call per datagram, plus one that finds the socket
 * empty. Sends reuse the destination {@link InetSocketAddress} while consecutive datagrams go to
 * the same address (compared raw, without allocating). Errors from NIO carry no errno: refused
 * sends are counted under "errno unknown", except a full socket buffer (NIO returns 0 for
 * EAGAIN), counted as EAGAIN. SO_BUSY_POLL and UDP_GRO are not available through NIO and are
 * reported as unsupported when requested.
 */
public final class NioBackend implements DatagramBackend {
    private static final System.Logger LOG = System.getLogger(NioBackend.class.getName());
    private static final long CLOSE_WAIT_NANOS = 5_000_000_000L;
    private static final String BUFFER_NOTE =
            " bytes (getOption; on Linux the JDK halves the doubled value getsockopt returns)";

    private final DatagramChannel channel;
    private final Selector selector;
    private final PacketPool pool;
    private final int slotSize;
    private final InetSocketAddress localAddress;
    private final SocketOptionsReport report;
    private final BackendStats stats = new BackendStats();
    private final CloseGuard guard = new CloseGuard();
    private final ByteBuffer[] views;
    /** Datagrams up to {@code limit} bytes; a receive buffer one byte longer tells a longer one. */
    private final int limit;
    private final Arena receiveArena = Arena.ofShared();
    private final MemorySegment receiveMemory;
    private final ByteBuffer receiveBuffer;
    private final MemorySegment lastDestination = MemorySegment.ofArray(new byte[PacketPool.ADDRESS_SIZE]);
    private InetSocketAddress lastDestinationAddress;
    private int spare = -1;
    private boolean drained; // the last receive found the socket empty (I/O thread only)
    private volatile boolean wakeupPending;

    private NioBackend(DatagramChannel channel, Selector selector, PacketPool pool, SocketOptionsReport report)
            throws IOException {
        this.channel = channel;
        this.selector = selector;
        this.pool = pool;
        this.slotSize = pool.slotSize();
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        this.report = report;
        this.views = new ByteBuffer[pool.capacity()];
        this.limit = maxDatagram();
        this.receiveMemory = receiveArena.allocate(limit + 1L, 64);
        this.receiveBuffer = receiveMemory.asByteBuffer();
        pool.retainMemory(); // the channel sends from views of the slab until its cleanup
    }

    /**
     * Opens a {@link DatagramChannel} bound to {@code bind} and a backend over it.
     *
     * @throws IllegalArgumentException naming the argument that is invalid
     * @throws IOException if the channel cannot be opened or bound (a {@link BindException} whose
     *         message names the address)
     */
    public static NioBackend open(InetSocketAddress bind, SocketOptions options, PacketPool pool) throws IOException {
        if (bind == null) {
            throw new IllegalArgumentException("bind must not be null");
        }
        if (bind.isUnresolved()) {
            throw new IllegalArgumentException("bind is unresolved: " + bind);
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        if (pool == null) {
            throw new IllegalArgumentException("pool must not be null");
        }
        if (pool.isClosed()) {
            throw new IllegalArgumentException("pool is closed");
        }
        boolean v6 = bind.getAddress() instanceof Inet6Address;
        DatagramChannel channel = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        Selector selector = null;
        boolean ok = false;
        try {
            List<SocketOptionsReport.Entry> entries = new ArrayList<>();
            if (options.receiveBufferBytes() > 0) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferBytes());
                entries.add(new SocketOptionsReport.Entry("SO_RCVBUF", Integer.toString(options.receiveBufferBytes()),
                        channel.getOption(StandardSocketOptions.SO_RCVBUF) + BUFFER_NOTE, 0));
            }
            if (options.sendBufferBytes() > 0) {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, options.sendBufferBytes());
                entries.add(new SocketOptionsReport.Entry("SO_SNDBUF", Integer.toString(options.sendBufferBytes()),
                        channel.getOption(StandardSocketOptions.SO_SNDBUF) + BUFFER_NOTE, 0));
            }
            if (options.reusePort()) {
                if (channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    entries.add(new SocketOptionsReport.Entry("SO_REUSEPORT", "1",
                            channel.getOption(StandardSocketOptions.SO_REUSEPORT).toString(), 0));
                } else {
                    entries.add(SocketOptionsReport.Entry.unsupported("SO_REUSEPORT", "1",
                            "not supported by this JDK/OS"));
                }
            }
            if (options.busyPollMicros() > 0) {
                entries.add(SocketOptionsReport.Entry.unsupported("SO_BUSY_POLL", options.busyPollMicros() + " us",
                        "not available through NIO"));
            }
            entries.add(options.udpGro()
                    ? SocketOptionsReport.Entry.unsupported("UDP_GRO", "on", "not available through NIO")
                    : new SocketOptionsReport.Entry("UDP_GRO", "off", "not set (kernel default off)", 0));
            try {
                channel.bind(bind);
            } catch (BindException e) {
                BindException named = new BindException("bind(" + SockAddr.format(bind) + ") failed: " + e.getMessage());
                named.initCause(e);
                throw named;
            }
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            NioBackend backend = new NioBackend(channel, selector, pool, new SocketOptionsReport(entries));
            ok = true;
            return backend;
        } finally {
            if (!ok) {
                channel.close();
                if (selector != null) {
                    selector.close();
                }
            }
        }
    }

    @Override
    public String name() {
        return "nio";
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
    public int receive(int[] slots, int max, long timeoutNanos) throws IOException {
        if (slots == null) {
            throw new IllegalArgumentException("slots must not be null");
        }
        if (max < 1 || max > slots.length) {
            throw new IllegalArgumentException("max must be 1..slots.length (" + slots.length + "), got " + max);
        }
        if (!guard.enter()) {
            throw new ClosedChannelException();
        }
        try {
            long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
            // The last call left the socket empty: select first rather than spend a system call
            // on EAGAIN (select returns at once if data arrived since).
            boolean selectFirst = drained && timeoutNanos != 0;
            while (true) {
                if (!selectFirst) {
                    int n = receiveNow(slots, max);
                    if (n > 0) {
                        return n;
                    }
                    if (timeoutNanos == 0) {
                        return 0;
                    }
                    if (n < 0) { // the pool is exhausted (counted)
                        if (!PoolStarvation.await(timeoutNanos, deadline, guard)) {
                            return 0;
                        }
                        continue;
                    }
                }
                selectFirst = false;
                if (wakeupPending) {
                    wakeupPending = false;
                    stats.increment(Counter.WAKEUPS);
                    return 0;
                }
                if (timeoutNanos < 0) {
                    selector.select();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return 0;
                    }
                    selector.select(Math.max(1, (left + 999_999) / 1_000_000));
                }
                selector.selectedKeys().clear();
                if (guard.isClosed()) {
                    throw new ClosedChannelException();
                }
            }
        } finally {
            guard.exit();
        }
    }

    /** Drains up to {@code max} datagrams: the number delivered, or -1 if no slot was free. */
    private int receiveNow(int[] slots, int max) throws IOException {
        int out = 0;
        long bytes = 0;
        while (out < max) {
            if (spare < 0) {
                spare = pool.acquire();
                if (spare < 0) {
                    stats.increment(Counter.RECEIVE_NO_SLOT);
                    if (out == 0) {
                        return -1;
                    }
                    break;
                }
            }
            receiveBuffer.clear();
            int injected = Faults.take(FaultSite.NIO_RECEIVE);
            if (injected != 0) {
                throw new NativeException("DatagramChannel.receive(" + SockAddr.format(localAddress) + ")", injected);
            }
            SocketAddress from = channel.receive(receiveBuffer);
            stats.increment(Counter.RECEIVE_CALLS);
            if (from == null) {
                drained = true;
                break; // EAGAIN: the socket is empty; the spare slot stays for the next call
            }
            drained = false;
            int length = receiveBuffer.position();
            if (length > limit) {
                stats.increment(Counter.DATAGRAMS_TRUNCATED); // filled the buffer: longer than the limit
                continue;
            }
            int s;
            if (length <= slotSize) {
                s = spare;
                spare = -1;
            } else {
                s = pool.acquireLarge();
                if (s < 0) {
                    stats.increment(Counter.LARGE_NO_SLOT); // dropped; small datagrams are unaffected
                    continue;
                }
                stats.increment(Counter.LARGE_RECEIVED);
            }
            MemorySegment.copy(receiveMemory, 0, pool.slab(), pool.slotOffset(s), length);
            SockAddr.write(pool.addresses(), pool.addressOffset(s), (InetSocketAddress) from);
            pool.length(s, length);
            pool.dataOffset(s, 0);
            slots[out++] = s;
            bytes += length;
        }
        stats.add(Counter.DATAGRAMS_RECEIVED, out);
        stats.add(Counter.BYTES_RECEIVED, bytes);
        return out;
    }

    private ByteBuffer view(int slot) {
        ByteBuffer b = views[slot];
        if (b == null) {
            b = pool.slot(slot).asByteBuffer();
            views[slot] = b;
        }
        return b;
    }

    @Override
    public int send(int[] slots, int count) throws IOException {
        if (slots == null) {
            throw new IllegalArgumentException("slots must not be null");
        }
        if (count < 0 || count > slots.length) {
            throw new IllegalArgumentException("count must be 0..slots.length (" + slots.length + "), got " + count);
        }
        if (!guard.enter()) {
            releaseAll(slots, 0, count);
            throw new ClosedChannelException();
        }
        int i = 0;
        try {
            MemorySegment addresses = pool.addresses();
            int accepted = 0;
            long bytes = 0;
            for (; i < count; i++) {
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
                if (lastDestinationAddress == null || !SockAddr.equals(addresses, addressOffset, lastDestination, 0)) {
                    lastDestinationAddress = SockAddr.read(addresses, addressOffset);
                    SockAddr.copy(addresses, addressOffset, lastDestination, 0);
                }
                ByteBuffer view = view(s);
                view.clear();
                view.limit(offset + length).position(offset);
                int n;
                try {
                    int injected = Faults.take(FaultSite.NIO_SEND);
                    if (injected != 0) {
                        throw new NativeException("DatagramChannel.send", injected);
                    }
                    n = channel.send(view, lastDestinationAddress);
                } catch (ClosedChannelException e) {
                    throw e;
                } catch (IOException e) {
                    stats.sendError(0);
                    LOG.log(System.Logger.Level.DEBUG, "nio send to {0} refused: {1}", lastDestinationAddress, e);
                    pool.release(s);
                    continue;
                }
                stats.increment(Counter.SEND_CALLS);
                if (n == 0 && length != 0) {
                    // NIO's "unavailable": the socket buffer is full. (For an empty datagram 0 is
                    // also what success returns; it is counted as sent.)
                    stats.sendError(Errno.EAGAIN);
                } else {
                    accepted++;
                    bytes += length;
                }
                pool.release(s);
            }
            stats.add(Counter.DATAGRAMS_SENT, accepted);
            stats.add(Counter.BYTES_SENT, bytes);
            return accepted;
        } catch (ClosedChannelException e) {
            releaseAll(slots, i, count);
            throw e;
        } finally {
            guard.exit();
        }
    }

    private void releaseAll(int[] slots, int from, int to) {
        for (int i = from; i < to; i++) {
            pool.release(slots[i]);
        }
    }

    @Override
    public void wakeup() {
        wakeupPending = true;
        selector.wakeup();
    }

    @Override
    public BackendStats stats() {
        return stats;
    }

    @Override
    public SocketOptionsReport socketOptionsReport() {
        return report;
    }

    /**
     * Closes from any thread. Returns once the cleanup ran, or after 5 s if a call is still inside
     * (stalled): the cleanup then runs when that call leaves. Idempotent.
     */
    @Override
    public void close() {
        if (!guard.closeAndWake(this::cleanup, selector::wakeup)) {
            return;
        }
        if (!guard.awaitCleaned(CLOSE_WAIT_NANOS)) {
            LOG.log(System.Logger.Level.WARNING, "nio backend {0}: a call did not return within {1} ms of close; "
                    + "the channel is closed when it returns", SockAddr.format(localAddress), CLOSE_WAIT_NANOS / 1_000_000);
        }
    }

    /** Runs once, when the backend is closed and no call is inside. */
    private void cleanup() {
        if (spare >= 0) {
            pool.release(spare);
            spare = -1;
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing nio channel " + SockAddr.format(localAddress), e);
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing nio selector " + SockAddr.format(localAddress), e);
        }
        receiveArena.close(); // the channel is closed and no call is inside: nothing reads into it
        pool.releaseMemory();
    }

    @Override
    public String toString() {
        return "NioBackend[" + SockAddr.format(localAddress) + "]";
    }
}
