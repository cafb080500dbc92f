package io.zgrnet.io;

import io.zgrnet.IOMode;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Turns an {@link IOMode} into a backend and says why: AUTO takes the best available backend
 * (io_uring, then recvmmsg, then NIO) and records the reason for each fallback; an explicit mode
 * fails with the reason instead of falling back.
 */
public final class BackendSelector {
    /**
     * The chosen backend and why it was chosen.
     *
     * @param backend the open backend (the caller owns and closes it)
     * @param reason a sentence for people and logs
     */
    public record Selection(DatagramBackend backend, String reason) {
    }

    private BackendSelector() {
    }

    /** Why {@code mode} cannot run here, or null when it can (AUTO always can). */
    public static String unavailabilityCause(IOMode mode) {
        return switch (mode) {
            case AUTO, NIO -> null;
            case MMSG -> Backends.unavailabilityCause(Backends.Kind.MMSG);
            case URING -> "io_uring backend not built yet";
        };
    }

    /** Opens the backend for {@code mode}. */
    public static Selection open(IOMode mode, InetSocketAddress bind, SocketOptions options, PacketPool pool,
                                 int batchSize) throws IOException {
        return switch (mode) {
            case NIO -> new Selection(Backends.open(Backends.Kind.NIO, bind, options, pool, batchSize), "requested");
            case MMSG -> new Selection(Backends.open(Backends.Kind.MMSG, bind, options, pool, batchSize), "requested");
            case URING -> throw new IOException("io_uring unavailable: " + unavailabilityCause(IOMode.URING));
            case AUTO -> {
                String uring = unavailabilityCause(IOMode.URING);
                String mmsg = Backends.unavailabilityCause(Backends.Kind.MMSG);
                if (mmsg == null) {
                    yield new Selection(Backends.open(Backends.Kind.MMSG, bind, options, pool, batchSize),
                            "AUTO: io_uring unavailable (" + uring + "); using recvmmsg/sendmmsg");
                }
                yield new Selection(Backends.open(Backends.Kind.NIO, bind, options, pool, batchSize),
                        "AUTO: io_uring unavailable (" + uring + "); recvmmsg unavailable (" + mmsg + "); using NIO");
            }
        };
    }
}
