package io.zgrnet.io.mmsg;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.BackendStats.Counter;
import io.zgrnet.io.GroBuffers;
import io.zgrnet.io.PacketPool;
import io.zgrnet.sys.Iovec;
import io.zgrnet.sys.Mmsghdr;
import io.zgrnet.sys.Msghdr;
import io.zgrnet.sys.Net;
import io.zgrnet.sys.NativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The receive side of a socket with {@code UDP_GRO} on (Linux 5.0): the kernel hands over up to
 * 64 datagrams of one flow as one buffer of up to 64 KiB plus a {@code SOL_UDP/UDP_GRO} control
 * message holding the segment size, so one {@code recvmmsg} entry and one trip through the stack
 * carry what would otherwise be 64.
 *
 * <p>Each entry has two iovecs: a pool slot, then 64 KiB of staging. A lone datagram that fits the
 * slot lands there and is handed out as is, no copy (as without GRO). A coalesced buffer's first
 * datagram is also the slot; the rest of the slot is copied into the staging buffer in front of
 * what the kernel wrote there, and each further datagram is copied from it into a slot of its own
 * with the sender's address.
 *
 * <p>Datagrams larger than a small slot (a lone one, or the segments of a buffer whose segment
 * size exceeds a slot) go into large slots: the slot's part is first mirrored in front of the
 * staging, so the buffer is contiguous there, and each datagram is copied out of it; the entry's
 * small slot stays armed. No large slot free: that datagram is dropped and counted
 * ({@link Counter#LARGE_NO_SLOT}), never waited for, so small traffic behind it is not held up.
 *
 * <p>Datagrams that do not fit the caller's array or the pool's small slots wait, in order, for
 * the next call (no new recvmmsg until all are out): nothing taken from the kernel is dropped
 * except what exceeds the receive limit (counted as truncated; the slot stays armed) or finds no
 * large slot.
 *
 * <p>Memory: {@code messages x (slot + 64 KiB)} of staging, owned by the backend's arena. I/O thread only.
 */
final class GroReceiver {
    /** Entries per recvmmsg: up to 16 x 64 datagrams per call for ~1 MiB of staging. */
    static final int MAX_MESSAGES = 16;
    private static final int IOVS = 2;

    private final int fd;
    private final String where; // the socket's address, for error messages
    private final PacketPool pool;
    private final int slotSize;
    private final int limit; // largest datagram (segment) delivered
    private final BackendStats stats;
    private final int messages;
    private final long stageBytes; // per entry: the slot's length (mirrored on copy), then the kernel's part
    private final MemorySegment vec;
    private final MemorySegment iov;
    private final MemorySegment staging;
    private final MemorySegment sources; // per entry: the sender's address, kept once its slot is handed out
    private final MemorySegment control;
    private final int[] armed; // per entry: the slot its first iovec points at, or -1
    private final int[] lengths; // per entry: bytes received
    private final int[] segmentSizes; // per entry: segment size (the whole length when not coalesced)

    private final int[] order; // entries with datagrams to hand out, in arrival order
    private int staged; // entries in order[]
    private int next; // index into order[] of the entry being handed out
    private int offset; // the next datagram's offset in that entry (0: its slot, not yet handed out)
    private boolean drained; // the last recvmmsg found fewer entries than it asked for

    GroReceiver(int fd, String where, PacketPool pool, int limit, BackendStats stats, int batchSize, Arena arena) {
        this.fd = fd;
        this.where = where;
        this.pool = pool;
        this.slotSize = pool.slotSize();
        this.limit = limit;
        this.stats = stats;
        this.messages = Math.min(batchSize, MAX_MESSAGES);
        this.stageBytes = (slotSize + GroBuffers.PAYLOAD_BYTES + 63L) & ~63L;
        this.vec = arena.allocate((long) messages * Mmsghdr.SIZE, 64);
        this.iov = arena.allocate((long) messages * IOVS * Iovec.SIZE, 64);
        this.staging = arena.allocate(messages * stageBytes, 64);
        this.sources = arena.allocate((long) messages * PacketPool.ADDRESS_SIZE, 8);
        this.control = arena.allocate((long) messages * GroBuffers.CONTROL_BYTES, 8);
        for (int i = 0; i < messages; i++) {
            long h = (long) i * Mmsghdr.SIZE + Mmsghdr.MSG_HDR;
            Iovec.set(iov, ((long) i * IOVS + 1) * Iovec.SIZE, staging.address() + i * stageBytes + slotSize,
                    GroBuffers.PAYLOAD_BYTES);
            vec.set(JAVA_LONG, h + Msghdr.MSG_IOV, iov.address() + (long) i * IOVS * Iovec.SIZE);
            vec.set(JAVA_LONG, h + Msghdr.MSG_IOVLEN, IOVS);
            vec.set(JAVA_LONG, h + Msghdr.MSG_CONTROL, control.address() + (long) i * GroBuffers.CONTROL_BYTES);
        }
        this.armed = new int[messages];
        java.util.Arrays.fill(armed, -1);
        this.lengths = new int[messages];
        this.segmentSizes = new int[messages];
        this.order = new int[messages];
    }

    /** True when nothing is staged and the last recvmmsg emptied the socket: wait before the next. */
    boolean drained() {
        return drained && next == staged;
    }

    /** Datagrams received but not yet handed out (dropped at close). */
    int stagedDatagrams() {
        int n = 0;
        for (int k = next; k < staged; k++) {
            int m = order[k];
            int left = lengths[m] - (k == next ? offset : 0);
            n += GroBuffers.datagrams(left, segmentSizes[m]);
        }
        return n;
    }

    /**
     * Hands out staged datagrams, then receives more when there is room: the number delivered,
     * 0 if none, or -1 when no slot could be armed or the pool had none for the first (counted).
     */
    int receiveNow(int[] slots, int max) throws NativeException {
        int out = handOut(slots, 0, max);
        if (out >= 0 && out < max && next == staged) {
            int n = receiveEntries();
            if (n < 0) {
                return out == 0 ? -1 : out;
            }
            if (n > 0) {
                int more = handOut(slots, out, max);
                out = more < 0 ? out : more;
            }
        }
        return out;
    }

    /** One recvmmsg into every entry that has a slot: entries kept, 0 if none, -1 if no slot. */
    private int receiveEntries() throws NativeException {
        int v = MmsgBackend.arm(pool, armed, vec, iov, (long) IOVS * Iovec.SIZE, messages);
        for (int i = 0; i < v; i++) { // the kernel shrinks msg_controllen to what it wrote
            long h = (long) i * Mmsghdr.SIZE + Mmsghdr.MSG_HDR;
            vec.set(JAVA_LONG, h + Msghdr.MSG_CONTROLLEN, GroBuffers.CONTROL_BYTES);
        }
        if (v == 0) {
            stats.increment(Counter.RECEIVE_NO_SLOT);
            return -1;
        }
        int n = MmsgBackend.recvmmsg(fd, vec, v, stats, where);
        drained = n < v;
        staged = 0;
        next = 0;
        offset = 0;
        for (int i = 0; i < n; i++) {
            if (accept(i)) {
                order[staged++] = i;
            }
        }
        return staged;
    }

    /** Checks entry {@code i} after a recvmmsg: true when it holds datagrams to hand out. */
    private boolean accept(int i) {
        long e = (long) i * Mmsghdr.SIZE;
        int length = vec.get(JAVA_INT, e + Mmsghdr.MSG_LEN);
        int flags = vec.get(JAVA_INT, e + Mmsghdr.MSG_HDR + Msghdr.MSG_FLAGS);
        if ((flags & (Net.MSG_TRUNC | Net.MSG_CTRUNC)) != 0 || length < 0
                || length > slotSize + GroBuffers.PAYLOAD_BYTES) {
            stats.increment(Counter.DATAGRAMS_TRUNCATED); // cannot tell where its datagrams begin
            return false;
        }
        int segment = GroBuffers.segmentSize(control, (long) i * GroBuffers.CONTROL_BYTES,
                vec.get(JAVA_LONG, e + Mmsghdr.MSG_HDR + Msghdr.MSG_CONTROLLEN), length);
        if (!GroBuffers.accept(stats, length, segment)) {
            return false;
        }
        lengths[i] = length;
        segmentSizes[i] = segment;
        return true;
    }

    /**
     * Hands out staged datagrams into slots[from..max) in order: the new count, or -1 when none fit
     * because the pool is empty (counted).
     */
    private int handOut(int[] slots, int from, int max) {
        int out = from;
        long bytes = 0;
        while (out < max && next < staged) {
            int m = order[next];
            int length = lengths[m];
            int segment = segmentSizes[m];
            long stage = m * stageBytes;
            if (segment > slotSize) {
                int s = takeLarge(m, length, segment);
                if (s == WAIT) {
                    if (out == from) {
                        stats.increment(Counter.RECEIVE_NO_SLOT);
                        return from == 0 ? -1 : from;
                    }
                    break; // waits, in order, like any small datagram
                }
                if (s >= 0) {
                    slots[out++] = s;
                    bytes += pool.length(s);
                }
            } else if (offset == 0) {
                // The entry's slot is its first datagram. Before it leaves, keep what the rest needs:
                // the slot's tail goes in front of the kernel's part of the staging, and the address.
                int slot = armed[m];
                armed[m] = -1;
                int first = Math.min(segment, length);
                if (first < length) {
                    MemorySegment.copy(pool.slab(), pool.slotOffset(slot) + first, staging, stage + first,
                            Math.min(length, slotSize) - first);
                    MemorySegment.copy(pool.addresses(), pool.addressOffset(slot), sources,
                            (long) m * PacketPool.ADDRESS_SIZE, PacketPool.ADDRESS_SIZE);
                }
                pool.length(slot, first);
                pool.dataOffset(slot, 0);
                slots[out++] = slot;
                bytes += first;
                offset = first;
            } else {
                int s = pool.acquire();
                if (s < 0) {
                    if (out == from) {
                        stats.increment(Counter.RECEIVE_NO_SLOT);
                        return from == 0 ? -1 : from;
                    }
                    break;
                }
                int l = Math.min(segment, length - offset);
                MemorySegment.copy(staging, stage + offset, pool.slab(), pool.slotOffset(s), l);
                MemorySegment.copy(sources, (long) m * PacketPool.ADDRESS_SIZE, pool.addresses(), pool.addressOffset(s),
                        PacketPool.ADDRESS_SIZE);
                pool.length(s, l);
                pool.dataOffset(s, 0);
                slots[out++] = s;
                bytes += l;
                offset += l;
            }
            if (offset >= length) {
                next++;
                offset = 0;
            }
        }
        stats.add(Counter.DATAGRAMS_RECEIVED, out - from);
        stats.add(Counter.BYTES_RECEIVED, bytes);
        return out;
    }

    /** {@link #takeLarge}: no small slot for a short last segment; nothing changed, try again later. */
    private static final int WAIT = -2;
    /** {@link #takeLarge}: the datagram was dropped (above the limit, or no large slot) and counted. */
    private static final int DROPPED = -1;

    /**
     * The next datagram of entry {@code m}, whose segments are larger than a small slot (kept apart
     * from {@link #handOut}, whose common path stays as compact as it was): on the first one, the
     * slot's part is mirrored in front of the staging so the buffer is contiguous there and the
     * source address is kept (the small slot stays armed); each datagram is then copied into a
     * large slot (a short last segment into a small one). Returns the filled slot, {@link #DROPPED}
     * or {@link #WAIT}; advances {@link #offset} unless it returns WAIT.
     */
    private int takeLarge(int m, int length, int segment) {
        long stage = m * stageBytes;
        if (offset == 0) {
            int slot = armed[m];
            MemorySegment.copy(pool.slab(), pool.slotOffset(slot), staging, stage, Math.min(length, slotSize));
            MemorySegment.copy(pool.addresses(), pool.addressOffset(slot), sources, (long) m * PacketPool.ADDRESS_SIZE,
                    PacketPool.ADDRESS_SIZE);
        }
        int l = Math.min(segment, length - offset);
        if (l > limit) { // a GSO sender's segments above our limit (its last one may be within)
            stats.increment(Counter.DATAGRAMS_TRUNCATED);
            offset += l;
            return DROPPED;
        }
        boolean large = l > slotSize;
        int s = large ? pool.acquireLarge() : pool.acquire();
        if (s < 0) {
            if (!large) {
                return WAIT;
            }
            stats.increment(Counter.LARGE_NO_SLOT); // dropped, never waited for
            offset += l;
            return DROPPED;
        }
        MemorySegment.copy(staging, stage + offset, pool.slab(), pool.slotOffset(s), l);
        MemorySegment.copy(sources, (long) m * PacketPool.ADDRESS_SIZE, pool.addresses(), pool.addressOffset(s),
                PacketPool.ADDRESS_SIZE);
        pool.length(s, l);
        pool.dataOffset(s, 0);
        if (large) {
            stats.increment(Counter.LARGE_RECEIVED);
        }
        offset += l;
        return s;
    }

    /** Returns every armed slot to the pool (the backend is closing; staged datagrams are dropped). */
    void releaseAll() {
        for (int i = 0; i < messages; i++) {
            if (armed[i] >= 0) {
                pool.release(armed[i]);
                armed[i] = -1;
            }
        }
    }
}
