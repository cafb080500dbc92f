package io.zgrnet;

import java.lang.foreign.MemorySegment;

/**
 * Takes the authenticated messages of one protocol byte on the reader's thread, instead of the
 * application (streams: 64; relay: 66-68, 72-77; ping/pong: 70, 71). The payload is valid only
 * during the call. A handler must not block: it runs in the in-order reader, ahead of every later
 * message of every peer.
 */
interface ProtocolHandler {
    /**
     * @param peer the authenticated sender
     * @param protocol the protocol byte it is registered for
     * @param payload the pool's memory; the payload is {@code [offset, offset + length)}
     */
    void onMessage(Peer peer, int protocol, MemorySegment payload, long offset, int length);
}
