package io.zgrnet.io;

import io.zgrnet.sys.Errno;

/**
 * The largest datagram a backend still groups into UDP GSO sends, lowered by the kernel's refusals.
 *
 * <p>A GSO send fails when its segment size exceeds the route's MTU (udp_send_skb:
 * {@code hlen + gso_size > cork->fragsize}; EMSGSIZE on Linux 6.18, measured here, EINVAL on older
 * kernels), and that is a property of one route: a peer behind a 1280-byte tunnel must not cost
 * GSO to every other peer, nor to small datagrams. So either errno for a segment above
 * {@link #MIN_MTU_SEGMENT} lowers the limit to just below that segment size; datagrams up to the
 * limit keep GSO, larger ones go one per send (and the IP layer fragments them, as without GSO).
 * Any other refusal (EIO: no checksum offload; ENOPROTOOPT, EOPNOTSUPP: no UDP_SEGMENT), or one
 * for a segment no MTU can refuse (e.g. EINVAL on a socket with SO_NO_CHECK), turns GSO off for
 * good. Each refusal costs one resend, never a datagram.
 *
 * <p>I/O thread only.
 */
public final class GsoLimit {
    /** IPv4's minimum MTU (576) less IPv4 and UDP headers: no route refuses a segment this small. */
    public static final int MIN_MTU_SEGMENT = 548;

    private int maxSegment;

    /** @param enabled whether GSO starts on (at {@link GsoRuns#MAX_SEGMENT_BYTES}) */
    public GsoLimit(boolean enabled) {
        this.maxSegment = enabled ? GsoRuns.MAX_SEGMENT_BYTES : 0;
    }

    /** True while any datagram may still be grouped. */
    public boolean enabled() {
        return maxSegment > 0;
    }

    /** The largest datagram grouped; 0 when GSO is off. */
    public int maxSegment() {
        return maxSegment;
    }

    /**
     * A GSO send of {@code segment}-byte datagrams was refused with {@code errno}.
     *
     * @return what changed, for the caller's log: null when nothing did (an earlier refusal
     *     already lowered the limit below this segment), else a sentence
     */
    public String refused(int errno, int segment) {
        if (maxSegment == 0 || segment > maxSegment) {
            return null; // sent before the limit fell
        }
        if ((errno == Errno.EINVAL || errno == Errno.EMSGSIZE) && segment > MIN_MTU_SEGMENT) {
            maxSegment = segment - 1;
            return "grouping only datagrams up to " + maxSegment + " bytes from now on (a route's MTU is"
                    + " below " + segment + " + headers)";
        }
        maxSegment = 0;
        return "sending one datagram per message from now on";
    }
}
