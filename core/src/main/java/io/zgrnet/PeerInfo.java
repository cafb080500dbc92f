package io.zgrnet;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of one peer, taken when {@link UDP#peerInfo} or {@link UDP#peers} was called.
 *
 * @param key the peer's public key
 * @param endpoint its current address, or null when unknown
 * @param state NEW (no session), CONNECTING (handshake in flight), ESTABLISHED
 * @param sessionAge age of the current session; empty without one
 * @param sinceLastReceived time since the last authenticated packet; empty if none came yet
 * @param sinceLastSent time since the last packet sent; empty if none left yet
 * @param messagesSent transport messages sent (data and keepalives)
 * @param messagesReceived transport messages received and authenticated
 * @param bytesSent payload bytes sent
 * @param bytesReceived payload bytes received
 * @param lastRtt the round trip of the last ping answered ({@link UDP#ping}); empty before one
 * @param smoothedRtt the smoothed round trip of the pings answered (RFC 6298 srtt); empty before one
 */
public record PeerInfo(PeerKey key, InetSocketAddress endpoint, State state, Optional<Duration> sessionAge,
                       Optional<Duration> sinceLastReceived, Optional<Duration> sinceLastSent, long messagesSent,
                       long messagesReceived, long bytesSent, long bytesReceived, Optional<Duration> lastRtt,
                       Optional<Duration> smoothedRtt) {
    /** Connection state of a peer. */
    public enum State {
        /** No session and no handshake in flight. */
        NEW,
        /** A handshake is in flight, or a responder session waits for the peer's first packet. */
        CONNECTING,
        /** A session is usable. */
        ESTABLISHED
    }
}
