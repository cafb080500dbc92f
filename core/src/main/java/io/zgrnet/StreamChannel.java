package io.zgrnet;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A reliable, ordered byte stream to a peer over the encrypted transport: zgrnet's KCP stream mux
 * (protocol 64), interoperable with zgrnet's Go streams. Obtained from
 * {@link UDP#openStream(PeerKey, int, byte[], Duration)} or {@link UDP#acceptStream(Duration)}.
 *
 * <p>Blocking, like a socket: {@link #read} waits for at least one byte, {@link #write} until
 * every byte is buffered. Each direction has a bounded buffer between the application and the
 * transport's stream thread: a writer that gets ahead of the network, or of a slow reader at the
 * peer, waits (KCP's window closes); nothing is dropped. One reading and one writing thread may
 * use a stream at once (reads are serialized with reads, writes with writes).
 *
 * <p>Ending: {@link #shutdownOutput()} is a half-close: the peer reads to end of stream once every
 * byte written before it was acknowledged, and we can go on reading. {@link #close()} ends our
 * side (the FIN likewise goes out only after the written bytes are acknowledged, for at most
 * 10 s); {@link #abort()} ends it at once, discarding what was not yet delivered. When the peer is
 * removed, its session replaced (a new handshake ends every stream, as zgrnet does) or expired,
 * reads and writes throw a {@link StreamResetException} naming why (after the bytes that had
 * arrived are read); when the transport closes, a {@link TransportClosedException}.
 *
 * <p>{@link #read}/{@link #write} on a closed channel throw {@link ClosedChannelException};
 * a timeout ({@link #setReadTimeout}, {@link #setWriteTimeout}) throws
 * {@link SocketTimeoutException} and leaves the stream usable.
 */
public final class StreamChannel implements ByteChannel {
    /** Longest a blocked call parks before looking again (wake-ups normally come at once). */
    private static final long PARK_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final StreamService service;
    private final PeerKey peer;
    private final int id;
    private final int proto;
    private final byte[] metadata;
    private final boolean local;
    /** Service thread to application: received bytes. */
    final StreamBuffer in;
    /** Application to service thread: bytes to send. */
    final StreamBuffer out;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();

    // Application to service.
    volatile boolean shutdownRequested;
    volatile boolean closeRequested;
    volatile boolean abortRequested;
    // Service to application.
    /** Everything was received: once {@link #in} is empty, reads return -1. */
    volatile boolean eof;
    /** Why the stream ended abnormally (thrown once {@link #in} is empty), or null. */
    volatile IOException failure;
    /** The stream left its mux (after our close: the FIN went out), or the transport closed. */
    volatile boolean ended;
    /** Set once the application closed or aborted (its calls fail from then on). */
    private volatile boolean closed;
    // Owned by the stream thread.
    io.zgrnet.stream.Stream stream;
    /** The peer's mux state this stream belongs to. */
    Object owner;
    boolean shutIssued;
    boolean closeIssued;
    /** The stream left its mux; the stream thread stops looking at this channel. */
    boolean detached;
    long closeSinceMs = Long.MIN_VALUE;

    private volatile Thread readerThread;
    private volatile Thread writerThread;
    private volatile long readTimeoutNs;
    private volatile long writeTimeoutNs;

    StreamChannel(StreamService service, PeerKey peer, int id, int proto, byte[] metadata, boolean local,
                  int bufferBytes) {
        this.service = service;
        this.peer = peer;
        this.id = id;
        this.proto = proto;
        this.metadata = metadata;
        this.local = local;
        this.in = new StreamBuffer(bufferBytes);
        this.out = new StreamBuffer(bufferBytes);
    }

    /** The peer at the other end. */
    public PeerKey peer() {
        return peer;
    }

    /** The stream id on the wire (odd when opened by the peer with the smaller key). */
    public int id() {
        return id;
    }

    /** The application tag sent in the SYN (0: untyped). */
    public int proto() {
        return proto;
    }

    /** A copy of the SYN metadata (empty if none). */
    public byte[] metadata() {
        return metadata.clone();
    }

    /** Whether we opened it (false: accepted from the peer). */
    public boolean isLocal() {
        return local;
    }

    /** How long a read waits for data; {@link Duration#ZERO} (the default) waits as long as it takes. */
    public void setReadTimeout(Duration timeout) {
        readTimeoutNs = checkTimeout(timeout, "timeout");
    }

    /** How long a write waits for room; {@link Duration#ZERO} (the default) waits as long as it takes. */
    public void setWriteTimeout(Duration timeout) {
        writeTimeoutNs = checkTimeout(timeout, "timeout");
    }

    private static long checkTimeout(Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative()) {
            throw new IllegalArgumentException(name + ": must not be negative, got " + timeout);
        }
        return timeout.toNanos();
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Reads at least one byte, waiting for it.
     *
     * @return bytes read, or -1 at the end of the stream (the peer's FIN, after every byte)
     * @throws StreamResetException when the stream was reset (peer removed, session replaced, idle)
     * @throws TransportClosedException when the transport closed
     * @throws SocketTimeoutException when the read timeout passed
     * @throws ClosedChannelException after {@link #close()} (asynchronous: {@link AsynchronousCloseException})
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        synchronized (readLock) {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (!dst.hasRemaining()) {
                return 0;
            }
            long timeout = readTimeoutNs;
            long deadline = System.nanoTime() + timeout;
            while (true) {
                int n = in.poll(dst);
                if (n > 0) {
                    service.wake(); // room for more
                    return n;
                }
                if (eof && in.size() == 0) {
                    return -1;
                }
                IOException f = failure;
                if (f != null && in.size() == 0) {
                    throw f;
                }
                if (closed) {
                    throw new AsynchronousCloseException();
                }
                park(true, timeout, deadline);
            }
        }
    }

    /**
     * Writes every byte of {@code src}, waiting for room as needed.
     *
     * @return the bytes written (all of them)
     * @throws StreamResetException when the stream was reset
     * @throws TransportClosedException when the transport closed
     * @throws SocketTimeoutException when the write timeout passed (some bytes may have been taken:
     *         {@code src}'s position says how many)
     * @throws ClosedChannelException after {@link #close()} or {@link #abort()}; an IOException after
     *         {@link #shutdownOutput()}
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        synchronized (writeLock) {
            int total = 0;
            long timeout = writeTimeoutNs;
            long deadline = System.nanoTime() + timeout;
            while (true) {
                if (closed) {
                    throw new ClosedChannelException();
                }
                if (shutdownRequested) {
                    throw new IOException("output of " + this + " was shut down: no more writes");
                }
                IOException f = failure;
                if (f != null) {
                    throw f;
                }
                if (!src.hasRemaining()) {
                    return total;
                }
                int n = out.offer(src);
                if (n > 0) {
                    total += n;
                    service.wake();
                    continue;
                }
                park(false, timeout, deadline);
            }
        }
    }

    /** Waits (in slices) for the service to move bytes; throws on timeout or interrupt. */
    private void park(boolean reading, long timeout, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (timeout > 0 && left <= 0) {
            throw new SocketTimeoutException((reading ? "read" : "write") + " timed out after "
                    + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms");
        }
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException((reading ? "read" : "write") + " interrupted");
        }
        Thread me = Thread.currentThread();
        if (reading) {
            readerThread = me;
        } else {
            writerThread = me;
        }
        VarHandle.fullFence(); // pairs with the service's fence before it reads the thread field
        boolean ready = reading ? in.size() > 0 || eof : out.free() > 0;
        if (!ready && failure == null && !closed) {
            LockSupport.parkNanos(this, timeout > 0 ? Math.min(left, PARK_SLICE_NS) : PARK_SLICE_NS);
        }
        if (reading) {
            readerThread = null;
        } else {
            writerThread = null;
        }
    }

    /** Service thread: wakes a blocked reader (after it published bytes, EOF or a failure). */
    void wakeReader() {
        VarHandle.fullFence();
        Thread t = readerThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Service thread: wakes a blocked writer (after it took bytes, or on failure). */
    void wakeWriter() {
        VarHandle.fullFence();
        Thread t = writerThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Half-close: no more writes; the peer sees the end of the stream after every byte written so
     * far has been delivered and acknowledged (KCP). Reading goes on until the peer ends its side.
     * Returns at once. Idempotent.
     */
    public void shutdownOutput() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        shutdownRequested = true;
        service.wake();
    }

    /**
     * Closes our side: no more reads or writes here; bytes already written are still delivered and
     * the FIN follows once they are acknowledged (at most 10 s more, then the rest is dropped).
     * Returns at once; a thread blocked in read or write gets an {@link AsynchronousCloseException}.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeRequested = true;
        service.wake();
        wakeReader();
        wakeWriter();
    }

    /**
     * Waits until the stream has ended on our side: after {@link #close()}, until what was written
     * has been acknowledged and the FIN has gone out (or the 10 s linger ran out); also true once
     * the stream was reset or the transport closed. Call it before closing the transport when the
     * last bytes matter.
     *
     * @return true if it ended within {@code timeout}
     */
    public boolean awaitEnded(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + checkTimeout(timeout, "timeout");
        while (!ended) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(5)); // at the end of a stream, not a hot path
        }
        return true;
    }

    /**
     * Ends the stream now: the FIN goes out at once, bytes not yet delivered either way are
     * dropped (zgrnet Go's close does this). Idempotent.
     */
    public void abort() {
        closed = true;
        abortRequested = true;
        closeRequested = true;
        service.wake();
        wakeReader();
        wakeWriter();
    }

    /** An {@link InputStream} over this channel (its close closes the channel). */
    public InputStream inputStream() {
        return new InputStream() {
            private final byte[] one = new byte[1];

            @Override
            public int read() throws IOException {
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (len == 0) {
                    return 0;
                }
                return StreamChannel.this.read(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public int available() {
                return in.size();
            }

            @Override
            public void close() {
                StreamChannel.this.close();
            }
        };
    }

    /**
     * An {@link OutputStream} over this channel: {@code close()} is {@link #shutdownOutput()} (the
     * channel stays open for reading; close the channel when done).
     */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                StreamChannel.this.write(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public void close() throws IOException {
                if (isOpen()) {
                    shutdownOutput();
                }
            }
        };
    }

    @Override
    public String toString() {
        return "StreamChannel[" + Integer.toUnsignedString(id) + " " + (local ? "to " : "from ") + peer
                + (proto == 0 ? "" : " proto " + proto) + (closed ? " closed" : "") + "]";
    }
}
