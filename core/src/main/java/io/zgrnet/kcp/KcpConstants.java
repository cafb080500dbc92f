package io.zgrnet.kcp;

/**
 * The numbers of ikcp (skywind3000/kcp 1.7 with zgrnet's patch) and of the profile zgrnet applies
 * to every stream (kcp.go {@code DefaultConfig}: {@code SetNodelay(2, 1, 2, 1)},
 * {@code SetWndSize(4096, 4096)}, {@code SetMTU(1400)}). services.md §2.2; the vectors'
 * {@code constants.ikcp_constants_patched} and {@code constants.kcp_settings_applied_by_stream}.
 *
 * <p>Spec constants only: nothing here is a tuning knob of ours.
 */
public final class KcpConstants {
    // --- ikcp, as patched by zgrnet ---------------------------------------------------------
    /** Segment header length. */
    public static final int OVERHEAD = 24;
    /** cmd: data. */
    public static final int CMD_PUSH = 81;
    /** cmd: acknowledgement of one PUSH. */
    public static final int CMD_ACK = 82;
    /** cmd: window probe (ask). */
    public static final int CMD_WASK = 83;
    /** cmd: window size (tell). */
    public static final int CMD_WINS = 84;
    /** Minimum RTO with nodelay (patched: upstream 30). */
    public static final int RTO_NDL_MS = 10;
    /** Minimum RTO without nodelay (patched: upstream 100). */
    public static final int RTO_MIN_MS = 50;
    /** RTO of a fresh control block (patched: upstream 200). */
    public static final int RTO_DEF_MS = 100;
    /** Upper bound of the computed RTO (patched: upstream 60000); per-segment backoff is not capped. */
    public static final int RTO_MAX_MS = 5000;
    /** ikcp's default send window (replaced by the profile's 4096). */
    public static final int WND_SND = 32;
    /** ikcp's default receive window; also the initial remote window and the fragment limit. */
    public static final int WND_RCV = 128;
    /** ikcp's default MTU. */
    public static final int MTU_DEF = 1400;
    /** ikcp's ACK_FAST (unused by ikcp's logic, listed for completeness). */
    public static final int ACK_FAST = 3;
    /** ikcp's default flush interval (replaced by the profile's 10 ms). */
    public static final int INTERVAL_DEF_MS = 100;
    /** Transmissions after which ikcp marks the link dead (zgrnet never looks). */
    public static final int DEADLINK = 20;
    /** Initial slow-start threshold (no effect with nocwnd). */
    public static final int THRESH_INIT = 2;
    /** Minimum slow-start threshold (no effect with nocwnd). */
    public static final int THRESH_MIN = 2;
    /** First window probe this long after the remote window closed. */
    public static final int PROBE_INIT_MS = 7000;
    /** Longest wait between window probes. */
    public static final int PROBE_LIMIT_MS = 120_000;
    /** A segment is fast-retransmitted only while it has been sent at most this many times. */
    public static final int FASTACK_LIMIT = 5;
    /** ikcp_update re-anchors its flush clock when it is off by this much or more. */
    public static final int CLOCK_JUMP_MS = 10_000;

    // --- zgrnet's stream profile -----------------------------------------------------------
    /** Largest KCP output (one PSH frame payload). */
    public static final int MTU = 1400;
    /** Largest data bytes per segment. */
    public static final int MSS = MTU - OVERHEAD;
    /** nodelay mode 2: minimum RTO 10 ms, backoff adds rx_rto/2. */
    public static final int NODELAY = 2;
    /** The interval zgrnet asks for. */
    public static final int INTERVAL_REQUESTED_MS = 1;
    /** The interval ikcp applies: requests are clamped to 10..5000. */
    public static final int INTERVAL_MS = Math.max(10, Math.min(5000, INTERVAL_REQUESTED_MS));
    /** Resend after this many "skipping" ACK batches. */
    public static final int FAST_RESEND = 2;
    /** 1: the congestion window is ignored. */
    public static final int NOCWND = 1;
    /** Send window, segments. */
    public static final int SND_WND = 4096;
    /** Receive window, segments. */
    public static final int RCV_WND = 4096;
    /** Remote window assumed until the peer's first segment arrives. */
    public static final int INITIAL_REMOTE_WINDOW = WND_RCV;
    /** A message may have at most this many fragments ({@code count >= WND_RCV} is refused). */
    public static final int MAX_FRAGMENTS = WND_RCV - 1;
    /** Largest message one send accepts: 127 x 1376 = 174 752 bytes. */
    public static final int MAX_MESSAGE_BYTES = MAX_FRAGMENTS * MSS;
    /** Largest message a Go receiver can hand to its application (it drains with 64 KiB). */
    public static final int GO_RECEIVER_MAX_MESSAGE_BYTES = 65_536;

    private KcpConstants() {
    }
}
