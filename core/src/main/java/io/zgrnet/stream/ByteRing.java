package io.zgrnet.stream;

import io.zgrnet.kcp.MessageSink;

/**
 * A stream's receive buffer: a fixed-capacity byte ring between the KCP receive queue and the
 * application. Data moves in only when it fits (the caller asks {@link #free()} first), so a full
 * ring leaves segments in KCP, which shrinks the window we advertise: back-pressure instead of
 * Go's unbounded buffer. Single-threaded.
 */
final class ByteRing implements MessageSink {
    private final byte[] buf;
    private int head;
    private int size;

    ByteRing(int capacity) {
        buf = new byte[capacity];
    }

    int capacity() {
        return buf.length;
    }

    int size() {
        return size;
    }

    int free() {
        return buf.length - size;
    }

    @Override
    public void append(byte[] src, int offset, int length) {
        if (length > free()) {
            throw new IllegalStateException("ring overflow: " + length + " > " + free());
        }
        int tail = (head + size) % buf.length;
        int first = Math.min(length, buf.length - tail);
        System.arraycopy(src, offset, buf, tail, first);
        System.arraycopy(src, offset + first, buf, 0, length - first);
        size += length;
    }

    /** Moves up to {@code length} bytes into {@code dst}; returns how many. */
    int read(byte[] dst, int offset, int length) {
        int n = Math.min(length, size);
        int first = Math.min(n, buf.length - head);
        System.arraycopy(buf, head, dst, offset, first);
        System.arraycopy(buf, 0, dst, offset + first, n - first);
        head = (head + n) % buf.length;
        size -= n;
        return n;
    }

    void clear() {
        head = 0;
        size = 0;
    }
}
