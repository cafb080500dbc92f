package io.zgrnet.io.mmsg;

import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.GsoSendContract;
import io.zgrnet.io.PacketPool;
import io.zgrnet.config.SocketOptions;
import java.io.IOException;
import java.net.InetSocketAddress;

/** UDP GSO through the recvmmsg/sendmmsg backend. */
class MmsgGsoSendTest extends GsoSendContract {
    @Override
    protected DatagramBackend open(PacketPool pool, SocketOptions options, InetSocketAddress bind)
            throws IOException {
        return MmsgBackend.open(bind, options, pool, MmsgBackend.DEFAULT_BATCH_SIZE);
    }

    @Override
    protected int socketFd(DatagramBackend backend) {
        return ((MmsgBackend) backend).socketFd();
    }
}
