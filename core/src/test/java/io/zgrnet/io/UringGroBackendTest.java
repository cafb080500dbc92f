package io.zgrnet.io;

import io.zgrnet.config.SocketOptions;
import io.zgrnet.io.uring.IoUringSupport;
import io.zgrnet.io.uring.UringBackend;
import io.zgrnet.io.uring.UringOptions;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The backend contract on io_uring multishot receive with UDP_GRO on: every datagram, coalesced
 * or not, goes through the 64 KiB buffer ring and the split into pool slots.
 */
class UringGroBackendTest extends DatagramBackendContract {
    @Override
    protected DatagramBackend open(InetSocketAddress bind, PacketPool pool) throws IOException {
        return UringBackend.open(bind, SocketOptions.builder().udpGro(true).build(), pool,
                UringOptions.defaults(UringOptions.ReceiveMode.MULTISHOT));
    }

    @Override
    protected String unavailabilityCause() {
        IoUringSupport s = IoUringSupport.get();
        return !s.available() ? s.unavailabilityCause() : s.multishotReceive() ? null : s.multishotCause();
    }
}
