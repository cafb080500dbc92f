package io.zgrnet.io.uring;

import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.GroReceiveContract;
import io.zgrnet.io.PacketPool;
import io.zgrnet.io.SocketOptions;
import java.io.IOException;
import java.net.InetSocketAddress;

/** UDP GRO receive through io_uring multishot RECVMSG over a ring of 64 KiB buffers (GroMultishotReceiver). */
class UringGroReceiveTest extends GroReceiveContract {
    @Override
    protected DatagramBackend open(InetSocketAddress bind, SocketOptions options, PacketPool pool) throws IOException {
        return UringBackend.open(bind, options, pool, UringOptions.defaults(UringOptions.ReceiveMode.MULTISHOT));
    }

    @Override
    protected String unavailabilityCause() {
        IoUringSupport s = IoUringSupport.get();
        return !s.available() ? s.unavailabilityCause() : s.multishotReceive() ? null : s.multishotCause();
    }
}
