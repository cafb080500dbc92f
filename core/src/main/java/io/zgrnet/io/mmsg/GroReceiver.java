package io.zgrnet.io.mmsg;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zgrnet.io.BackendStats;
import io.zgrnet.io.BackendStats.Counter;
import io.zgrnet.io.PacketPool;
import io.zgrnet.sys.Cmsghdr;
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
 * carry what would otherwise be 64. Pool slots are too small for that, so this receives into
 * 64 KiB staging buffers and copies each segment into its own slot, with the sender's address.
 *
 * <p>Segments that do not fit the caller's array or the pool stay staged for the next call:
 * nothing already taken from the kernel is dropped except segments larger than a slot (counted as
 * truncated). A buffer without the control message holds one datagram.
 *
 * <p>Memory: {@code messages x 64 KiB} of staging, owned by the backend's arena. I/O thread only.
 */
final class GroReceiver {
    /** The largest coalesced buffer: GRO and GSO both stop at 64 KiB. */
    static final int BUFFER_BYTES = 65536;
    /** Buffers per recvmmsg: up to 16 x 64 datagrams per call for 1 MiB of staging. */
    static final int MAX_MESSAGES = 16;
    /** One control message with an int segment size: CMSG_SPACE(4). */
    private static final int CONTROL_BYTES = (int) Cmsghdr.space(4);

    private final int fd;
    private final String where; // the socket's address, for error messages
    private final PacketPool pool;
    private final int slotSize;
    private final BackendStats stats;
    private final int messages;
    private final MemorySegment vec;
    private final MemorySegment staging;
    private final MemorySegment names;
    private final MemorySegment control;
    private final int[] lengths; // bytes in each staged buffer
    private final int[] segmentSizes; // its segment size (the whole length when not coalesced; 0 for an empty datagram)

    private int staged; // buffers filled by the last recvmmsg
    private int next; // the staged buffer to split next
    private int offset; // the next segment's offset in it
    private boolean drained; // the last recvmmsg found fewer buffers than it asked for

    GroReceiver(int fd, String where, PacketPool pool, BackendStats stats, int batchSize, Arena arena) {
        this.fd = fd;
        this.where = where;
        this.pool = pool;
        this.slotSize = pool.slotSize();
        this.stats = stats;
        this.messages = Math.min(batchSize, MAX_MESSAGES);
        this.vec = arena.allocate((long) messages * Mmsghdr.SIZE, 64);
        MemorySegment iov = arena.allocate((long) messages * Iovec.SIZE, 64);
        this.staging = arena.allocate((long) messages * BUFFER_BYTES, 64);
        this.names = arena.allocate((long) messages * PacketPool.ADDRESS_SIZE, 8);
        this.control = arena.allocate((long) messages * CONTROL_BYTES, 8);
        for (int i = 0; i < messages; i++) {
            long h = (long) i * Mmsghdr.SIZE + Mmsghdr.MSG_HDR;
            Iovec.set(iov, (long) i * Iovec.SIZE, staging.address() + (long) i * BUFFER_BYTES, BUFFER_BYTES);
            vec.set(JAVA_LONG, h + Msghdr.MSG_IOV, iov.address() + (long) i * Iovec.SIZE);
            vec.set(JAVA_LONG, h + Msghdr.MSG_IOVLEN, 1);
            vec.set(JAVA_LONG, h + Msghdr.MSG_NAME, names.address() + (long) i * PacketPool.ADDRESS_SIZE);
            vec.set(JAVA_LONG, h + Msghdr.MSG_CONTROL, control.address() + (long) i * CONTROL_BYTES);
        }
        this.lengths = new int[messages];
        this.segmentSizes = new int[messages];
    }

    /** True when nothing is staged and the last recvmmsg emptied the socket: wait before the next. */
    boolean drained() {
        return drained && next == staged;
    }

    /** Datagrams staged but not yet handed out (dropped at close). */
    int stagedDatagrams() {
        int n = 0;
        for (int i = next; i < staged; i++) {
            int from = i == next ? offset : 0;
            n += segmentSizes[i] == 0 ? 1 : ceilDiv(lengths[i] - from, segmentSizes[i]); // 0: one empty datagram
        }
        return n;
    }

    /**
     * Hands out staged segments, then receives more when there is room: the number delivered,
     * 0 if none, or -1 when the pool had no slot for the first one (counted).
     */
    int receiveNow(int[] slots, int max) throws NativeException {
        int out = split(slots, 0, max);
        if (out >= 0 && out < max && next == staged && receiveBuffers() > 0) {
            out = split(slots, out, max); // -1 only if out was 0: the buffers stay staged
        }
        return out;
    }

