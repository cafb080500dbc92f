package io.zgrnet.io;

import io.zgrnet.sys.SocketOptionsReport;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A bound UDP socket that moves datagrams in batches through a {@link PacketPool}.
 *
 * <p>Threading: one thread (the I/O agent) calls {@link #receive} and {@link #send}; any thread may
 * call {@link #wakeup()} and {@link #close()}. Implementations never allocate per datagram on
 * their native paths.
 *
 * <p>Slot ownership: {@code receive} fills slots it acquired from the pool and hands them to the
 * caller, who releases them. {@code send} takes ownership of the slots it is given (even on error)
 * and releases each once the kernel no longer reads it.
 */
public interface DatagramBackend extends AutoCloseable {
    /** A short name for reports, e.g. "nio", "mmsg", "uring-multishot". */
    String name();

    /** The bound local address (with the real port when bound to port 0). */
    InetSocketAddress localAddress();

    /** The pool this backend receives into and sends from. */
    PacketPool pool();

    /**
     * The largest datagram this backend sends and receives: the pool's largest slot
     * ({@link PacketPool#maxDatagram()}), capped by what UDP carries for the socket's address
     * family ({@link UdpLimits#maxPayload}). A larger received datagram is dropped and counted
     * ({@link BackendStats.Counter#DATAGRAMS_TRUNCATED}); a larger one to send is refused by the
     * kernel (counted by errno) or, when it does not fit its slot, as malformed.
     */
    default int maxDatagram() {
        return UdpLimits.maxDatagram(pool(), localAddress());
    }

    /**
     * Receives up to {@code max} datagrams. For each, the slot holds the payload at
     * {@link PacketPool#dataOffset(int)} with {@link PacketPool#length(int)} bytes and the source
     * address in its address area. A datagram that fits a small slot arrives in one; a larger one,
     * up to {@link #maxDatagram()}, in a large slot ({@link PacketPool#isLarge}); when no large slot
     * is free it is dropped and counted ({@link BackendStats.Counter#LARGE_NO_SLOT}), and small
     * datagrams keep flowing. A datagram above {@link #maxDatagram()} is dropped and counted
     * ({@link BackendStats.Counter#DATAGRAMS_TRUNCATED}), never delivered.
     *
     * @param slots receives the indices of the filled slots
     * @param max at most this many datagrams (1..slots.length)
     * @param timeoutNanos how long to wait for the first datagram: 0 = do not wait, negative = until
     *        one arrives, {@link #wakeup()} is called or the backend is closed
     * @return the number of slots filled, 0 on timeout, wakeup or pool exhaustion
     * @throws java.nio.channels.ClosedChannelException if the backend is closed
     * @throws IOException on a socket error other than "no data"
     */
    int receive(int[] slots, int max, long timeoutNanos) throws IOException;

    /**
     * Sends {@code count} datagrams: for each slot, {@link PacketPool#length(int)} bytes at
     * {@link PacketPool#dataOffset(int)} to the address in its address area. Takes ownership of
     * all the slots; datagrams the kernel refuses are counted by errno and their slots released.
     *
     * @return the number of datagrams handed to the kernel
     * @throws java.nio.channels.ClosedChannelException if the backend is closed (slots are released)
     */
    int send(int[] slots, int count) throws IOException;

    /** Makes a blocked or the next {@link #receive} return promptly. Safe from any thread. */
    void wakeup();

    /** Counters of this backend: received, sent, truncated, send errors by errno, ... */
    BackendStats stats();

    /** What the socket options turned into (applied, refused with errno, sizes the kernel gave). */
    SocketOptionsReport socketOptionsReport();

    /**
     * Closes the socket and frees every native resource; a receiver blocked in the kernel returns
     * within 100 ms. Slots held by the backend (armed receives, in-flight sends) go back to the pool.
     * Idempotent.
     */
    @Override
    void close();
}
