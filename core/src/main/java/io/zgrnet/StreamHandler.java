package io.zgrnet;

/**
 * Handles a stream a peer opened: see {@link UDP#onStream(StreamHandler)}. Runs on a virtual
 * thread of its own per stream, so it may block (read the whole stream, write the answer).
 */
@FunctionalInterface
public interface StreamHandler {
    /**
     * Called once per accepted stream. The handler owns the stream: returning does not close it
     * (close it, or hand it on). An exception (or error) it throws is logged, counted
     * ({@link TransportCounter#STREAM_HANDLER_FAILED}) and aborts the stream.
     *
     * @param stream the stream, with the peer's proto and metadata
     * @throws Exception anything; the stream is then aborted
     */
    void handle(StreamChannel stream) throws Exception;
}
