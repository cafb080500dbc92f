package io.zgrnet.ping;

import io.zgrnet.wire.WireResult;
import java.lang.foreign.MemorySegment;

/**
 * The body of a PONG (protocol byte 71), after the protocol byte, 21 bytes (services.md §5):
 * {@code ping_id u32 · timestamp u64 · load u8 · relay_count u16 · bw_avail u16 · price u32},
 * little endian, at offsets 0, 4, 12, 13, 15, 17. Id and timestamp are the PING's, echoed; the
 * four metrics are the responder's ({@link NodeMetrics}).
 *
 * <p>Static methods only; accessors assume {@link #validate} returned OK. Bytes after 21 are
 * ignored (zgrnet reads only the fixed part).
 */
public final class Pong {
    /** Offset of the echoed ping id. */
    public static final int ID_OFFSET = 0;
    /** Offset of the echoed timestamp. */
    public static final int TIMESTAMP_OFFSET = 4;
    /** Offset of the load byte (0 idle ... 255 full). */
    public static final int LOAD_OFFSET = 12;
    /** Offset of the relay count (active relayed connections). */
    public static final int RELAY_COUNT_OFFSET = 13;
    /** Offset of the available bandwidth (KB/s). */
    public static final int BW_AVAIL_OFFSET = 15;
    /** Offset of the price (per MB, smallest token unit; 0 = free). */
    public static final int PRICE_OFFSET = 17;
    /** Length of the body. */
    public static final int LENGTH = 21;

    private Pong() {
    }

    /**
     * Checks the length.
     *
     * @return {@link WireResult#OK} or {@link WireResult#TOO_SHORT}
     */
    public static int validate(MemorySegment body, long off, int len) {
        return len < LENGTH ? WireResult.TOO_SHORT : WireResult.OK;
    }

    /** The echoed ping id (unsigned 32 bits in an int). */
    public static int id(MemorySegment body, long off) {
        return Bytes.u32(body, off + ID_OFFSET);
    }

    /** The echoed timestamp (unsigned 64 bits in a long). */
    public static long timestamp(MemorySegment body, long off) {
        return Bytes.u64(body, off + TIMESTAMP_OFFSET);
    }

    /** Load, 0..255. */
    public static int load(MemorySegment body, long off) {
        return Bytes.u8(body, off + LOAD_OFFSET);
    }

    /** Relay count, 0..65535. */
    public static int relayCount(MemorySegment body, long off) {
        return Bytes.u16(body, off + RELAY_COUNT_OFFSET);
    }

    /** Available bandwidth in KB/s, 0..65535. */
    public static int bwAvail(MemorySegment body, long off) {
        return Bytes.u16(body, off + BW_AVAIL_OFFSET);
    }

    /** Price per MB (unsigned 32 bits in an int). */
    public static int price(MemorySegment body, long off) {
        return Bytes.u32(body, off + PRICE_OFFSET);
    }

    /**
     * Writes a body at {@code dst[off]}; returns {@link #LENGTH}. Metrics are written modulo their
     * width; {@link NodeMetrics} has already checked their ranges.
     */
    public static int write(MemorySegment dst, long off, int id, long timestamp, int load, int relayCount,
                            int bwAvail, int price) {
        Bytes.putU32(dst, off + ID_OFFSET, id);
        Bytes.putU64(dst, off + TIMESTAMP_OFFSET, timestamp);
        Bytes.putU8(dst, off + LOAD_OFFSET, load);
        Bytes.putU16(dst, off + RELAY_COUNT_OFFSET, relayCount);
        Bytes.putU16(dst, off + BW_AVAIL_OFFSET, bwAvail);
        Bytes.putU32(dst, off + PRICE_OFFSET, price);
        return LENGTH;
    }

    /** Writes a body with the metrics of {@code m}; returns {@link #LENGTH}. */
    public static int write(MemorySegment dst, long off, int id, long timestamp, NodeMetrics m) {
        return write(dst, off, id, timestamp, m.load(), m.relayCount(), m.bwAvail(), (int) m.price());
    }
}
