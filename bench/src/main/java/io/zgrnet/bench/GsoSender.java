package io.zgrnet.bench;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zgrnet.io.SocketOptions;
import io.zgrnet.sys.Iovec;
import io.zgrnet.sys.Libc;
import io.zgrnet.sys.Mmsghdr;
import io.zgrnet.sys.Msghdr;
import io.zgrnet.sys.Net;
import io.zgrnet.sys.SockAddr;
import io.zgrnet.sys.UdpSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Load generator: a UDP socket with UDP_SEGMENT set (Linux 4.18 GSO), so each entry of one
 * sendmmsg carries up to 64 datagrams that the kernel segments; without GSO it falls back to
 * sendmmsg of single datagrams. Paced to a fixed rate by spinning on System.nanoTime between bursts.
 *
 * <p>One thread; not thread-safe.
 */
final class GsoSender implements AutoCloseable {
    private static final int VLEN = 4;

    private final UdpSocket socket;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment vec;
    private final int perEntry;
    private final boolean gso;
    private final int size;
    private long sendErrors;
    private long calls;

    GsoSender(InetSocketAddress to, int size, boolean useGso) throws IOException {
        this.size = size;
        this.socket = UdpSocket.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                SocketOptions.builder().sendBufferBytes(8 << 20).build());
        boolean g = false;
        if (useGso) {
            try {
                socket.intOption(Net.SOL_UDP, Net.UDP_SEGMENT, size);
                g = true;
            } catch (IOException e) {
                System.err.println("UDP_SEGMENT refused (" + e.getMessage() + "): sendmmsg of single datagrams");
            }
        }
        this.gso = g;
        this.perEntry = g ? Math.min(64, 65000 / size) : 1;
        int entries = g ? VLEN : 256;
        MemorySegment dest = arena.allocate(SockAddr.MAX_SIZE, 8);
        int destLen = SockAddr.write(dest, 0, to);
        MemorySegment payload = arena.allocate((long) perEntry * size, 64);
        for (int i = 0; i < payload.byteSize(); i++) {
            payload.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        MemorySegment iov = arena.allocate(Iovec.SIZE, 8);
        Iovec.set(iov, 0, payload.address(), payload.byteSize());
        this.vec = arena.allocate((long) Mmsghdr.SIZE * entries, 8);
        for (int e = 0; e < entries; e++) {
            long h = (long) e * Mmsghdr.SIZE + Mmsghdr.MSG_HDR;
            vec.set(JAVA_LONG, h + Msghdr.MSG_NAME, dest.address());
            vec.set(JAVA_INT, h + Msghdr.MSG_NAMELEN, destLen);
            vec.set(JAVA_LONG, h + Msghdr.MSG_IOV, iov.address());
            vec.set(JAVA_LONG, h + Msghdr.MSG_IOVLEN, 1L);
        }
        this.entriesPerCall = entries;
    }

    private final int entriesPerCall;

    /** Datagrams one {@link #burst()} sends. */
    int burstSize() {
        return perEntry * entriesPerCall;
    }

    boolean gso() {
        return gso;
    }

    /** Sends one burst; returns datagrams the kernel accepted. */
    int burst() {
        calls++;
        int n = Net.sendmmsg(Libc.errnoSlot(), socket.fd(), vec, entriesPerCall, 0);
        if (n < 0) {
            sendErrors++;
            return 0;
        }
        return n * perEntry;
    }

    /** Sends {@code total} datagrams at {@code ratePps} (0 = as fast as possible); returns those accepted. */
    long run(long total, long ratePps) {
        long start = System.nanoTime();
        long sent = 0;
        long attempted = 0;
        while (attempted < total) {
            if (ratePps > 0) {
                long due = start + (long) (attempted * 1e9 / ratePps);
                while (System.nanoTime() - due < 0) {
                    Thread.onSpinWait();
                }
            }
            attempted += burstSize();
            sent += burst();
        }
        return sent;
    }

    long sendErrors() {
        return sendErrors;
    }

    long calls() {
        return calls;
    }

    int size() {
        return size;
    }

    @Override
    public void close() {
        socket.close();
        arena.close();
    }
}
