package io.zgrnet.cli.bench;

import io.zgrnet.io.select.BackendKind;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.zgrnet.io.select.BackendSelector;
import io.zgrnet.io.BackendStats;
import io.zgrnet.io.select.Backends;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.config.SocketOptions;
import io.zgrnet.io.mmsg.MmsgBackend;
import io.zgrnet.io.uring.IoUringSupport;
import io.zgrnet.io.uring.UringBackend;
import io.zgrnet.io.uring.UringOptions;
import io.zgrnet.io.uring.UringStats;
import io.zgrnet.sys.RecvmsgOut;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/*
 * Threads: one receiver thread owns the backend, its counters and the latency histogram. The
 * harness thread talks to it through two volatile fields: it posts a command (snapshot, or
 * snapshot and reset) and wakes the backend; the receiver answers by publishing the snapshot and
 * clearing the command (volatile write after the snapshot fields: the harness's volatile read of
 * the cleared command sees them).
 */

/** A receiver thread draining one zgrnet {@link DatagramBackend}, as the transport's I/O agent would. */
public final class JavaReceiver implements Receiver {
    private static final int MAX_BATCH = 256;
    /** "uring-armed-N": armed receive with N RECVMSG in flight instead of the default 256. */
    static final String ARMED_DEPTH_PREFIX = "uring-armed-";
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int CMD_NONE = 0;
    private static final int CMD_SNAPSHOT = 1;
    private static final int CMD_SNAPSHOT_RESET = 2;
    private static final int CMD_STOP = 3;

    private final DatagramBackend backend;
    private final PacketPool pool;
    private final int cpu;
    private final Thread thread;
    private final LatencyHistogram latency = new LatencyHistogram();
    private volatile int command;
    private volatile long received;
    private volatile Snapshot reply;
    private volatile Throwable failure;

    private JavaReceiver(DatagramBackend backend, PacketPool pool, int cpu) {
        this.backend = backend;
        this.pool = pool;
        this.cpu = cpu;
        this.thread = new Thread(this::loop, "bench-rx-" + backend.name());
        thread.setDaemon(true);
        thread.start();
    }

    /** The zgrnet receive paths: io_uring multishot (without and with UDP GRO), io_uring armed, recvmmsg (without and with UDP GRO), NIO. */
    public static List<Receiver.Kind> kinds() {
        return List.of(kind("uring-multishot"), kind("uring-multishot-gro"), kind("uring-armed"), kind("mmsg"),
                kind("mmsg-gro"), kind("nio"));
    }

