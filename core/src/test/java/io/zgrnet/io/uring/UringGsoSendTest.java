package io.zgrnet.io.uring;

import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.GsoSendContract;
import io.zgrnet.io.PacketPool;
import io.zgrnet.io.SocketOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/** UDP GSO through the io_uring backend's SENDMSG path. */
class UringGsoSendTest extends GsoSendContract {
    @BeforeAll
    static void requireIoUring() {
        IoUringSupport s = IoUringSupport.get();
        Assumptions.assumeTrue(s.available(), () -> "io_uring unavailable: " + s.unavailabilityCause());
    }

    @Override
    protected DatagramBackend open(PacketPool pool, SocketOptions options, InetSocketAddress bind)
            throws IOException {
        return UringBackend.open(bind, options, pool, UringOptions.defaults(UringOptions.ReceiveMode.ARMED));
    }

    @Override
    protected int socketFd(DatagramBackend backend) {
        return ((UringBackend) backend).rawSocketFd();
    }
}
