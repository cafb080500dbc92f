package io.zgrnet.cli.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.util.Version;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/*
 * Threads: Netty's one event-loop thread owns the channel, the counters and the latency histogram;
 * the harness reads them by submitting a task to that loop (which also reads the loop thread's own
 * CPU clock) and waiting for its result, so nothing is read racily. The count for drain detection
 * is published through a volatile field once per read batch.
 */

/**
 * A Netty 4.2 datagram channel as a {@link Receiver}: what a Java user would pick instead of
 * zgrnet-java's backends. Both transports are configured as Netty documents for batched receive:
 * {@code MAX_DATAGRAM_PAYLOAD_SIZE} = the datagram size plus a {@link FixedRecvByteBufAllocator} of
 * 64 datagrams, so that one read takes up to 64 (epoll: one recvmmsg; io_uring: up to 64 RECVMSG
 * submissions), a 4 MiB receive buffer like every other receiver, pooled direct buffers (Netty's
 * default). The handler does what the zgrnet receivers do: count, read the send stamp for the
 * latency, release.
 */
public final class NettyReceiver implements Receiver {
    /** Netty's version on the class path, e.g. "4.2.18.Final". */
    public static final String VERSION = version();
    private static final int BATCH = 64;
    private static final int RCVBUF = 4 << 20;

    /** The Netty transports compared. */
    public enum Transport {
        /** EpollDatagramChannel with recvmmsg. */
        EPOLL_RECVMMSG("netty-epoll-mmsg"),
        /** IoUringDatagramChannel. */
        IO_URING("netty-uring");

        final String row;

        Transport(String row) {
            this.row = row;
        }

        /** Why Netty's native transport cannot load here, or null. */
        String unavailabilityCause() {
            try {
                Throwable t = this == EPOLL_RECVMMSG ? (Epoll.isAvailable() ? null : Epoll.unavailabilityCause())
                        : (IoUring.isAvailable() ? null : IoUring.unavailabilityCause());
                return t == null ? null : "Netty's native " + (this == EPOLL_RECVMMSG ? "epoll" : "io_uring")
                        + " transport cannot load: " + t;
            } catch (Throwable t) { // NoClassDefFoundError and the like: no native jar for this platform
                return "Netty's native transport cannot load: " + t;
            }
        }
    }

    private final EventLoopGroup group;
    private final Channel channel;
    private final Counter counter = new Counter();
    private final InetSocketAddress address;

    private NettyReceiver(Transport transport, int size, int cpu) throws IOException {
        group = new MultiThreadIoEventLoopGroup(1, transport == Transport.EPOLL_RECVMMSG
                ? EpollIoHandler.newFactory() : IoUringIoHandler.newFactory());
        try {
            if (cpu >= 0) {
                group.submit(() -> Affinity.pin(cpu)).get(5, TimeUnit.SECONDS);
            }
            Bootstrap b = new Bootstrap().group(group)
                    .channel(transport == Transport.EPOLL_RECVMMSG ? EpollDatagramChannel.class
                            : IoUringDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, RCVBUF)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(size * BATCH))
                    .handler(counter);
            b = transport == Transport.EPOLL_RECVMMSG ? b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, size)
                    : b.option(IoUringChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, size);
            channel = b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            address = (InetSocketAddress) channel.localAddress();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("interrupted opening " + transport.row, e);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException(transport.row + ": " + e, e);
        }
    }

    /** The kind for a registry entry. */
    static Receiver.Kind kind(Transport transport) {
        return new Receiver.Kind() {
            @Override
            public String name() {
                return transport.row;
            }

            @Override
            public String unavailabilityCause() {
                return transport.unavailabilityCause();
            }

            @Override
            public Receiver open(int size, int cpu) throws IOException {
                return new NettyReceiver(transport, size, cpu);
            }
        };
    }

    /** Counts datagrams and records latency; runs on the event loop only. */
    private static final class Counter extends ChannelInboundHandlerAdapter {
        private final LatencyHistogram latency = new LatencyHistogram();
        private long count;
        private long now; // one clock read per read batch, as the zgrnet receivers do
        volatile long published;

        Counter() {
        }

        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            ByteBuf c = p.content();
            if (c.readableBytes() >= LoadSender.STAMP_BYTES) {
                if (now == 0) {
                    now = System.nanoTime();
                }
                latency.record(now - c.getLongLE(c.readerIndex()));
            }
            count++;
            p.release();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            now = 0;
            published = count;
        }

        Snapshot snapshot(boolean reset) {
            LatencyHistogram copy = new LatencyHistogram();
            copy.add(latency);
            if (reset) {
                latency.reset();
            }
            return new Snapshot(count, ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(), -1, -1, -1,
                    copy);
        }
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public long receivedSoFar() {
        return counter.published;
    }

    @Override
    public Snapshot snapshot(boolean resetLatency) throws IOException, InterruptedException {
        try {
            return channel.eventLoop().submit(() -> counter.snapshot(resetLatency)).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException(channel + ": no snapshot within 5 s: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close().await(2, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String version() {
        try {
            Version v = Version.identify().get("netty-transport");
            return v == null ? "4.2" : v.artifactVersion();
        } catch (Throwable t) {
            return "4.2";
        }
    }
}
