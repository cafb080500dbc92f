package io.zgrnet.io;

import io.zgrnet.config.SocketOptions;
import io.zgrnet.io.nio.NioBackend;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The backend contract on the portable NIO backend. */
class NioBackendTest extends DatagramBackendContract {
    @Override
    protected DatagramBackend open(InetSocketAddress bind, PacketPool pool) throws IOException {
        return NioBackend.open(bind, SocketOptions.defaults(), pool);
    }

    @Override
    protected boolean allocatesPerReceive() {
        return true; // the InetSocketAddress NIO returns for every datagram
    }
}
