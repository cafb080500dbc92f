package io.zgrnet.io;

import io.zgrnet.config.SocketOptions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zgrnet.io.BackendStats.Counter;
import io.zgrnet.io.uring.IoUringSupport;
import io.zgrnet.io.uring.UringBackend;
import io.zgrnet.io.uring.UringOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The backend contract on io_uring with one multishot RECVMSG over a buffer ring of pool slots
 * (UDP GRO off; {@link UringGroBackendTest} runs it with GRO).
 *
 * <p>The kernel writes its 16-byte {@code io_uring_recvmsg_out} header and the reserved 32-byte
 * name area at the start of each provided buffer, so a slot of S bytes holds datagrams up to
 * S - {@value #MULTISHOT_HEADER} bytes (the transport sizes its slots for that). The receiver pools
 * of this suite therefore get that much more room than {@link #SLOT_SIZE}; the exact boundary is
 * tested below.
 */
class UringMultishotBackendTest extends DatagramBackendContract {
    /** Bytes of each slot the kernel uses for its header and the source address. */
    static final int MULTISHOT_HEADER = 48;

    @Override
    protected DatagramBackend open(InetSocketAddress bind, PacketPool pool) throws IOException {
        return UringBackend.open(bind, SocketOptions.builder().udpGro(false).build(), pool,
                UringOptions.defaults(UringOptions.ReceiveMode.MULTISHOT));
    }

    @Override
    protected String unavailabilityCause() {
        IoUringSupport s = IoUringSupport.get();
        return s.multishotReceive() ? null : s.multishotCause();
    }

    @Override
    protected DatagramBackend receiver(InetSocketAddress bind) throws IOException {
        return backend(bind, pool(256, SLOT_SIZE + 64));
    }

    @Test
    void largestDatagramIsTheSlotMinusTheKernelHeader() throws IOException {
        DatagramBackend rx = backend(loopback4(), pool(64, SLOT_SIZE));
        DatagramBackend tx = sender(loopback4());
        byte[] fits = payload(SLOT_SIZE - MULTISHOT_HEADER, 1);
        byte[] last = payload(3, 3);
        assertEquals(3, send(tx, rx.localAddress(), payload(SLOT_SIZE - MULTISHOT_HEADER + 1, 2), fits, last));
        List<Received> got = receive(rx, 2);
        assertArrayEquals(fits, got.get(0).payload());
        assertArrayEquals(last, got.get(1).payload());
        assertEquals(1, rx.stats().get(Counter.DATAGRAMS_TRUNCATED));
    }
}
