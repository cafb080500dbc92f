package io.zgrnet.kcp;

/**
 * ACKs owed to the peer since the last flush, in arrival order: (sn, ts) of every PUSH accepted
 * into the window, duplicates included (ikcp's {@code acklist}).
 *
 * <p>ikcp grows this list without bound; ours has a fixed capacity. When it is full an ACK is
 * skipped and counted ({@link KcpCounter#ACK_LIST_FULL}): nothing is lost, because every output
 * segment carries {@code una}, which acknowledges everything received in order, and a segment whose
 * selective ACK was skipped is acknowledged again when the peer resends it. A full list needs more
 * than {@code capacity} PUSH segments within one 10 ms flush interval.
 */
final class AckList {
    private final int[] sns;
    private final int[] tss;
    private int count;

    AckList(int capacity) {
        sns = new int[capacity];
        tss = new int[capacity];
    }

    /** Queues an ACK; false when the list is full. */
    boolean push(int sn, int ts) {
        if (count == sns.length) {
            return false;
        }
        sns[count] = sn;
        tss[count] = ts;
        count++;
        return true;
    }

    int count() {
        return count;
    }

    int sn(int i) {
        return sns[i];
    }

    int ts(int i) {
        return tss[i];
    }

    void clear() {
        count = 0;
    }
}
