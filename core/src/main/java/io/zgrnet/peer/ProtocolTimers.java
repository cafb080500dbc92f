package io.zgrnet.peer;

import java.util.concurrent.TimeUnit;

/**
 * zgrnet's timer and message limits (consts.go; WireGuard's values). Spec constants, not tuning:
 * changing them changes interoperability behaviour.
 */
public final class ProtocolTimers {
    /** Start a new handshake when the current session is this old (initiator side). */
    public static final long REKEY_AFTER_TIME_NS = TimeUnit.SECONDS.toNanos(120);
    /** Never use a session older than this. */
    public static final long REJECT_AFTER_TIME_NS = TimeUnit.SECONDS.toNanos(180);
    /** Give up a handshake after retrying for this long. */
    public static final long REKEY_ATTEMPT_TIME_NS = TimeUnit.SECONDS.toNanos(90);
    /** Retry an unanswered handshake this often. */
    public static final long REKEY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    /** Send a keepalive after this long without sending, when we have received. */
    public static final long KEEPALIVE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** An initiator receiving on a session this old rekeys (REJECT - KEEPALIVE - REKEY_TIMEOUT). */
    public static final long REKEY_ON_RECV_NS = TimeUnit.SECONDS.toNanos(165);
    /** Erase all session keys of a peer after this long without a new session (3 x REJECT). */
    public static final long SESSION_CLEANUP_NS = TimeUnit.SECONDS.toNanos(540);
    /** Rekey after this many messages sent on one session. */
    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    /** Stop sending after this many messages on one session: 2^64 - 2^13 - 1, as an unsigned long. */
    public static final long REJECT_AFTER_MESSAGES = -(1L << 13) - 1;

    private ProtocolTimers() {
    }
}
