package io.zgrnet.cli.bench;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.zgrnet.config.SocketOptions;
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
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Load generator: a UDP socket with UDP_SEGMENT set (Linux 4.18 GSO), so each entry of one
 * sendmmsg carries up to 64 datagrams that the kernel segments; without GSO it falls back to
 * sendmmsg of single datagrams. Paced to a fixed rate by spinning on System.nanoTime between
 * bursts. With several flows, consecutive bursts leave from different source sockets (ports), so
 * that SO_REUSEPORT receivers, which hash flows to sockets, share the load.
 *
 * <p>Every datagram starts with the send time of its burst ({@link System#nanoTime}, which is
 * CLOCK_MONOTONIC on Linux and therefore comparable between processes of one machine), so a
 * receiver can compute one-way latency; the datagrams of one burst share the stamp, so the latency
 * includes the wait behind the burst's earlier datagrams.
 *
 * <p>One thread; not thread-safe.
 */
public final class LoadSender implements AutoCloseable {
    /** Bytes at the start of each datagram holding the send time (little-endian nanoTime). */
    public static final int STAMP_BYTES = 8;
    private static final int GSO_ENTRIES = 4;
    private static final int PLAIN_ENTRIES = 256;
    private static final int MAX_SEGMENTS = 64;
    private static final int MAX_GSO_BYTES = 65000;

    /** Most source sockets (flows) one sender spreads its bursts over. */
    public static final int MAX_FLOWS = 64;

    private final UdpSocket[] sockets;
    private int nextSocket;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment vec;
    private final MemorySegment payload;
    private final int perEntry;
    private final int entriesPerCall;
    private final boolean gso;
    private final int size;
    private final String gsoCause;
    private long sendErrors;
    private long calls;

    /**
     * @param to where to send (loopback)
     * @param size datagram size in bytes, at least {@link #STAMP_BYTES}
     * @param useGso try UDP_SEGMENT first
     */
    public LoadSender(InetSocketAddress to, int size, boolean useGso) throws IOException {
        this(to, size, useGso, 1);
    }

    /**
     * @param to where to send (loopback)
     * @param size datagram size in bytes, at least {@link #STAMP_BYTES}
     * @param useGso try UDP_SEGMENT first
     * @param flows source sockets to rotate bursts over, 1..{@link #MAX_FLOWS}
     */
    public LoadSender(InetSocketAddress to, int size, boolean useGso, int flows) throws IOException {
        if (size < STAMP_BYTES || size > 65507) {
            throw new IllegalArgumentException("size must be " + STAMP_BYTES + "..65507, got " + size);
        }
        if (flows < 1 || flows > MAX_FLOWS) {
            throw new IllegalArgumentException("flows must be 1.." + MAX_FLOWS + ", got " + flows);
        }
        this.size = size;
        this.sockets = new UdpSocket[flows];
        boolean g = useGso;
        String cause = useGso ? null : "disabled";
        try {
            for (int i = 0; i < flows; i++) {
                sockets[i] = UdpSocket.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        SocketOptions.builder().sendBufferBytes(8 << 20).build());
                if (g) {
                    try {
                        sockets[i].intOption(Net.SOL_UDP, Net.UDP_SEGMENT, size);
                    } catch (IOException e) {
                        g = false;
                        cause = "UDP_SEGMENT refused: " + e.getMessage();
                        for (int j = 0; j < i; j++) {
                            sockets[j].intOption(Net.SOL_UDP, Net.UDP_SEGMENT, 0);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            closeSockets();
            arena.close();
            throw e;
        }
        this.gso = g;
        this.gsoCause = cause;
        this.perEntry = g ? Math.max(1, Math.min(MAX_SEGMENTS, MAX_GSO_BYTES / size)) : 1;
        this.entriesPerCall = g ? GSO_ENTRIES : PLAIN_ENTRIES;
        MemorySegment dest = arena.allocate(SockAddr.MAX_SIZE, 8);
        int destLen = SockAddr.write(dest, 0, to);
        payload = arena.allocate((long) perEntry * size, 64);
        for (long i = 0; i < payload.byteSize(); i++) {
            payload.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        MemorySegment iov = arena.allocate(Iovec.SIZE, 8);
        Iovec.set(iov, 0, payload.address(), payload.byteSize());
        this.vec = arena.allocate((long) Mmsghdr.SIZE * entriesPerCall, 8);
        for (int e = 0; e < entriesPerCall; e++) {
            long h = (long) e * Mmsghdr.SIZE + Mmsghdr.MSG_HDR;
            vec.set(JAVA_LONG, h + Msghdr.MSG_NAME, dest.address());
            vec.set(JAVA_INT, h + Msghdr.MSG_NAMELEN, destLen);
            vec.set(JAVA_LONG, h + Msghdr.MSG_IOV, iov.address());
            vec.set(JAVA_LONG, h + Msghdr.MSG_IOVLEN, 1L);
        }
    }

    /** Datagrams one {@link #burst()} sends. */
    public int burstSize() {
        return perEntry * entriesPerCall;
    }

    /** True when the kernel accepted UDP_SEGMENT. */
    public boolean gso() {
        return gso;
    }

    /** Why GSO is off, or null when it is on. */
    public String gsoCause() {
        return gsoCause;
    }

    /** Stamps the payload with the current time and sends one burst; returns datagrams the kernel accepted. */
    public int burst() {
        long now = System.nanoTime();
        for (int i = 0; i < perEntry; i++) {
            payload.set(JAVA_LONG_UNALIGNED, (long) i * size, now);
        }
        calls++;
        UdpSocket socket = sockets[nextSocket];
        nextSocket = nextSocket + 1 == sockets.length ? 0 : nextSocket + 1;
        int n = Net.sendmmsg(Libc.errnoSlot(), socket.fd(), vec, entriesPerCall, 0);
        if (n < 0) {
            sendErrors++;
            return 0;
        }
        return n * perEntry;
    }

    /**
     * Sends {@code total} datagrams at {@code ratePps} (0 = as fast as possible).
     *
     * @return the datagrams the kernel accepted
     */
    public long run(long total, long ratePps) {
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

    /**
     * Sends for {@code durationNanos} at {@code ratePps} (0 = as fast as possible).
     *
     * @return the datagrams the kernel accepted
     */
    public long runFor(long durationNanos, long ratePps) {
        long start = System.nanoTime();
        long end = start + durationNanos;
        long sent = 0;
        long attempted = 0;
        while (true) {
            long now = System.nanoTime();
            if (now - end >= 0) {
                return sent;
            }
            if (ratePps > 0) {
                long due = start + (long) (attempted * 1e9 / ratePps);
                if (now - due < 0) {
                    Thread.onSpinWait();
                    continue;
                }
            }
            attempted += burstSize();
            sent += burst();
        }
    }

    /** sendmmsg calls that failed. */
    public long sendErrors() {
        return sendErrors;
    }

    /** sendmmsg calls made. */
    public long calls() {
        return calls;
    }

    /** Datagram size in bytes. */
    public int size() {
        return size;
    }

    /** Source sockets in rotation. */
    public int flows() {
        return sockets.length;
    }

    @Override
    public void close() {
        closeSockets();
        arena.close();
    }

    private void closeSockets() {
        for (UdpSocket s : sockets) {
            if (s != null) {
                s.close();
            }
        }
    }
}