    /** A kind by name: uring-multishot, uring-multishot-gro, uring-armed, mmsg, mmsg-gro or nio (-gro: with UDP_GRO). */
    public static Receiver.Kind kind(String name) {
        return new Receiver.Kind() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String unavailabilityCause() {
                return switch (name) {
                    case "uring-multishot", "uring-multishot-gro" -> {
                        IoUringSupport s = IoUringSupport.get();
                        yield !s.available() ? s.unavailabilityCause() : s.multishotReceive() ? null : s.multishotCause();
                    }
                    case String n when n.equals("uring-armed") || n.startsWith(ARMED_DEPTH_PREFIX) ->
                            BackendSelector.unavailabilityCause(BackendKind.URING);
                    case "mmsg", "mmsg-gro" -> Backends.unavailabilityCause(BackendKind.MMSG);
                    case "nio" -> null;
                    default -> "unknown receiver " + name;
                };
            }

            @Override
            public Receiver open(int size, int cpu) throws IOException {
                return JavaReceiver.open(name, cpu, size);
            }
        };
    }

    static JavaReceiver open(String name, int cpu, int size) throws IOException {
        return open(name, cpu, size, 0, false);
    }

    /**
     * The receiver's pool: 4096 slots of 2 KiB, as before, for datagrams that fit one (the zero-copy
     * paths stay as they were measured); beside them, for larger datagrams, {@value #LARGE_SLOTS}
     * large slots of 64 KiB. More than a transport's default of 64, so that a GRO buffer of 8 KB
     * segments (16 buffers x 8) never finds them all waiting for this loop's release.
     */
    static PacketPool pool(int size) {
        return size <= PacketPool.DEFAULT_SLOT_SIZE - URING_RING_HEADER ? new PacketPool(4096, PacketPool.DEFAULT_SLOT_SIZE)
                : new PacketPool(4096, PacketPool.DEFAULT_SLOT_SIZE, LARGE_SLOTS, PacketPool.DEFAULT_LARGE_SLOT_SIZE);
    }

    /**
     * What the zero-copy io_uring ring keeps at the start of each slot: io_uring_recvmsg_out and the
     * name area (48 bytes), so its datagrams are that much shorter than a slot.
     */
    private static final int URING_RING_HEADER = RecvmsgOut.SIZE + PacketPool.ADDRESS_SIZE;

    /** Large slots of a receiver for datagrams above a small slot. */
    static final int LARGE_SLOTS = 256;

    /**
     * Opens receiver {@code name} on loopback {@code port} (0: any).
     *
     * @param size the datagram size it will receive (a pool with large slots when above a small slot)
     * @param reusePort set SO_REUSEPORT, so that several receivers share one port (one shard each)
     */
    static JavaReceiver open(String name, int cpu, int size, int port, boolean reusePort) throws IOException {
        PacketPool pool = pool(size);
        InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        SocketOptions options = SocketOptions.builder().reusePort(reusePort).udpGro(name.endsWith("-gro")).build();
        try {
            DatagramBackend b = switch (name) {
                case "uring-multishot", "uring-multishot-gro" -> UringBackend.open(bind, options, pool,
                        UringOptions.defaults(UringOptions.ReceiveMode.MULTISHOT));
                case "uring-armed" -> UringBackend.open(bind, options, pool,
                        UringOptions.defaults(UringOptions.ReceiveMode.ARMED));
                case String n when n.startsWith(ARMED_DEPTH_PREFIX) -> UringBackend.open(bind, options, pool,
                        UringOptions.defaults(UringOptions.ReceiveMode.ARMED)
                                .withReceiveDepth(Integer.parseInt(n.substring(ARMED_DEPTH_PREFIX.length()))));
                case "mmsg", "mmsg-gro" ->
                        Backends.open(BackendKind.MMSG, bind, options, pool, MmsgBackend.DEFAULT_BATCH_SIZE);
                case "nio" -> Backends.open(BackendKind.NIO, bind, options, pool, 1);
                default -> throw new IllegalArgumentException("unknown receiver " + name);
            };
            return new JavaReceiver(b, pool, cpu);
        } catch (IOException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private void loop() {
        if (cpu >= 0) {
            Affinity.pin(cpu);
        }
        var mx = ManagementFactory.getThreadMXBean();
        int[] slots = new int[MAX_BATCH];
        MemorySegment slab = pool.slab();
        long count = 0;
        try {
            while (true) {
                int n = backend.receive(slots, MAX_BATCH, POLL_NANOS);
                if (n > 0) {
                    long now = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        int s = slots[i];
                        if (pool.length(s) >= LoadSender.STAMP_BYTES) {
                            latency.record(now - slab.get(JAVA_LONG_UNALIGNED, pool.slotOffset(s) + pool.dataOffset(s)));
                        }
                    }
                    pool.release(slots, 0, n);
                    count += n;
                    received = count;
                }
                int cmd = command;
                if (cmd == CMD_NONE) {
                    continue;
                }
                if (cmd == CMD_STOP) {
                    return;
                }
                long calls = backend.stats().get(BackendStats.Counter.RECEIVE_CALLS);
                long cqes = -1;
                long batches = -1;
                if (backend instanceof UringBackend u) {
                    calls = u.uringStats().get(UringStats.Counter.ENTER_CALLS);
                    cqes = u.uringStats().get(UringStats.Counter.RECEIVE_CQES);
                    batches = u.uringStats().get(UringStats.Counter.CQE_BATCHES);
                }
                LatencyHistogram copy = new LatencyHistogram();
                copy.add(latency);
                reply = new Snapshot(count, mx.getCurrentThreadCpuTime(), calls, cqes, batches, copy);
                if (cmd == CMD_SNAPSHOT_RESET) {
                    latency.reset();
                }
                command = CMD_NONE;
            }
        } catch (Throwable t) {
            failure = t;
            command = CMD_NONE;
        }
    }

    @Override
    public InetSocketAddress address() {
        return backend.localAddress();
    }

    /** The backend's name, e.g. "uring-multishot". */
    public String backendName() {
        return backend.name();
    }

    @Override
    public long receivedSoFar() throws IOException {
        check();
        return received;
    }

    @Override
    public Snapshot snapshot(boolean resetLatency) throws IOException, InterruptedException {
        check();
        command = resetLatency ? CMD_SNAPSHOT_RESET : CMD_SNAPSHOT;
        backend.wakeup();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (command != CMD_NONE) {
            if (deadline - System.nanoTime() < 0) {
                throw new IOException("receiver " + backend.name() + " did not answer a snapshot within 5 s");
            }
            Thread.sleep(1);
        }
        check();
        return reply;
    }

    private void check() throws IOException {
        Throwable t = failure;
        if (t != null) {
            throw new IOException("receiver " + backend.name() + " failed: " + t, t);
        }
    }

    @Override
    public void close() {
        command = CMD_STOP;
        backend.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        backend.close();
        if (!thread.isAlive()) {
            pool.close();
        }
    }
}
