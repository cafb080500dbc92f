package io.zgrnet.io;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.zgrnet.io.BackendStats.Counter;
import io.zgrnet.sys.Cmsghdr;
import io.zgrnet.sys.Net;
import java.lang.foreign.MemorySegment;

/**
 * What both UDP GRO receive paths (recvmmsg and io_uring multishot) read from a received buffer:
 * the segment size in its {@code SOL_UDP/UDP_GRO} control message, whether its datagrams are within
 * the receive limit, and the counters. Stateless; allocation-free.
 */
public final class GroBuffers {
    /** Control buffer for one {@code UDP_GRO} message with its {@code int} segment size: CMSG_SPACE(4). */
    public static final int CONTROL_BYTES = (int) Cmsghdr.space(4);
    /** The largest coalesced payload: GRO and GSO both stop at 64 KiB. */
    public static final int PAYLOAD_BYTES = 65536;

    private GroBuffers() {
    }

    /**
     * The segment size of a buffer of {@code payload} bytes whose control data ({@code controlLength}
     * bytes written by the kernel) starts at {@code offset}: the {@code UDP_GRO} value, or the whole
     * payload when there is none (one datagram; 0 for an empty one), or -1 for a value that makes
     * no sense.
     */
    public static int segmentSize(MemorySegment control, long offset, long controlLength, int payload) {
        if (controlLength >= Cmsghdr.len(4)
                && control.get(JAVA_INT, offset + Cmsghdr.CMSG_LEVEL) == Net.SOL_UDP
                && control.get(JAVA_INT, offset + Cmsghdr.CMSG_TYPE) == Net.UDP_GRO) {
            int segment = control.get(JAVA_INT, offset + Cmsghdr.DATA);
            return segment > 0 ? segment : -1;
        }
        return payload;
    }

    /** Datagrams in {@code payload} bytes cut at {@code segment} (the last may be shorter; 0 bytes: one). */
    public static int datagrams(int payload, int segment) {
        return segment == 0 ? 1 : (payload + segment - 1) / segment;
    }

    /**
     * Decides and counts: true when the buffer's datagrams are to be handed out (GRO counters when
     * it held several); false, counted as truncated, when the segment size is invalid. Receivers
     * then drop and count, one by one, the datagrams above their limit (all but perhaps the last,
     * shorter one of a buffer whose segment size is above it).
     */
    public static boolean accept(BackendStats stats, int payload, int segment) {
        if (segment < 0) {
            stats.increment(Counter.DATAGRAMS_TRUNCATED); // cannot tell where its datagrams begin
            return false;
        }
        if (segment < payload) {
            stats.increment(Counter.GRO_RECEIVES);
            stats.add(Counter.GRO_DATAGRAMS, datagrams(payload, segment));
        }
        return true;
    }
}
