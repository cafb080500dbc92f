package io.zgrnet.host;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * What a service that runs on a transport (the relay) may ask of it: receive the messages of a
 * protocol byte, send a body on the session with a neighbour, follow the peer table. The
 * transport's package implements it; the service's package uses it; neither imports the other,
 * so there is no package cycle. {@code K} is the transport's peer key type.
 *
 * <p>Not public API: exported only to this project's CLI and benchmark modules.
 */
public interface ServiceHost<K> {
    /** This node's public key. */
    K localKey();

    /**
     * Routes the authenticated messages of protocol byte {@code protocol} (received directly over
     * a session) to {@code sink}, on the transport's receive consumer, one call at a time;
     * null gives them back to the application.
     */
    void handle(int protocol, Sink<K> sink);

    /**
     * Keeps the sinks running while the application does not read (idempotent).
     *
     * @throws java.io.IOException when the transport is closed
     */
    void startDelivery() throws java.io.IOException;

    /**
     * Seals {@code body[off, off+len)} with protocol byte {@code protocol} on the session with
     * {@code peer} and queues it for its endpoint: no routing, no wrapping, never waits (a
     * message without a session is staged and a handshake starts, as for any write).
     *
     * @return true if queued or staged; false if not (unknown peer, too long, full queue, closed),
     *         counted by the transport
     */
    boolean send(K peer, int protocol, MemorySegment body, long off, int len);

    /** The largest body {@link #send} accepts. */
    int maxPayload();

    /**
     * Calls {@code added} for every peer in the table now and every peer added later, and
     * {@code removed} for every peer removed later (on the thread that changes the table). One
     * watcher per transport; null, null stops watching.
     */
    void watchPeers(Consumer<K> added, Consumer<K> removed);

    /** Takes the messages of one protocol byte; the body is valid only during the call. */
    @FunctionalInterface
    interface Sink<K> {
        /**
         * @param from the authenticated neighbour the message came from
         * @param protocol its protocol byte
         * @param body the memory holding it; the body is {@code [off, off + len)}
         */
        void onMessage(K from, int protocol, MemorySegment body, long off, int len);
    }
}
