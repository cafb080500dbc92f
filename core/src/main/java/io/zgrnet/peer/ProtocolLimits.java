package io.zgrnet.peer;

import java.util.concurrent.TimeUnit;

/**
 * Session lifetimes and message limits from the protocol (zgrnet consts.go, WireGuard's values).
 * These are wire-compatibility constants, not tuning knobs. Counts are unsigned 64-bit values held
 * in longs; compare them with {@link Long#compareUnsigned}.
 */
public final class ProtocolLimits {
    /** Start a new handshake after sending this many messages on a session: 2^60. */
    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    /** Refuse to send on a session once its counter reaches this: 2^64 - 2^13 - 1. */
    public static final long REJECT_AFTER_MESSAGES = -(1L << 13) - 1;
    /** A sender never uses a counter at or above this: 2^64 - 2 (zgrnet session.go). */
    public static final long MAX_COUNTER_EXCLUSIVE = -2L;
    /** Rekey a session this old. */
    public static final long REKEY_AFTER_TIME_NS = TimeUnit.SECONDS.toNanos(120);
    /** Stop using a session this old. */
    public static final long REJECT_AFTER_TIME_NS = TimeUnit.SECONDS.toNanos(180);
    /** Keep retrying a handshake for this long. */
    public static final long REKEY_ATTEMPT_TIME_NS = TimeUnit.SECONDS.toNanos(90);
    /** Retransmit a handshake initiation after this long without a response. */
    public static final long REKEY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    /** Send a keepalive after receiving data but sending nothing for this long. */
    public static final long KEEPALIVE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** The initiator rekeys when receiving on a session this old. */
    public static final long REKEY_ON_RECEIVE_NS = REJECT_AFTER_TIME_NS - KEEPALIVE_TIMEOUT_NS - REKEY_TIMEOUT_NS;
    /** Erase all session keys after this long without a new handshake. */
    public static final long CLEAR_SESSIONS_AFTER_NS = REJECT_AFTER_TIME_NS * 3;

    private ProtocolLimits() {
    }
}
