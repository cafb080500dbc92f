package io.zgrnet.stream;

import java.util.Arrays;

/**
 * Stream-id allocation (services.md §3.2). The side whose static public key is smaller as an
 * unsigned byte string is the client and opens odd ids 1, 3, 5 …; the other opens even ids 2, 4,
 * 6 …; both count up by 2 from the start of a mux. The role does not depend on who initiated the
 * handshake. A wrong parity makes both sides open the same ids, and the streams merge silently.
 */
public final class StreamIds {
    private StreamIds() {
    }

    /**
     * Whether the local side is the client (opens odd ids).
     *
     * @throws IllegalArgumentException if the keys are equal (no role can be decided)
     */
    public static boolean isClient(byte[] localPublicKey, byte[] remotePublicKey) {
        int c = Arrays.compareUnsigned(localPublicKey, remotePublicKey);
        if (c == 0) {
            throw new IllegalArgumentException("local and remote public keys are equal");
        }
        return c < 0;
    }

    /** The first id a side opens: 1 for the client, 2 for the server. */
    public static int first(boolean isClient) {
        return isClient ? 1 : 2;
    }

    /**
     * The id after {@code id} (u32, +2). Go wraps through 0 after 0xFFFFFFFE; we skip 0, which is
     * never a valid stream id of ours (parity kept, as 0 is even).
     */
    public static int next(int id) {
        int n = id + 2;
        return n == 0 ? 2 : n;
    }

    /** Whether {@code id} has the parity the given role opens. */
    public static boolean openedBy(int id, boolean isClient) {
        return ((id & 1) == 1) == isClient;
    }
}
