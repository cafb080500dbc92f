package io.zgrnet.stream;

/**
 * FINs that arrived for a peer id before its SYN (Go's parallel decryption can reorder them,
 * services.md §3.7), remembered for a short time so the late SYN creates an already half-closed
 * stream instead of one that never ends. A small ring: when full, the oldest entry is replaced.
 * Single-threaded.
 */
final class EarlyFins {
    private final int[] ids;
    private final long[] expiresAtMs;
    private final boolean[] used;
    private int next;

    EarlyFins(int slots) {
        ids = new int[slots];
        expiresAtMs = new long[slots];
        used = new boolean[slots];
    }

    void remember(int id, long expiresAt) {
        for (int i = 0; i < ids.length; i++) {
            if (used[i] && ids[i] == id) {
                expiresAtMs[i] = expiresAt;
                return;
            }
        }
        ids[next] = id;
        expiresAtMs[next] = expiresAt;
        used[next] = true;
        next = (next + 1) % ids.length;
    }

    /** Whether a FIN for {@code id} is remembered and not expired; forgets it either way. */
    boolean take(int id, long nowMs) {
        for (int i = 0; i < ids.length; i++) {
            if (used[i] && ids[i] == id) {
                used[i] = false;
                return nowMs - expiresAtMs[i] < 0;
            }
        }
        return false;
    }

    /** Gives entries remembered before the mux had a clock (expiry MAX_VALUE) a real expiry. */
    void startClock(long expiresAt) {
        for (int i = 0; i < ids.length; i++) {
            if (used[i] && expiresAtMs[i] == Long.MAX_VALUE) {
                expiresAtMs[i] = expiresAt;
            }
        }
    }

    void expire(long nowMs) {
        for (int i = 0; i < ids.length; i++) {
            if (used[i] && nowMs - expiresAtMs[i] >= 0) {
                used[i] = false;
            }
        }
    }
}
