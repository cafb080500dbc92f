package io.zgrnet.kcp;

/**
 * Receives the data of complete messages from {@link Kcp#recv(MessageSink, int)}, one segment's
 * bytes per call, in order (a stream's byte buffer implements it).
 */
public interface MessageSink {
    /** Appends {@code src[offset, offset + length)}; the caller has checked that it fits. */
    void append(byte[] src, int offset, int length);
}
