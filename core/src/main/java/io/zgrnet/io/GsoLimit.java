package io.zgrnet.io;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.zgrnet.sys.Errno;
import io.zgrnet.sys.Net;
import io.zgrnet.sys.SockAddr;
import io.zgrnet.sys.SockaddrIn6;
import java.lang.foreign.MemorySegment;
import java.util.function.LongSupplier;

/**
 * The largest datagram a backend groups into a UDP GSO send to a destination, learned from the
 * kernel's refusals.
 *
 * <p>A GSO send fails when its segment size exceeds the path MTU the kernel knows for the
 * destination (udp_send_skb: {@code hlen + gso_size > cork->fragsize}; EMSGSIZE on Linux 6.18,
 * measured here, EINVAL on older kernels). That is a property of one destination: a route with a
 * lower MTU, or a PMTU the kernel learned from an ICMP "fragmentation needed" for that peer. So
 * either errno for a segment above {@link #MIN_MTU_SEGMENT} lowers the limit of that destination
 * alone to just below the segment; its larger datagrams then go one per send (and the IP layer
 * fragments them, as without GSO) while every other destination keeps the full limit. Any other
 * refusal (EIO: no checksum offload; ENOPROTOOPT, EOPNOTSUPP: no UDP_SEGMENT), or one for a segment
 * no MTU can refuse (e.g. EINVAL on a socket with SO_NO_CHECK), turns GSO off for the backend.
 * Each refusal costs one resend, never a datagram.
 *
 * <p>Memory is bounded: {@link #DESTINATIONS} learned limits in a direct-mapped table (a collision
 * forgets the older one, which at worst costs one more refusal), each forgotten after
 * {@link #FORGET_NANOS}, as the kernel forgets a learned PMTU ({@code net.ipv4.route.mtu_expires},
 * 600 s). With nothing learned, a lookup is one field read. I/O thread only; allocation-free.
 */
public final class GsoLimit {
    /** IPv4's minimum MTU (576) less IPv4 and UDP headers: no route refuses a segment this small. */
    public static final int MIN_MTU_SEGMENT = 548;
    /** Destinations with a learned limit, at most (a power of two). */
    public static final int DESTINATIONS = 64;
    /** How long a learned limit holds: the kernel's default PMTU expiry. */
    public static final long FORGET_NANOS = 600_000_000_000L;

    private final LongSupplier clock;
    private boolean enabled;
    private int learned; // entries in use (some may have expired)
    private final long[] keys = new long[DESTINATIONS * 4];
    private final int[] limits = new int[DESTINATIONS]; // 0: empty
    private final long[] learnedAt = new long[DESTINATIONS];

    /** @param enabled whether GSO starts on (at {@link GsoRuns#MAX_SEGMENT_BYTES} for every destination) */
    public GsoLimit(boolean enabled) {
        this(enabled, System::nanoTime);
    }

    /** With a clock, for tests of the expiry. */
    GsoLimit(boolean enabled, LongSupplier clock) {
        this.enabled = enabled;
        this.clock = clock;
    }

    /** True while any datagram may still be grouped. */
    public boolean enabled() {
        return enabled;
    }

    /** Destinations with a learned limit (expired ones included until looked up or replaced). */
    public int learnedDestinations() {
        return learned;
    }

    /**
     * The largest datagram to group for the destination sockaddr at {@code offset}: 0 when GSO is
     * off, its learned limit, or {@link GsoRuns#MAX_SEGMENT_BYTES}.
     */
    public int maxSegment(MemorySegment addresses, long offset) {
        if (!enabled) {
            return 0;
        }
        if (learned == 0) {
            return GsoRuns.MAX_SEGMENT_BYTES;
        }
        int i = find(addresses, offset);
        if (i < 0) {
            return GsoRuns.MAX_SEGMENT_BYTES;
        }
        if (clock.getAsLong() - learnedAt[i] >= FORGET_NANOS) {
            limits[i] = 0;
            learned--;
            return GsoRuns.MAX_SEGMENT_BYTES;
        }
        return limits[i];
    }

    /**
     * A GSO send of {@code segment}-byte datagrams to the destination at {@code offset} was refused
     * with {@code errno}.
     *
     * @return what changed, for the caller's log: null when nothing did (the send left before an
     *     earlier refusal lowered the limit, or GSO is already off), else a sentence
     */
    public String refused(int errno, int segment, MemorySegment addresses, long offset) {
        if (!enabled || segment > maxSegment(addresses, offset)) {
            return null;
        }
        if ((errno == Errno.EINVAL || errno == Errno.EMSGSIZE) && segment > MIN_MTU_SEGMENT) {
            int i = slot(addresses, offset);
            if (limits[i] == 0) {
                learned++;
            }
            storeKey(i, addresses, offset);
            limits[i] = segment - 1;
            learnedAt[i] = clock.getAsLong();
            return "grouping only datagrams up to " + limits[i] + " bytes for " + SockAddr.format(
                    SockAddr.read(addresses, offset)) + " (its path MTU is below " + segment + " + headers)";
        }
        enabled = false;
        return "sending one datagram per message from now on";
    }

    /** The table index of the destination, or -1 if it has no (live or expired) entry. */
    private int find(MemorySegment addresses, long offset) {
        int i = slot(addresses, offset);
        if (limits[i] == 0) {
            return -1;
        }
        int k = i * 4;
        return keys[k] == word0(addresses, offset) && keys[k + 1] == word(addresses, offset, 1)
                && keys[k + 2] == word(addresses, offset, 2) && keys[k + 3] == word(addresses, offset, 3) ? i : -1;
    }

    private int slot(MemorySegment addresses, long offset) {
        long h = word0(addresses, offset) * 0x9E3779B97F4A7C15L;
        h ^= word(addresses, offset, 1) * 0xC2B2AE3D27D4EB4FL;
        h ^= word(addresses, offset, 2) * 0x165667B19E3779F9L;
        h ^= word(addresses, offset, 3);
        return (int) (h ^ (h >>> 29) ^ (h >>> 47)) & (DESTINATIONS - 1);
    }

    private void storeKey(int i, MemorySegment addresses, long offset) {
        int k = i * 4;
        keys[k] = word0(addresses, offset);
        keys[k + 1] = word(addresses, offset, 1);
        keys[k + 2] = word(addresses, offset, 2);
        keys[k + 3] = word(addresses, offset, 3);
    }

    /*
     * The key: what identifies a destination, without padding or flow info (which a slot may carry
     * stale or vary). IPv4: family, port and address are the sockaddr's first 8 bytes. IPv6: family
     * and port, the 16 address bytes, the scope id.
     */
    private static long word0(MemorySegment a, long offset) {
        long w = a.get(JAVA_LONG_UNALIGNED, offset);
        // little-endian: the high half of an IPv6 sockaddr's first 8 bytes is the flow info
        return SockAddr.family(a, offset) == Net.AF_INET6 ? w & 0xFFFF_FFFFL : w;
    }

    private static long word(MemorySegment a, long offset, int n) {
        if (SockAddr.family(a, offset) != Net.AF_INET6) {
            return 0;
        }
        return n == 3 ? a.get(JAVA_INT_UNALIGNED, offset + SockaddrIn6.SIN6_SCOPE_ID)
                : a.get(JAVA_LONG_UNALIGNED, offset + SockaddrIn6.SIN6_ADDR + (n - 1) * 8L);
    }
}
