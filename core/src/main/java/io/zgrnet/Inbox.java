package io.zgrnet;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Application messages the delivery agent took off the ring while no application thread was
 * reading, copied, in arrival order, until the application reads them. Single producer (whichever
 * thread holds the reader's turn while it consumes the ring), single consumer (the same turn,
 * later), so the turn itself orders every access; the release/acquire pair on {@link #tail} and
 * {@link #freedTo} only makes the hand-over between two different threads holding the turn
 * explicit.
 *
 * <p>Bounded twice: in entries and in bytes (a ring of payload bytes, each payload contiguous).
 * What does not fit is refused and the caller counts it: a reader that stops reading loses its
 * datagrams, never the services (streams, relay) that share the ring with it.
 */
final class Inbox {
    private static final VarHandle LONG = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int TAIL = 0;
    private static final int FREED_TO = 1;

    private final int mask;
    private final PeerKey[] senders;
    private final int[] protocols;
    private final int[] lengths;
    private final long[] starts;
    private final byte[] bytes;
    private final MemorySegment data;
    /** [TAIL] entries published, [FREED_TO] byte position up to which the consumer is done. */
    private final long[] published = new long[2];
    private long head;
    private long writeTo;

    /**
     * @param entries how many messages it holds (a power of two)
     * @param dataBytes how many payload bytes it holds (at least the largest payload)
     */
    Inbox(int entries, int dataBytes) {
        if (Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("entries: must be a power of two, got " + entries);
        }
        this.mask = entries - 1;
        this.senders = new PeerKey[entries];
        this.protocols = new int[entries];
        this.lengths = new int[entries];
        this.starts = new long[entries];
        this.bytes = new byte[dataBytes];
        this.data = MemorySegment.ofArray(bytes);
    }

    /** Copies one message in; false (nothing kept) when it does not fit. Producer side. */
    boolean offer(PeerKey sender, int protocol, MemorySegment payload, long offset, int length) {
        long tail = (long) LONG.getOpaque(published, TAIL);
        if (tail - head > mask) {
            return false;
        }
        long start = writeTo;
        int at = (int) (start % bytes.length);
        if (at + length > bytes.length) {
            start += bytes.length - at; // payloads stay contiguous: skip the end of the ring
            at = 0;
        }
        if (start + length - (long) LONG.getAcquire(published, FREED_TO) > bytes.length) {
            return false;
        }
        MemorySegment.copy(payload, offset, data, at, length);
        int i = (int) (tail & mask);
        senders[i] = sender;
        protocols[i] = protocol;
        lengths[i] = length;
        starts[i] = start;
        writeTo = start + length;
        LONG.setRelease(published, TAIL, tail + 1);
        return true;
    }

    /** True when a message is waiting. */
    boolean isEmpty() {
        return (long) LONG.getAcquire(published, TAIL) == head;
    }

    /** Hands the oldest message to {@code handler} and frees it; false when empty. Consumer side. */
    boolean poll(MessageHandler handler) {
        if (isEmpty()) {
            return false;
        }
        int i = (int) (head & mask);
        long start = starts[i];
        int length = lengths[i];
        PeerKey sender = senders[i];
        senders[i] = null;
        try {
            handler.onMessage(sender, protocols[i], data, start % bytes.length, length);
        } finally {
            head++;
            LONG.setRelease(published, FREED_TO, start + length);
        }
        return true;
    }

    /** Messages waiting. */
    int size() {
        return (int) ((long) LONG.getAcquire(published, TAIL) - head);
    }
}
