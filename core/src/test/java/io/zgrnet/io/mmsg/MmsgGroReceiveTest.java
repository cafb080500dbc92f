package io.zgrnet.io.mmsg;

import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.GroReceiveContract;
import io.zgrnet.io.PacketPool;
import io.zgrnet.config.SocketOptions;
import java.io.IOException;
import java.net.InetSocketAddress;

/** UDP GRO receive through the recvmmsg backend (GroReceiver: staging buffers, split by copy). */
class MmsgGroReceiveTest extends GroReceiveContract {
    @Override
    protected DatagramBackend open(InetSocketAddress bind, SocketOptions options, PacketPool pool) throws IOException {
        return MmsgBackend.open(bind, options, pool, MmsgBackend.DEFAULT_BATCH_SIZE);
    }

    @Override
    protected String unavailabilityCause() {
        return MmsgBackend.unavailabilityCause();
    }
}
