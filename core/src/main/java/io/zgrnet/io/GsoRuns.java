package io.zgrnet.io;

import io.zgrnet.sys.Errno;
import io.zgrnet.sys.SockAddr;
import java.lang.foreign.MemorySegment;

/**
 * Finds the runs of a send batch that may leave as one UDP GSO send: consecutive slots with the
 * same destination ({@link SockAddr#equals}: family, port, address, scope; not the padding, which
 * a slot may carry stale from an earlier, longer address) and the same length, except that the last
 * datagram of a run may be shorter (the kernel cuts the payload into {@code gso_size} pieces, the
 * remainder last).
 *
 * <p>The limits are the kernel's (net/ipv4/udp.c, udp_send_skb, and the UDP GSO selftest
 * tools/testing/selftests/net/udpgso.c): at most {@code UDP_MAX_SEGMENTS} = 64 segments, and the
 * whole payload must fit one IP datagram (65535 bytes with headers). A segment must also fit the route's MTU or the send
 * fails with EINVAL, so only datagrams up to {@link #MAX_SEGMENT_BYTES} (IPv6 over a 1500-byte
 * MTU) are grouped, or up to the lower limit a refusal set for the destination ({@link GsoLimit});
 * larger ones go alone, as without GSO.
 *
 * <p>Stateless; callers validate each slot (length, offset, address) before asking.
 */
public final class GsoRuns {
    /** Most datagrams in one GSO send. */
    public static final int MAX_SEGMENTS = 64;
    /** Largest datagram grouped: 1500 - 40 (IPv6) - 8 (UDP). */
    public static final int MAX_SEGMENT_BYTES = 1452;
    /** Most payload bytes in one GSO send: below 65535 minus the IPv6 or IPv4 and UDP headers. */
    public static final int MAX_PAYLOAD_BYTES = 65000;

    private GsoRuns() {
    }

    /**
     * The length of the run that starts at {@code slots[from]}: 1 when it cannot be grouped, else
     * up to {@link #MAX_SEGMENTS}. Stops at {@code end} (exclusive) and at the first slot for
     * which {@code valid} says no.
     *
     * @param maxSegment the largest datagram to group for the run's destination ({@link GsoLimit#maxSegment})
     */
    public static int runLength(PacketPool pool, int[] slots, int from, int end, SlotCheck valid, int maxSegment) {
        int first = slots[from];
        int segment = pool.length(first);
        if (segment <= 0 || segment > Math.min(maxSegment, MAX_SEGMENT_BYTES)) {
            return 1;
        }
        MemorySegment addresses = pool.addresses();
        long a = pool.addressOffset(first);
        int n = 1;
        long total = segment;
        int limit = Math.min(end - from, MAX_SEGMENTS);
        while (n < limit) {
            int s = slots[from + n];
            int length = pool.length(s);
            if (length <= 0 || length > segment || total + length > MAX_PAYLOAD_BYTES || !valid.ok(s)) {
                break;
            }
            if (!SockAddr.equals(addresses, a, addresses, pool.addressOffset(s))) {
                break;
            }
            n++;
            total += length;
            if (length < segment) {
                break; // a shorter datagram can only be the last segment
            }
        }
        return n;
    }

    /**
     * Errnos with which the kernel refuses a GSO send because this socket, route or device cannot
     * segment (EINVAL: e.g. SO_NO_CHECK, or a segment above the route's MTU on older kernels;
     * EMSGSIZE: a segment above the route's MTU, as Linux 6.18 answers; EIO: no checksum offload;
     * ENOPROTOOPT, EOPNOTSUPP: no UDP_SEGMENT), as opposed to a transient failure. Callers ask
     * only for sends that carried several datagrams, each of which fits a datagram on its own.
     */
    public static boolean refusesGso(int errno) {
        return errno == Errno.EINVAL || errno == Errno.EMSGSIZE || errno == Errno.EIO || errno == Errno.ENOPROTOOPT
                || errno == Errno.EOPNOTSUPP;
    }

    /** Whether a slot is well-formed for sending (length, offset and address checked by the backend). */
    @FunctionalInterface
    public interface SlotCheck {
        /** True when the slot may be sent. */
        boolean ok(int slot);
    }
}
