package io.zgrnet.io.select;

import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.config.SocketOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Child-process entry point for {@link BackendSelectorTest}: opens a backend with
 * {@link IOMode#AUTO} on loopback and prints {@code mode=<MODE>} and {@code reason=<why>}.
 */
public final class SelectorProbeMain {
    private SelectorProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        try (PacketPool pool = new PacketPool(64, 2048)) {
            BackendSelector.Selection s = BackendSelector.open(BackendKind.AUTO,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), SocketOptions.defaults(), pool);
            try (DatagramBackend b = s.backend()) {
                System.out.println("mode=" + s.mode());
                System.out.println("reason=" + s.reason());
                System.out.println("backend=" + b.name());
            }
        }
    }
}
