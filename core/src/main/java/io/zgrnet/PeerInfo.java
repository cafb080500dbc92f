package io.zgrnet;

import java.net.InetSocketAddress;

/**
 * A snapshot of one peer.
 *
 * @param key the peer's public key
 * @param endpoint its current address, or null when unknown
 * @param state NEW (no session), CONNECTING (handshake in flight), ESTABLISHED
 * @param sessionAgeMillis age of the current session, or -1
 * @param lastReceivedMillisAgo time since the last authenticated packet, or -1
 * @param lastSentMillisAgo time since the last packet sent, or -1
 * @param messagesSent transport messages sent (data and keepalives)
 * @param messagesReceived transport messages received and authenticated
 * @param bytesSent payload bytes sent
 * @param bytesReceived payload bytes received
 */
public record PeerInfo(PeerKey key, InetSocketAddress endpoint, State state, long sessionAgeMillis,
                       long lastReceivedMillisAgo, long lastSentMillisAgo, long messagesSent, long messagesReceived,
                       long bytesSent, long bytesReceived) {
    /** Connection state of a peer. */
    public enum State {
        /** No session and no handshake in flight. */
        NEW,
        /** A handshake is in flight. */
        CONNECTING,
        /** A session is usable. */
        ESTABLISHED
    }
}
