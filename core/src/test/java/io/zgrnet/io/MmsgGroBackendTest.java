package io.zgrnet.io;

import io.zgrnet.config.SocketOptions;
import io.zgrnet.io.mmsg.MmsgBackend;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The backend contract on the recvmmsg backend with UDP_GRO on: every receive goes through the
 * staging-and-split path (coalesced or not), and must keep every promise the plain path keeps.
 */
class MmsgGroBackendTest extends DatagramBackendContract {
    @Override
    protected DatagramBackend open(InetSocketAddress bind, PacketPool pool) throws IOException {
        return MmsgBackend.open(bind, SocketOptions.builder().udpGro(true).build(), pool,
                MmsgBackend.DEFAULT_BATCH_SIZE);
    }

    @Override
    protected String unavailabilityCause() {
        return MmsgBackend.unavailabilityCause();
    }
}
