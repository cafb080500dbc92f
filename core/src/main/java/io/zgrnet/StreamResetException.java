package io.zgrnet;

import java.io.IOException;

/**
 * A stream ended without its normal end: the peer was removed, its session was replaced by a new
 * handshake (zgrnet ends every stream of a peer then, services.md §3.6) or expired, nothing came
 * from the peer for the idle timeout, or the stream was aborted. The message says which. Bytes
 * that had arrived before are still read first; this is thrown once they are gone. When the
 * transport itself closes, a {@link TransportClosedException} is thrown instead.
 */
public final class StreamResetException extends IOException {
    private static final long serialVersionUID = 1L;

    StreamResetException(String message) {
        super(message);
    }
}
