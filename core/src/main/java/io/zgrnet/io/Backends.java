package io.zgrnet.io;

import io.zgrnet.io.mmsg.MmsgBackend;
import io.zgrnet.io.nio.NioBackend;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Opens a datagram backend by kind. Minimal on purpose: automatic selection (io_uring, then mmsg,
 * then NIO, with the reason for each fallback) builds on {@link #isAvailable} and
 * {@link #unavailabilityCause}.
 */
public final class Backends {
    /** The backends this factory knows. */
    public enum Kind {
        /** {@link NioBackend}: portable, one datagram per system call. */
        NIO,
        /** {@link MmsgBackend}: Linux recvmmsg/sendmmsg batches. */
        MMSG
    }

    private Backends() {
    }

    /** True when {@code kind} can run on this platform. */
    public static boolean isAvailable(Kind kind) {
        return unavailabilityCause(kind) == null;
    }

    /** Why {@code kind} cannot run here, or null when it can. */
    public static String unavailabilityCause(Kind kind) {
        return switch (kind) {
            case NIO -> null;
            case MMSG -> MmsgBackend.unavailabilityCause();
        };
    }

    /**
     * Opens a backend of {@code kind} bound to {@code bind}.
     *
     * @param batchSize datagrams per system call (ignored by NIO, which has no batch call)
     * @throws IllegalArgumentException naming the argument that is invalid
     * @throws IOException if the backend is unavailable here or the socket cannot be bound (the
     *         message names the address)
     */
    public static DatagramBackend open(Kind kind, InetSocketAddress bind, SocketOptions options, PacketPool pool,
                                       int batchSize) throws IOException {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        String cause = unavailabilityCause(kind);
        if (cause != null) {
            throw new IOException(kind + " backend unavailable: " + cause);
        }
        return switch (kind) {
            case NIO -> NioBackend.open(bind, options, pool);
            case MMSG -> MmsgBackend.open(bind, options, pool, batchSize);
        };
    }
}
