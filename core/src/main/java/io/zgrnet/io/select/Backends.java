package io.zgrnet.io.select;

import io.zgrnet.config.SocketOptions;
import io.zgrnet.config.SocketOptions;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.io.mmsg.MmsgBackend;
import io.zgrnet.io.uring.IoUringSupport;
import io.zgrnet.io.uring.UringBackend;
import io.zgrnet.io.nio.NioBackend;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Opens one datagram backend by kind, with its defaults. Automatic selection (io_uring, then
 * recvmmsg, then NIO, with the reason for each fallback) is {@link BackendSelector}.
 */
public final class Backends {
    private Backends() {
    }

    /** True when {@code kind} can run on this platform. */
    public static boolean isAvailable(BackendKind kind) {
        return unavailabilityCause(kind) == null;
    }

    /** Why {@code kind} cannot run here, or null when it can. */
    public static String unavailabilityCause(BackendKind kind) {
        return switch (kind) {
            case NIO -> null;
            case MMSG -> MmsgBackend.unavailabilityCause();
            case URING -> IoUringSupport.get().available() ? null : IoUringSupport.get().unavailabilityCause();
            case AUTO -> throw new IllegalArgumentException("kind: AUTO is not one backend (use BackendSelector)");
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
    public static DatagramBackend open(BackendKind kind, InetSocketAddress bind, SocketOptions options, PacketPool pool,
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
            case URING -> UringBackend.open(bind, options, pool);
            case AUTO -> throw new IllegalArgumentException("kind: AUTO is not one backend (use BackendSelector)");
        };
    }
}
