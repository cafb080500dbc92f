package io.zgrnet.kcp;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A KcpOutput that keeps a copy of every datagram (tests only: it allocates). */
final class CapturedOutput implements KcpOutput {
    final List<byte[]> datagrams = new ArrayList<>();
    int headroomSeen = Integer.MAX_VALUE;

    @Override
    public void output(byte[] buffer, int offset, int length) {
        headroomSeen = Math.min(headroomSeen, offset);
        datagrams.add(Arrays.copyOfRange(buffer, offset, offset + length));
    }

    /** Takes and clears what was captured. */
    List<byte[]> drain() {
        List<byte[]> out = new ArrayList<>(datagrams);
        datagrams.clear();
        return out;
    }

    /** Feeds every captured datagram into {@code to} and clears. */
    void deliverAll(Kcp to) {
        for (byte[] d : drain()) {
            to.input(MemorySegment.ofArray(d), 0, d.length);
        }
    }

    /** The segment headers of one datagram, as "CMD sn=.. frg=.. len=.." strings. */
    static List<String> describe(byte[] d) {
        MemorySegment s = MemorySegment.ofArray(d);
        List<String> out = new ArrayList<>();
        for (int off = 0; d.length - off >= KcpHeader.LENGTH; off += KcpHeader.LENGTH + KcpHeader.len(s, off)) {
            String cmd = switch (KcpHeader.cmd(s, off)) {
                case KcpConstants.CMD_PUSH -> "PUSH";
                case KcpConstants.CMD_ACK -> "ACK";
                case KcpConstants.CMD_WASK -> "WASK";
                case KcpConstants.CMD_WINS -> "WINS";
                default -> "?" + KcpHeader.cmd(s, off);
            };
            out.add(cmd + " sn=" + KcpHeader.sn(s, off) + " frg=" + KcpHeader.frg(s, off) + " ts="
                    + KcpHeader.ts(s, off) + " una=" + KcpHeader.una(s, off) + " wnd=" + KcpHeader.wnd(s, off)
                    + " len=" + KcpHeader.len(s, off));
        }
        return out;
    }
}
