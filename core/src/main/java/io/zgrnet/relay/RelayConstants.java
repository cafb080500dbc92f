package io.zgrnet.relay;

/** Spec constants of zgrnet's relay (services.md §4, §6.1), as zgrnet's Go package defines them. */
public final class RelayConstants {
    /** Length of a public key field. */
    public static final int KEY_LENGTH = 32;
    /** The ttl a source puts in a RELAY_0 (Go sends 8), and a RELAY_1 made from an ALIAS. */
    public static final int DEFAULT_TTL = 8;
    /** Strategy 0: the relay decides. Go sends this; nothing in Go reads the strategy. */
    public static final int STRATEGY_AUTO = 0;
    /** Strategy 1: prefer the lowest latency. */
    public static final int STRATEGY_FASTEST = 1;
    /** Strategy 2: prefer the lowest cost. */
    public static final int STRATEGY_CHEAPEST = 2;
    /** relay_id 0 is reserved; a bind table hands out 1, 2, 3, ... */
    public static final int RESERVED_RELAY_ID = 0;

    private RelayConstants() {
    }
}
