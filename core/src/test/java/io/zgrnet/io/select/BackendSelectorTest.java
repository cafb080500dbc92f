package io.zgrnet.io.select;

import io.zgrnet.io.DatagramBackend;
import io.zgrnet.io.PacketPool;
import io.zgrnet.config.SocketOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.io.mmsg.MmsgBackend;
import io.zgrnet.io.uring.IoUringSupport;
import io.zgrnet.io.uring.UringBackend;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.IoUringFaults;
import io.zgrnet.sys.NativeException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * BackendKind selection and each fallback path. Failures are injected at the binding layer (io_uring_setup
 * returning ENOSYS or EPERM, the opcode probe hiding RECVMSG), and one test runs the real thing: an
 * unprivileged child JVM started while {@code kernel.io_uring_disabled=1}.
 */
@Timeout(60)
class BackendSelectorTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final Path IO_URING_DISABLED = Path.of("/proc/sys/kernel/io_uring_disabled");

    @BeforeAll
    static void probeBeforeAnyFault() {
        // The process-wide probe is cached on first use: take it while nothing is injected, so the
        // faults below never leak into other tests through the cache.
        IoUringSupport.get();
    }

    @AfterEach
    void clearFaults() {
        IoUringFaults.clear();
    }

    private static BackendSelector.Selection open(BackendKind mode, IoUringSupport support, PacketPool pool)
            throws IOException {
        return BackendSelector.open(mode, LOOPBACK, SocketOptions.defaults(), pool, support, null);
    }

    @Test
    void autoPicksIoUringWhenTheProbeAllows() throws IOException {
        IoUringSupport support = IoUringSupport.probe();
        Assumptions.assumeTrue(support.available(), support::unavailabilityCause);
        try (PacketPool pool = new PacketPool(64, 2048);
                DatagramBackend b = open(BackendKind.AUTO, support, pool).backend()) {
            assertTrue(b instanceof UringBackend, b.name());
            assertEquals(support.multishotReceive() ? "uring-multishot" : "uring-armed", b.name());
        }
    }

    @Test
    void autoWithUdpGroPicksABackendThatSplitsCoalescedDatagrams() throws IOException {
        IoUringSupport support = IoUringSupport.probe();
        Assumptions.assumeTrue(support.available() || MmsgBackend.isAvailable(), "neither io_uring nor recvmmsg here");
        try (PacketPool pool = new PacketPool(64, 2048)) {
            BackendSelector.Selection s = BackendSelector.open(BackendKind.AUTO, LOOPBACK,
                    SocketOptions.builder().udpGro(true).build(), pool, support, null);
            try (DatagramBackend b = s.backend()) {
                if (support.available() && support.multishotReceive()) {
                    assertEquals("uring-multishot", b.name(), s.reason());
                } else {
                    assertEquals(BackendKind.MMSG, s.mode());
                    assertTrue(s.reason().contains("UDP_GRO"), s.reason());
                }
                assertTrue(b.socketOptionsReport().entry("UDP_GRO").applied(), b.socketOptionsReport()::toString);
            }
        }
    }

    @Test
    void enosysMeansNoIoUringInTheKernelAndAutoFallsBackToMmsg() throws IOException {
        IoUringFaults.failSetup(Errno.ENOSYS);
        IoUringSupport support = IoUringSupport.probe();
        assertEquals(IoUringSupport.Status.NOT_IN_KERNEL, support.status());
        assertEquals(Errno.ENOSYS, support.errno());
        try (PacketPool pool = new PacketPool(64, 2048)) {
            BackendSelector.Selection s = open(BackendKind.AUTO, support, pool);
            try (DatagramBackend b = s.backend()) {
                assertEquals(BackendKind.MMSG, s.mode());
                assertEquals("mmsg", b.name());
                assertTrue(s.reason().contains("kernel without io_uring") && s.reason().contains("ENOSYS"),
                        s.reason());
            }
            IOException e = assertThrows(IOException.class, () -> open(BackendKind.URING, support, pool));
            assertTrue(e.getMessage().contains("ENOSYS"), e.getMessage());
            assertEquals(0, pool.outstanding());
        }
    }

    @Test
    void epermMeansNotPermittedAndAutoFallsBackToMmsg() throws IOException {
        IoUringFaults.failSetup(Errno.EPERM);
        IoUringSupport support = IoUringSupport.probe();
        assertEquals(IoUringSupport.Status.NOT_PERMITTED, support.status());
        try (PacketPool pool = new PacketPool(64, 2048)) {
            BackendSelector.Selection s = open(BackendKind.AUTO, support, pool);
            try (DatagramBackend b = s.backend()) {
                assertEquals(BackendKind.MMSG, s.mode());
                assertTrue(s.reason().contains("EPERM") && s.reason().contains("io_uring_disabled"), s.reason());
            }
            IOException e = assertThrows(IOException.class, () -> open(BackendKind.URING, support, pool));
            assertTrue(e.getMessage().contains("not permitted"), e.getMessage());
        }
    }

    @Test
    void theBackendItselfReportsTheSetupErrno() {
        IoUringFaults.failSetup(Errno.EPERM);
        try (PacketPool pool = new PacketPool(64, 2048)) {
            NativeException e = assertThrows(NativeException.class,
                    () -> UringBackend.open(LOOPBACK, SocketOptions.defaults(), pool));
            assertEquals(Errno.EPERM, e.errno());
            assertTrue(e.call().startsWith("io_uring_setup"), e.call());
            assertEquals(0, pool.outstanding());
        }
    }

    @Test
    void aMissingOpcodeMeansKernelTooOldAndAutoFallsBackToMmsg() throws IOException {
        Assumptions.assumeTrue(IoUringSupport.get().available(), IoUringSupport.get()::unavailabilityCause);
        IoUringFaults.hideOpcode(IoUring.IORING_OP_RECVMSG);
        IoUringSupport support = IoUringSupport.probe();
        assertEquals(IoUringSupport.Status.KERNEL_TOO_OLD, support.status());
        assertTrue(support.unavailabilityCause().contains("IORING_OP_RECVMSG"), support.unavailabilityCause());
        try (PacketPool pool = new PacketPool(64, 2048)) {
            BackendSelector.Selection s = open(BackendKind.AUTO, support, pool);
            s.backend().close();
            assertEquals(BackendKind.MMSG, s.mode());
            assertTrue(s.reason().contains("kernel too old"), s.reason());
            IOException e = assertThrows(IOException.class, () -> open(BackendKind.URING, support, pool));
            assertTrue(e.getMessage().contains("IORING_OP_RECVMSG"), e.getMessage());
        }
    }

    @Test
    void withoutMultishotUringUsesArmedReceive() throws IOException {
        Assumptions.assumeTrue(IoUringSupport.get().available(), IoUringSupport.get()::unavailabilityCause);
        IoUringFaults.hideOpcode(IoUring.IORING_OP_SEND_ZC); // the 6.0 witness: looks like a 5.x kernel
        IoUringSupport support = IoUringSupport.probe();
        assertTrue(support.available());
        assertTrue(!support.multishotReceive() && support.multishotCause().contains("6.0"),
                support.multishotCause());
        try (PacketPool pool = new PacketPool(64, 2048)) {
            BackendSelector.Selection s = open(BackendKind.URING, support, pool);
            try (DatagramBackend b = s.backend()) {
                assertEquals("uring-armed", b.name());
                assertTrue(s.reason().contains("multishot unavailable"), s.reason());
            }
        }
    }

    @Test
    void autoWithoutMultishotKeepsGroOnRecvmmsgOrUsesArmedIoUringWithoutGro() throws IOException {
        Assumptions.assumeTrue(IoUringSupport.get().available(), IoUringSupport.get()::unavailabilityCause);
        Assumptions.assumeTrue(MmsgBackend.isAvailable(), MmsgBackend::unavailabilityCause);
        IoUringFaults.hideOpcode(IoUring.IORING_OP_SEND_ZC); // the 6.0 witness: looks like a 5.x kernel
        IoUringSupport support = IoUringSupport.probe();
        try (PacketPool pool = new PacketPool(64, 2048)) {
            BackendSelector.Selection s = open(BackendKind.AUTO, support, pool); // GRO on: the default
            try (DatagramBackend b = s.backend()) {
                assertEquals(BackendKind.MMSG, s.mode());
                assertTrue(s.reason().contains("UDP_GRO") && s.reason().contains("multishot"), s.reason());
            }
            BackendSelector.Selection t = BackendSelector.open(BackendKind.AUTO, LOOPBACK,
                    SocketOptions.builder().udpGro(false).build(), pool, support, null);
            try (DatagramBackend b = t.backend()) {
                assertEquals("uring-armed", b.name(), t.reason());
            }
        }
    }

    @Test
    void explicitModesOpenThatBackend() throws IOException {
        try (PacketPool pool = new PacketPool(64, 2048)) {
            try (DatagramBackend b = open(BackendKind.NIO, IoUringSupport.get(), pool).backend()) {
                assertEquals("nio", b.name());
            }
            Assumptions.assumeTrue(Backends.isAvailable(BackendKind.MMSG));
            try (DatagramBackend b = open(BackendKind.MMSG, IoUringSupport.get(), pool).backend()) {
                assertEquals("mmsg", b.name());
            }
        }
    }

    @Test
    void bindErrorsAreNotMistakenForMissingIoUring() throws IOException {
        try (PacketPool pool = new PacketPool(64, 2048);
                DatagramBackend first = open(BackendKind.AUTO, IoUringSupport.get(), pool).backend()) {
            IOException e = assertThrows(IOException.class, () -> BackendSelector.open(BackendKind.AUTO,
                    first.localAddress(), SocketOptions.defaults(), pool, IoUringSupport.get(), null));
            assertTrue(e.getMessage().contains("EADDRINUSE"), e.getMessage());
        }
    }

    /**
     * The real thing, without disturbing anyone else: {@code kernel.io_uring_disabled=1} (Linux 6.6+)
     * makes io_uring_setup fail with EPERM for processes without CAP_SYS_ADMIN (and outside
     * {@code kernel.io_uring_group}), while root processes, such as other test suites running on
     * the same machine, keep io_uring. A child JVM run as user {@code nobody} in that window must
     * pick recvmmsg and say why. (Value 2 would disable io_uring for every process on the machine,
     * including concurrent test runs, so it is not used.) Concurrent runs of this test serialize on
     * a file lock, so each reads the value the previous one restored; the sysctl is restored in a
     * finally block.
     */
    @Test
    void childJvmWithoutPrivilegeFallsBackWhenTheSysctlRestrictsIoUring() throws Exception {
        Assumptions.assumeTrue(Files.exists(IO_URING_DISABLED), "no kernel.io_uring_disabled (kernel < 6.6)");
        Assumptions.assumeTrue(isRoot(), "not root: cannot write kernel.io_uring_disabled");
        Assumptions.assumeTrue(Files.isWritable(IO_URING_DISABLED), "kernel.io_uring_disabled is read-only here");
        Path setpriv = Path.of("/usr/bin/setpriv");
        Assumptions.assumeTrue(Files.isExecutable(setpriv), "no setpriv to drop privileges for the child");
        String classPath = childClassPath();
        Assumptions.assumeTrue(classPath != null, "test classes are not readable by an unprivileged user");
        String output;
        String original;
        try (FileChannel lockFile = FileChannel.open(Path.of(System.getProperty("java.io.tmpdir"),
                "zgrnet-io_uring_disabled.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockFile.lock()) {
            original = Files.readString(IO_URING_DISABLED).trim();
            Assumptions.assumeTrue(original.equals("0"),
                    "kernel.io_uring_disabled is " + original + ", not 0: io_uring is restricted here already");
            try {
                Files.writeString(IO_URING_DISABLED, "1");
                output = runChild(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups"),
                        classPath);
            } finally {
                Files.writeString(IO_URING_DISABLED, original);
            }
            assertEquals(original, Files.readString(IO_URING_DISABLED).trim(), "sysctl restored");
        }
        assertTrue(output.contains("mode=MMSG"), output);
        assertTrue(output.contains("EPERM"), output);
        assertTrue(output.contains("io_uring_disabled"), output);
    }

    /** The directories of our classpath, if every one is readable by others; null otherwise. */
    private static String childClassPath() throws IOException {
        StringBuilder cp = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!Files.isDirectory(p)) {
                continue; // jars (JUnit, Jackson) live in root's ~/.m2; the child needs none of them
            }
            for (Path q = p.toAbsolutePath(); q != null; q = q.getParent()) {
                if (!Files.getPosixFilePermissions(q).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return null;
                }
            }
            cp.append(cp.isEmpty() ? "" : java.io.File.pathSeparator).append(p.toAbsolutePath());
        }
        return cp.isEmpty() ? null : cp.toString();
    }

    private static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[2].equals("0"); // effective uid
            }
        }
        return false;
    }

    private static String runChild(List<String> prefix, String classPath) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(prefix);
        command.addAll(List.of(java, "-XX:-UsePerfData", "-Duser.home=/tmp", "--enable-native-access=ALL-UNNAMED",
                "-cp", classPath, SelectorProbeMain.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).directory(new java.io.File("/tmp")).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child finished");
        String s = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), s);
        return s;
    }
}
