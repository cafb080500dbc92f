package io.zgrnet.io.select;

import io.zgrnet.config.SocketOptions;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.io.mmsg.MmsgBackend;
import io.zgrnet.io.uring.IoUringSupport;
import io.zgrnet.io.uring.UringBackend;
import io.zgrnet.io.uring.UringOptions;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Opens the datagram backend an {@link BackendKind} asks for, and says why.
 *
 * <p>{@link BackendKind#AUTO}: io_uring when {@link IoUringSupport} allows it (multishot receive when
 * the kernel has it, else armed RECVMSG), else recvmmsg, else NIO. Each fallback records its cause:
 * ENOSYS from io_uring_setup = a kernel without io_uring (or a sandbox hiding it); EPERM/EACCES =
 * a seccomp filter (Docker's default profile since 25), an LSM or {@code kernel.io_uring_disabled};
 * a missing opcode or feature = a kernel too old. An io_uring that probes fine but fails to open
 * (e.g. ENOMEM from the locked-memory limit) also falls back, with that error. When
 * {@code SocketOptions.udpGro} is on (the default) and the kernel lacks multishot receive (before
 * 6.0), AUTO skips io_uring (armed receive reads into pool slots and cannot take coalesced
 * datagrams) for recvmmsg, which splits them and is faster than armed receive anyway. {@link BackendKind#URING},
 * {@link BackendKind#MMSG} and {@link BackendKind#NIO} open exactly that backend or throw with the reason.
 *
 * <p>Stateless; the io_uring probe runs once per process ({@link IoUringSupport#get()}).
 */
public final class BackendSelector {
    private static final System.Logger LOG = System.getLogger(BackendSelector.class.getName());

    /**
     * What was opened and why.
     *
     * @param backend the open backend (the caller closes it)
     * @param mode the backend's kind: URING, MMSG or NIO (never AUTO)
     * @param reason why this one: the probe's verdict and every fallback's cause
     */
    public record Selection(DatagramBackend backend, BackendKind mode, String reason) {
    }

    private BackendSelector() {
    }

    /** Why {@code mode} cannot run here, or null when it can (AUTO and NIO always can). */
    public static String unavailabilityCause(BackendKind mode) {
        return mode == BackendKind.AUTO ? null : Backends.unavailabilityCause(mode);
    }

    /** Opens per {@code mode} with the process-wide io_uring probe and default io_uring options. */
    public static Selection open(BackendKind mode, InetSocketAddress bind, SocketOptions options, PacketPool pool)
            throws IOException {
        return open(mode, bind, options, pool, IoUringSupport.get(), null);
    }

    /**
     * Opens per {@code mode}.
     *
     * @param support the io_uring probe result to decide with
     * @param uringOptions io_uring tuning, or null for the defaults (multishot when supported)
     * @throws IOException if the backend {@code mode} insists on cannot run (the message says why),
     *         or the socket cannot be bound
     */
    public static Selection open(BackendKind mode, InetSocketAddress bind, SocketOptions options, PacketPool pool,
            IoUringSupport support, UringOptions uringOptions) throws IOException {
        if (mode == null) {
            throw new IllegalArgumentException("mode must not be null");
        }
        return switch (mode) {
            case URING -> {
                if (!support.available()) {
                    throw new IOException("io_uring backend unavailable: " + support.unavailabilityCause());
                }
                UringOptions o = uringOptions(support, uringOptions);
                yield new Selection(UringBackend.open(bind, options, pool, o), BackendKind.URING,
                        uringReason(support, o, options.udpGro()));
            }
            case MMSG -> new Selection(Backends.open(BackendKind.MMSG, bind, options, pool,
                    MmsgBackend.DEFAULT_BATCH_SIZE), BackendKind.MMSG, "recvmmsg/sendmmsg requested");
            case NIO -> new Selection(Backends.open(BackendKind.NIO, bind, options, pool, 1), BackendKind.NIO,
                    "NIO requested");
            case AUTO -> auto(bind, options, pool, support, uringOptions);
        };
    }

    private static Selection auto(InetSocketAddress bind, SocketOptions options, PacketPool pool,
            IoUringSupport support, UringOptions uringOptions) throws IOException {
        String uringCause;
        if (options.udpGro() && support.available() && !support.multishotReceive()) {
            uringCause = "UDP_GRO was requested and only io_uring's multishot receive, which this kernel lacks ("
                    + support.multishotCause() + "), splits coalesced datagrams";
        } else if (support.available()) {
            UringOptions o = uringOptions(support, uringOptions);
            try {
                return new Selection(UringBackend.open(bind, options, pool, o), BackendKind.URING,
                        uringReason(support, o, options.udpGro()));
            } catch (IOException e) {
                if (isBindError(e)) {
                    throw e; // the address is the problem, not io_uring: another backend would fail too
                }
                uringCause = "io_uring probed fine but failed to open: " + e.getMessage();
            }
        } else {
            uringCause = support.unavailabilityCause();
        }
        String mmsgCause = Backends.unavailabilityCause(BackendKind.MMSG);
        if (mmsgCause == null) {
            String reason = "recvmmsg/sendmmsg, because " + uringCause;
            LOG.log(System.Logger.Level.INFO, "datagram backend: {0}", reason);
            return new Selection(Backends.open(BackendKind.MMSG, bind, options, pool,
                    MmsgBackend.DEFAULT_BATCH_SIZE), BackendKind.MMSG, reason);
        }
        String reason = "NIO, because " + uringCause + "; and recvmmsg unavailable: " + mmsgCause;
        LOG.log(System.Logger.Level.INFO, "datagram backend: {0}", reason);
        return new Selection(Backends.open(BackendKind.NIO, bind, options, pool, 1), BackendKind.NIO, reason);
    }

    private static boolean isBindError(IOException e) {
        return e instanceof io.zgrnet.sys.BindFailedException || e instanceof java.net.BindException;
    }

    private static UringOptions uringOptions(IoUringSupport support, UringOptions requested) {
        UringOptions o = requested != null ? requested : UringOptions.defaults();
        if (o.receiveMode() == UringOptions.ReceiveMode.MULTISHOT && !support.multishotReceive()) {
            o = o.withReceiveMode(UringOptions.ReceiveMode.ARMED);
        }
        return o;
    }

    private static String uringReason(IoUringSupport support, UringOptions o, boolean udpGro) {
        return "io_uring (" + (o.receiveMode() == UringOptions.ReceiveMode.MULTISHOT
                ? "multishot receive" + (udpGro ? " with UDP GRO" : "") : "armed receive" + (support.multishotReceive() ? ""
                        : ", multishot unavailable: " + support.multishotCause())) + ")";
    }
}
