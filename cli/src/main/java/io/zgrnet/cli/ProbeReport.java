package io.zgrnet.cli;

import io.zgrnet.io.select.BackendKind;
import io.zgrnet.IOMode;
import io.zgrnet.io.select.BackendSelector;
import io.zgrnet.io.select.Backends;
import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.config.SocketOptions;
import io.zgrnet.sys.SocketOptionsReport;
import io.zgrnet.io.uring.IoUringSupport;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.KernelProbe;
import io.zgrnet.sys.Libc;
import io.zgrnet.sys.Mmsghdr;
import io.zgrnet.sys.Net;
import io.zgrnet.sys.UdpSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code zgrnet probe} reports: the machine, io_uring's features one by one, recvmmsg, the
 * backend {@link IOMode#AUTO} really opens and why, and the socket buffer sizes the kernel grants.
 * Collected once ({@link #collect()}), rendered as text or as one JSON object ({@link #toMap()}).
 *
 * <p>The AUTO verdict comes from {@link BackendSelector#open} itself (on 127.0.0.1:0 with a
 * 64-slot pool, closed at once), so it is what a transport would get, including an io_uring that
 * probes fine but fails to open.
 */
final class ProbeReport {
    /** A yes/no verdict with the cause of a no. */
    record Verdict(String name, String since, String cause) {
        boolean yes() {
            return cause == null;
        }

        static Verdict of(IoUringSupport.Check c) {
            return new Verdict(c.name(), c.since(), c.cause());
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("supported", yes());
            if (since != null) {
                m.put("since", since);
            }
            m.put("cause", cause);
            return m;
        }
    }

    /** One socket buffer: the request, what getsockopt reports and how it was applied. */
    record Buffer(String option, int requestedBytes, Integer grantedBytes, String detail) {
    }

    // Machine
    String sysname;
    String release;
    String machine;
    String jdkVersion;
    String jdkVm;
    String jdkVendor;
    String cpuModel;
    int cpusAvailable;
    int cpusOnline;

    // io_uring
    String uringStatus;
    boolean uringAvailable;
    int uringErrno;
    String uringCause;
    String ioUringDisabled; // raw sysctl value, or null when absent
    String ringFlags;
    List<Verdict> setupFlags = new ArrayList<>();
    List<Verdict> features = new ArrayList<>();
    List<Verdict> opcodes = new ArrayList<>();
    Verdict bufferRings;
    Verdict multishotRecvmsg;
    Verdict sendZc;

    // recvmmsg and AUTO
    Verdict recvmmsg;
    Verdict udpGso;
    Verdict udpGro;
    String aead;
    String autoMode;
    String autoBackend;
    String autoReason;
    String autoError;

    // Socket buffers
    Long rmemMax;
    Long wmemMax;
    List<Buffer> buffers = new ArrayList<>();
    String socketError;

    private ProbeReport() {
    }

    /** Probes everything now (well under a second). */
    static ProbeReport collect() {
        ProbeReport r = new ProbeReport();
        KernelProbe.KernelInfo k = KernelProbe.kernel();
        r.sysname = k.sysname();
        r.release = k.release();
        r.machine = k.machine();
        r.jdkVersion = Runtime.version().toString();
        r.jdkVm = System.getProperty("java.vm.name", "");
        r.jdkVendor = System.getProperty("java.vm.vendor", "");
        r.cpusAvailable = Runtime.getRuntime().availableProcessors();
        r.cpuModel = System.getProperty("os.arch", "");
        r.cpusOnline = -1;
        try {
            int processors = 0;
            String model = null;
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("processor")) {
                    processors++;
                } else if (model == null && (line.startsWith("model name") || line.startsWith("Model")
                        || line.startsWith("Hardware"))) {
                    model = line.substring(line.indexOf(':') + 1).strip();
                }
            }
            if (model != null) {
                r.cpuModel = model;
            }
            r.cpusOnline = processors;
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc hidden: keep os.arch and the JVM's count
        }

        r.ioUringDisabled = readSysctl("/proc/sys/kernel/io_uring_disabled");
        IoUringSupport u = IoUringSupport.get();
        r.uringStatus = u.status().name();
        r.uringAvailable = u.available();
        r.uringErrno = u.errno();
        r.uringCause = u.unavailabilityCause();
        r.ringFlags = u.setupFlags() == 0 && u.features() == 0 ? null : IoUringSupport.setupFlagNames(u.setupFlags());
        u.setupFlagChecks().forEach(c -> r.setupFlags.add(Verdict.of(c)));
        u.featureChecks().forEach(c -> r.features.add(Verdict.of(c)));
        u.opcodeChecks().forEach(c -> r.opcodes.add(Verdict.of(c)));
        r.bufferRings = new Verdict("buffer rings (PBUF_RING)", "5.19", u.bufferRingCause());
        r.multishotRecvmsg = new Verdict("multishot recvmsg", "6.0", u.multishotReceive() ? null : u.multishotCause());
        r.sendZc = new Verdict("send zero-copy", "6.0", u.sendZc() ? null : u.sendZcCause());

        r.rmemMax = readLong("/proc/sys/net/core/rmem_max");
        r.wmemMax = readLong("/proc/sys/net/core/wmem_max");
        r.recvmmsg = new Verdict("recvmmsg", "2.6.33", Backends.unavailabilityCause(BackendKind.MMSG));
        r.udpGso = new Verdict("UDP GSO send (UDP_SEGMENT)", "4.18", Net.isAvailable() ? null : Net.unavailabilityCause());
        r.udpGro = new Verdict("UDP GRO receive (UDP_GRO)", "5.0", Net.isAvailable() ? null : Net.unavailabilityCause());
        r.aead = io.zgrnet.crypto.ChaChaPoly.engines();
        if (Net.isAvailable()) {
            r.probeSocket();
        } else {
            r.socketError = "native UDP sockets unavailable: " + Net.unavailabilityCause();
        }
        r.probeAuto();
        return r;
    }

    /** Opens a UDP socket with the default options: buffer sizes granted, and a real recvmmsg call. */
    private void probeSocket() {
        SocketOptions defaults = SocketOptions.defaults();
        try (UdpSocket s = UdpSocket.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), defaults)) {
            buffers.add(buffer(s, "SO_RCVBUF", Net.SO_RCVBUF, defaults.receiveBufferBytes()));
            buffers.add(buffer(s, "SO_SNDBUF", Net.SO_SNDBUF, defaults.sendBufferBytes()));
            try {
                s.intOption(Net.SOL_UDP, Net.UDP_SEGMENT, 1200); // refused before 4.18 (ENOPROTOOPT)
            } catch (IOException e) {
                udpGso = new Verdict(udpGso.name(), udpGso.since(), "setsockopt UDP_SEGMENT: " + e.getMessage());
            }
            try {
                s.intOption(Net.SOL_UDP, Net.UDP_GRO, 1); // refused before 5.0 (ENOPROTOOPT)
            } catch (IOException e) {
                udpGro = new Verdict(udpGro.name(), udpGro.since(), "setsockopt UDP_GRO: " + e.getMessage());
            }
            if (recvmmsg.yes()) {
                // One non-blocking recvmmsg on the empty socket: EAGAIN means the call works (a seccomp
                // filter would answer ENOSYS or EPERM).
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment errno = Libc.errnoSlot();
                    MemorySegment vec = arena.allocate(Mmsghdr.SIZE, 8);
                    int n = Net.recvmmsg(errno, s.fd(), vec, 1, Net.MSG_DONTWAIT, MemorySegment.NULL);
                    int e = n < 0 ? Libc.errno(errno) : 0;
                    if (n < 0 && e != Errno.EAGAIN) {
                        recvmmsg = new Verdict(recvmmsg.name(), recvmmsg.since(), "recvmmsg: " + Errno.describe(e));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            socketError = e.getMessage();
        }
    }

    private static Buffer buffer(UdpSocket s, String option, int optname, int requested) {
        SocketOptionsReport.Entry e = s.report().entry(option);
        Integer granted = null;
        try {
            granted = s.intOption(Net.SOL_SOCKET, optname);
        } catch (IOException ex) {
            // reported through the entry
        }
        String detail = e == null ? "not set" : e.applied() ? e.actual() : e.toString();
        return new Buffer(option, requested, granted, detail);
    }

    /** What {@link IOMode#AUTO} opens on loopback, closed at once. */
    private void probeAuto() {
        try (PacketPool pool = new PacketPool(64, PacketPool.DEFAULT_SLOT_SIZE)) {
            BackendSelector.Selection s = BackendSelector.open(BackendKind.AUTO,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), SocketOptions.defaults(), pool);
            try (DatagramBackend b = s.backend()) {
                autoMode = s.mode().name();
                autoBackend = b.name();
                autoReason = s.reason();
            }
        } catch (IOException | RuntimeException e) {
            autoError = e.getMessage();
        }
    }

    /**
     * The first line of a sysctl file, stripped, or null. Not {@code Files.readString}: it reads a
     * zero-size file one byte first, and a numeric sysctl answers the next read (at offset 1) with
     * EOF, so "4194304" came back as "4".
     */
    private static String readSysctl(String path) {
        try {
            List<String> lines = Files.readAllLines(Path.of(path));
            return lines.isEmpty() ? null : lines.get(0).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Long readLong(String path) {
        String v = readSysctl(path);
        try {
            return v == null ? null : Long.valueOf(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** What {@code kernel.io_uring_disabled} means (man io_uring_setup.2; sysctl since 6.6). */
    static String ioUringDisabledMeaning(String value) {
        if (value == null) {
            return "absent (kernel < 6.6: no such sysctl)";
        }
        return value + switch (value) {
            case "0" -> " (io_uring allowed for every process)";
            case "1" -> " (only CAP_SYS_ADMIN or members of kernel.io_uring_group)";
            case "2" -> " (io_uring disabled for every process)";
            default -> "";
        };
    }

    /** The report as one JSON-ready tree (maps keep their order). */
    Map<String, Object> toMap() {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> kernel = new LinkedHashMap<>();
        kernel.put("sysname", sysname);
        kernel.put("release", release);
        kernel.put("machine", machine);
        root.put("kernel", kernel);
        Map<String, Object> jdk = new LinkedHashMap<>();
        jdk.put("version", jdkVersion);
        jdk.put("vm", jdkVm);
        jdk.put("vendor", jdkVendor);
        root.put("jdk", jdk);
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("model", cpuModel);
        cpu.put("available_processors", cpusAvailable);
        cpu.put("online", cpusOnline < 0 ? null : cpusOnline);
        root.put("cpu", cpu);

        Map<String, Object> uring = new LinkedHashMap<>();
        uring.put("available", uringAvailable);
        uring.put("status", uringStatus);
        uring.put("errno", uringErrno);
        uring.put("errno_name", uringErrno == 0 ? null : Errno.describe(uringErrno));
        uring.put("cause", uringCause);
        uring.put("io_uring_disabled", ioUringDisabled == null ? null : parseOrString(ioUringDisabled));
        uring.put("ring_setup_flags", ringFlags);
        uring.put("setup_flags", verdicts(setupFlags));
        uring.put("features", verdicts(features));
        uring.put("opcodes", verdicts(opcodes));
        uring.put("buffer_rings", bufferRings.toMap());
        uring.put("multishot_recvmsg", multishotRecvmsg.toMap());
        uring.put("send_zc", sendZc.toMap());
        root.put("io_uring", uring);

        root.put("recvmmsg", recvmmsg.toMap());
        root.put("udp_gso", udpGso.toMap());
        root.put("udp_gro", udpGro.toMap());
        root.put("aead", aead);
        Map<String, Object> auto = new LinkedHashMap<>();
        auto.put("mode", autoMode);
        auto.put("backend", autoBackend);
        auto.put("reason", autoReason);
        auto.put("error", autoError);
        root.put("auto", auto);

        Map<String, Object> socket = new LinkedHashMap<>();
        socket.put("rmem_max", rmemMax);
        socket.put("wmem_max", wmemMax);
        for (Buffer b : buffers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("requested_bytes", b.requestedBytes());
            m.put("granted_bytes", b.grantedBytes());
            m.put("detail", b.detail());
            socket.put(b.option().toLowerCase(java.util.Locale.ROOT), m);
        }
        socket.put("error", socketError);
        root.put("socket", socket);
        return root;
    }

    private static Object parseOrString(String v) {
        try {
            return Long.valueOf(v);
        } catch (NumberFormatException e) {
            return v;
        }
    }

    private static Map<String, Object> verdicts(List<Verdict> list) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Verdict v : list) {
            m.put(v.name(), v.toMap());
        }
        return m;
    }
}
