package io.zgrnet.io;

import io.zgrnet.config.SocketOptions;
import io.zgrnet.io.uring.IoUringSupport;
import io.zgrnet.io.uring.UringBackend;
import io.zgrnet.io.uring.UringOptions;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The backend contract on io_uring with N armed RECVMSG operations. */
class UringArmedBackendTest extends DatagramBackendContract {
    @Override
    protected DatagramBackend open(InetSocketAddress bind, PacketPool pool) throws IOException {
        return UringBackend.open(bind, SocketOptions.builder().udpGro(false).build(), pool,
                UringOptions.defaults(UringOptions.ReceiveMode.ARMED));
    }

    @Override
    protected String unavailabilityCause() {
        return IoUringSupport.get().unavailabilityCause();
    }
}
