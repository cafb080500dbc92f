package io.zgrnet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * A bounded single-producer single-consumer byte ring between an application thread and the
 * stream service thread (one per direction of a {@link StreamChannel}). No locks: each side owns
 * its position; it publishes it with a release store after copying and reads the other side's
 * with an acquire load, so the bytes it sees are complete. The application side may be different
 * threads over time; {@link StreamChannel} orders them with its own locks.
 */
final class StreamBuffer {
    private static final VarHandle READ;
    private static final VarHandle WRITE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            READ = l.findVarHandle(StreamBuffer.class, "readPos", long.class);
            WRITE = l.findVarHandle(StreamBuffer.class, "writePos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final byte[] bytes;
    private final int mask;
    /** Consumer's position (written by the consumer only, release). */
    @SuppressWarnings("unused")
    private long readPos;
    /** Producer's position (written by the producer only, release). */
    @SuppressWarnings("unused")
    private long writePos;

    /** @param capacity bytes held at most, a power of two */
    StreamBuffer(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity: must be a power of two, got " + capacity);
        }
        this.bytes = new byte[capacity];
        this.mask = capacity - 1;
    }

    int capacity() {
        return bytes.length;
    }

    /** Bytes readable now (either side). */
    int size() {
        return (int) ((long) WRITE.getAcquire(this) - (long) READ.getAcquire(this));
    }

    /** Room for the producer now (either side). */
    int free() {
        return bytes.length - size();
    }

    // ------------------------------------------------------------------ producer

    /** Copies up to {@code len} bytes in; returns how many fitted. */
    int offer(byte[] src, int off, int len) {
        long w = (long) WRITE.getOpaque(this);
        int n = Math.min(len, bytes.length - (int) (w - (long) READ.getAcquire(this)));
        if (n <= 0) {
            return 0;
        }
        int at = (int) (w & mask);
        int first = Math.min(n, bytes.length - at);
        System.arraycopy(src, off, bytes, at, first);
        System.arraycopy(src, off + first, bytes, 0, n - first);
        WRITE.setRelease(this, w + n);
        return n;
    }

    /** Copies as much of {@code src} in as fits; returns how many bytes. */
    int offer(ByteBuffer src) {
        long w = (long) WRITE.getOpaque(this);
        int n = Math.min(src.remaining(), bytes.length - (int) (w - (long) READ.getAcquire(this)));
        if (n <= 0) {
            return 0;
        }
        int at = (int) (w & mask);
        int first = Math.min(n, bytes.length - at);
        src.get(bytes, at, first);
        src.get(bytes, 0, n - first);
        WRITE.setRelease(this, w + n);
        return n;
    }

    // ------------------------------------------------------------------ consumer

    /** Copies up to {@code len} readable bytes out without consuming them; see {@link #skip}. */
    int peek(byte[] dst, int off, int len) {
        long r = (long) READ.getOpaque(this);
        int n = Math.min(len, (int) ((long) WRITE.getAcquire(this) - r));
        if (n <= 0) {
            return 0;
        }
        int at = (int) (r & mask);
        int first = Math.min(n, bytes.length - at);
        System.arraycopy(bytes, at, dst, off, first);
        System.arraycopy(bytes, 0, dst, off + first, n - first);
        return n;
    }

    /** Consumes {@code n} bytes (at most {@link #size()}). */
    void skip(int n) {
        READ.setRelease(this, (long) READ.getOpaque(this) + n);
    }

    /** Moves up to {@code dst.remaining()} bytes out; returns how many. */
    int poll(ByteBuffer dst) {
        long r = (long) READ.getOpaque(this);
        int n = Math.min(dst.remaining(), (int) ((long) WRITE.getAcquire(this) - r));
        if (n <= 0) {
            return 0;
        }
        int at = (int) (r & mask);
        int first = Math.min(n, bytes.length - at);
        dst.put(bytes, at, first);
        dst.put(bytes, 0, n - first);
        READ.setRelease(this, r + n);
        return n;
    }

    /** Consumer: drops everything readable now (abort). */
    void clear() {
        READ.setRelease(this, (long) WRITE.getAcquire(this));
    }
}
