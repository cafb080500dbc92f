package io.zgrnet.ping;

/**
 * What a node reports about itself in every PONG (services.md §5). zgrnet's Go node sends whatever
 * its application configured, all zero by default; so do we ({@link #ZERO}).
 *
 * @param load 0 = idle ... 255 = full
 * @param relayCount active relayed connections, 0..65535
 * @param bwAvail available bandwidth in KB/s, 0..65535
 * @param price price per MB in the smallest token unit, 0..2^32-1; 0 = free
 */
public record NodeMetrics(int load, int relayCount, int bwAvail, long price) {
    /** All zero: what zgrnet reports when nothing was configured. */
    public static final NodeMetrics ZERO = new NodeMetrics(0, 0, 0, 0);

    /** Checks every field against its wire width; the error names the field. */
    public NodeMetrics {
        check("load", load, 0xFF);
        check("relayCount", relayCount, 0xFFFF);
        check("bwAvail", bwAvail, 0xFFFF);
        check("price", price, 0xFFFF_FFFFL);
    }

    private static void check(String name, long v, long max) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(name + ": must be 0.." + max + ", got " + v);
        }
    }
}