    private int receiveBuffers() throws NativeException {
        for (int i = 0; i < messages; i++) {
            long h = (long) i * Mmsghdr.SIZE + Mmsghdr.MSG_HDR;
            vec.set(JAVA_INT, h + Msghdr.MSG_NAMELEN, PacketPool.ADDRESS_SIZE);
            vec.set(JAVA_LONG, h + Msghdr.MSG_CONTROLLEN, CONTROL_BYTES); // the kernel shrinks it to what it wrote
        }
        int n = MmsgBackend.recvmmsg(fd, vec, messages, stats, where);
        drained = n < messages;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            long e = (long) i * Mmsghdr.SIZE;
            int length = vec.get(JAVA_INT, e + Mmsghdr.MSG_LEN);
            int flags = vec.get(JAVA_INT, e + Mmsghdr.MSG_HDR + Msghdr.MSG_FLAGS);
            int segment = segmentSize(i, e, length);
            if ((flags & Net.MSG_TRUNC) != 0 || length < 0 || length > BUFFER_BYTES || segment < 0
                    || segment == 0 && length != 0) {
                stats.increment(Counter.DATAGRAMS_TRUNCATED); // cannot tell where its datagrams begin
                continue;
            }
            if (segment > slotSize) {
                stats.add(Counter.DATAGRAMS_TRUNCATED, ceilDiv(length, segment));
                continue;
            }
            if (segment < length) {
                stats.increment(Counter.GRO_RECEIVES);
                stats.add(Counter.GRO_DATAGRAMS, ceilDiv(length, segment));
            }
            if (kept != i) { // compact: only usable buffers stay staged
                MemorySegment.copy(staging, (long) i * BUFFER_BYTES, staging, (long) kept * BUFFER_BYTES, length);
                MemorySegment.copy(names, (long) i * PacketPool.ADDRESS_SIZE, names,
                        (long) kept * PacketPool.ADDRESS_SIZE, PacketPool.ADDRESS_SIZE);
            }
            lengths[kept] = length;
            segmentSizes[kept] = segment;
            kept++;
        }
        staged = kept;
        next = 0;
        offset = 0;
        return kept;
    }

    /** The UDP_GRO segment size of buffer {@code i}, its whole length without one, or -1 if the control data was cut. */
    private int segmentSize(int i, long entry, int length) {
        long controlLength = vec.get(JAVA_LONG, entry + Mmsghdr.MSG_HDR + Msghdr.MSG_CONTROLLEN);
        int flags = vec.get(JAVA_INT, entry + Mmsghdr.MSG_HDR + Msghdr.MSG_FLAGS);
        if ((flags & Net.MSG_CTRUNC) != 0) {
            return -1;
        }
        long c = (long) i * CONTROL_BYTES;
        if (controlLength >= Cmsghdr.len(4)
                && control.get(JAVA_INT, c + Cmsghdr.CMSG_LEVEL) == Net.SOL_UDP
                && control.get(JAVA_INT, c + Cmsghdr.CMSG_TYPE) == Net.UDP_GRO) {
            return control.get(JAVA_INT, c + Cmsghdr.DATA);
        }
        return length;
    }

    /** Copies staged segments into slots[from..max); the new count, or -1 if none fit and the pool is empty. */
    private int split(int[] slots, int from, int max) {
        int out = from;
        long bytes = 0;
        while (out < max && next < staged) {
            int s = pool.acquire();
            if (s < 0) {
                if (out == from) {
                    stats.increment(Counter.RECEIVE_NO_SLOT);
                    return from == 0 ? -1 : from;
                }
                break;
            }
            int length = Math.min(segmentSizes[next], lengths[next] - offset);
            MemorySegment.copy(staging, (long) next * BUFFER_BYTES + offset, pool.slab(), pool.slotOffset(s), length);
            MemorySegment.copy(names, (long) next * PacketPool.ADDRESS_SIZE, pool.addresses(), pool.addressOffset(s),
                    PacketPool.ADDRESS_SIZE);
            pool.length(s, length);
            pool.dataOffset(s, 0);
            slots[out++] = s;
            bytes += length;
            offset += length;
            if (offset >= lengths[next]) {
                next++;
                offset = 0;
            }
        }
        stats.add(Counter.DATAGRAMS_RECEIVED, out - from);
        stats.add(Counter.BYTES_RECEIVED, bytes);
        return out;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
