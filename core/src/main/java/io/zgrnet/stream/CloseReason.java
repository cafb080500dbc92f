package io.zgrnet.stream;

/** Why a stream stopped being open, as reported to the application. */
public enum CloseReason {
    /** Still open. */
    NONE,
    /** The application closed it. */
    LOCAL,
    /** The peer sent FIN (possibly before its SYN arrived). */
    REMOTE_FIN,
    /** Nothing arrived for the configured idle timeout (a FIN may have been lost). */
    IDLE_TIMEOUT,
    /** The mux was closed or replaced (e.g. a new handshake with the peer). */
    RESET
}
