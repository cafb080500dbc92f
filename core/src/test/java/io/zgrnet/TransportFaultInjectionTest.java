package io.zgrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zgrnet.config.SocketOptions;
import io.zgrnet.io.uring.IoUringSupport;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.FaultSite;
import io.zgrnet.sys.IoUringFaults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every system call site of every backend, every plausible errno, at the first call and at a
 * later call during traffic (issue 12). Transport A runs the backend under test; its peer B runs
 * another backend family, so that the injected faults (which hit a site in the whole process)
 * reach A only. Pass: the JVM lives (a fault in native memory would kill this test JVM), no slot
 * is leaked or released twice (pool accounting, and no "released twice" error logged by any
 * thread), the transport either keeps delivering or fails with an exception naming the call and
 * the errno, and close() returns.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportFaultInjectionTest {
    /** The errnos the issue lists: resource exhaustion, transient refusals, bad arguments, policy. */
    static final int[] ERRNOS = {Errno.ENOMEM, Errno.EMFILE, Errno.EBUSY, Errno.EAGAIN, Errno.EINTR, Errno.EINVAL,
            Errno.EPERM, Errno.ENOBUFS};

    /** When the fault hits. */
    enum When {
        /** The first call at that site (at open, or the I/O thread's first call). */
        FIRST,
        /** A later call, once traffic flows. */
        LATER
    }

    /** The backend under test, with the sites it calls at open and while running. */
    enum Backend {
        NIO(IOMode.NIO, false, Set.of(), Set.of(FaultSite.NIO_RECEIVE, FaultSite.NIO_SEND)),
        MMSG(IOMode.MMSG, false, Set.of(FaultSite.SOCKET, FaultSite.BIND, FaultSite.SETSOCKOPT, FaultSite.EVENTFD),
                Set.of(FaultSite.RECVMMSG, FaultSite.SENDMMSG, FaultSite.POLL)),
        MMSG_GRO(IOMode.MMSG, true, MMSG.openSites, MMSG.runSites),
        URING(IOMode.URING, false, Set.of(FaultSite.SOCKET, FaultSite.BIND, FaultSite.SETSOCKOPT, FaultSite.EVENTFD,
                FaultSite.IO_URING_SETUP, FaultSite.IO_URING_REGISTER, FaultSite.MMAP),
                Set.of(FaultSite.IO_URING_ENTER)),
        URING_GRO(IOMode.URING, true, URING.openSites, URING.runSites);

        final IOMode mode;
        final boolean gro;
        final Set<FaultSite> openSites;
        final Set<FaultSite> runSites;

        Backend(IOMode mode, boolean gro, Set<FaultSite> openSites, Set<FaultSite> runSites) {
            this.mode = mode;
            this.gro = gro;
            this.openSites = openSites;
            this.runSites = runSites;
        }

        /** The peer's backend: another family, untouched by this backend's sites. */
        IOMode peerMode() {
            return mode == IOMode.NIO ? (BackendAssumptions.available(IOMode.MMSG) ? IOMode.MMSG : null) : IOMode.NIO;
        }
    }

    /** All cases; {@code -Dzgrnet.faults.backend=MMSG} (a {@link Backend} name) runs one backend's. */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        String only = System.getProperty("zgrnet.faults.backend", "");
        for (Backend b : Backend.values()) {
            if (!only.isEmpty() && !only.equals(b.name())) {
                continue;
            }
            for (FaultSite site : FaultSite.values()) {
                boolean atOpen = b.openSites.contains(site);
                boolean running = b.runSites.contains(site);
                for (int errno : ERRNOS) {
                    if (atOpen || running) {
                        out.add(Arguments.of(b, site, errno, When.FIRST));
                    }
                    if (running) {
                        out.add(Arguments.of(b, site, errno, When.LATER));
                    }
                }
            }
        }
        return out.stream();
    }

    private final List<String> doubleReleases = new CopyOnWriteArrayList<>();
    private final Handler watcher = new Handler() {
        @Override
        public void publish(LogRecord r) {
            Throwable t = r.getThrown();
            String text = r.getMessage() + (t == null ? "" : " " + t);
            if (text.contains("released twice")) {
                doubleReleases.add(text);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void probeFirst() throws IOException {
        IoUringSupport.get(); // the process-wide probe must not see an injected fault
        // The JDK opens process-wide descriptors on first NIO use (its pre-close socketpair):
        // take them now so that fd baselines include them.
        java.nio.channels.DatagramChannel.open().close();
        // Likewise SecureRandom's /dev/urandom: one transport opened and closed takes it.
        UDP.open(config(IOMode.NIO, false).build()).close();
    }

    @BeforeEach
    void watchLogs() {
        Logger.getLogger("").addHandler(watcher);
        watcher.setLevel(Level.ALL);
    }

    @AfterEach
    void clear() {
        IoUringFaults.clear();
        Logger.getLogger("").removeHandler(watcher);
    }

    private static TransportConfig.Builder config(IOMode mode, boolean gro) {
        return TransportTestSupport.config(mode).poolSlots(1024).receiveQueueSize(256).sendQueueSize(256)
                .socketOptions(SocketOptions.defaults().withUdpGro(gro));
    }

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @MethodSource("cases")
    void aFaultCostsAnErrorNeverACrash(Backend backend, FaultSite site, int errno, When when) throws Exception {
        BackendAssumptions.assumeAvailable(backend.mode);
        IOMode peerMode = backend.peerMode();
        org.junit.jupiter.api.Assumptions.assumeTrue(peerMode != null, "no second backend family for the peer");
        long fdsBefore = TransportTestSupport.openFds();
        UDP b = UDP.open(config(peerMode, false).build());
        UDP a = null;
        try {
            if (when == When.FIRST) {
                IoUringFaults.fail(site, errno, 0, 1);
            }
            try {
                a = UDP.open(config(backend.mode, backend.gro).build());
            } catch (IOException e) {
                // Refused at open: the exception names the call and the errno, and nothing leaks.
                assertTrue(e.getMessage().contains(Errno.describe(errno).split(" ")[0]), e.getMessage());
                assertTrue(IoUringFaults.fired(site) > 0);
                return;
            }
            PeerKey ka = a.hostInfo().publicKey();
            PeerKey kb = b.hostInfo().publicKey();
            a.setPeerEndpoint(kb, b.hostInfo().localAddress());
            b.setPeerEndpoint(ka, a.hostInfo().localAddress());
            connect(a, kb);
            exchange(a, b, 20, "before");
            if (when == When.LATER) {
                IoUringFaults.fail(site, errno, 0, 1); // the next call, mid-life
            }
            // Traffic through the fault: either it goes on, or the transport fails naming the fault.
            if (!exchange(a, b, 50, "after")) {
                IOException failure = a.failure();
                assertNotNull(failure, "no traffic after the fault and no failure reported; a " + a.stats()
                        + " b " + b.stats());
                assertTrue(failure.getMessage().contains(Errno.describe(errno).split(" ")[0]), failure.getMessage());
            }
            assertTrue(IoUringFaults.fired(site) > 0 || when == When.FIRST && !backend.runSites.contains(site)
                    || site == FaultSite.SENDMMSG || site == FaultSite.NIO_SEND || site == FaultSite.POLL,
                    "the fault at " + site + " was reached (" + IoUringFaults.calls(site) + " calls seen)");
        } finally {
            IoUringFaults.clear();
            if (a != null) {
                a.close();
                assertEquals(0, a.outstandingSlots(), "slots leaked by the transport under test; " + a.stats() + " "
                        + a.ioInfo());
            }
            b.close();
            assertEquals(0, b.outstandingSlots());
        }
        assertEquals(List.of(), doubleReleases);
        assertTrue(TransportTestSupport.zgrnetThreads().isEmpty(), "threads outlived the transports: "
                + TransportTestSupport.zgrnetThreads());
        assertEquals(fdsBefore, TransportTestSupport.openFds(), "file descriptors leaked");
    }

    /** A fault that never heals: the transport gives up within seconds and says which call and errno. */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("persistentCases")
    void aPersistentFaultFailsTheTransportNamingTheCall(Backend backend, FaultSite site, int errno) throws Exception {
        BackendAssumptions.assumeAvailable(backend.mode);
        IOMode peerMode = backend.peerMode();
        org.junit.jupiter.api.Assumptions.assumeTrue(peerMode != null, "no second backend family for the peer");
        UDP b = UDP.open(config(peerMode, false).build());
        UDP a = UDP.open(config(backend.mode, backend.gro).build());
        try {
            PeerKey kb = b.hostInfo().publicKey();
            a.setPeerEndpoint(kb, b.hostInfo().localAddress());
            b.setPeerEndpoint(a.hostInfo().publicKey(), a.hostInfo().localAddress());
            connect(a, kb);
            IoUringFaults.fail(site, errno, 0, Long.MAX_VALUE);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            byte[] one = {1};
            while (a.failure() == null && System.nanoTime() - deadline < 0) {
                b.writeTo(a.hostInfo().publicKey(), one); // traffic for the receive path to fail on
                Thread.sleep(5);
            }
            IOException failure = a.failure();
            assertNotNull(failure, "the transport kept failing silently");
            assertTrue(failure.getMessage().contains(Errno.describe(errno).split(" ")[0]), failure.getMessage());
            TransportClosedException e = org.junit.jupiter.api.Assertions.assertThrows(TransportClosedException.class,
                    () -> a.writeTo(kb, one));
            assertTrue(e.getMessage().contains("failed"), e.getMessage());
            assertEquals(failure, e.getCause(), "the exception carries the failure that names the call");
            org.junit.jupiter.api.Assertions.assertThrows(TransportClosedException.class,
                    () -> a.readFrom(new byte[8], java.time.Duration.ofMillis(10)));
        } finally {
            IoUringFaults.clear();
            a.close();
            b.close();
        }
        assertEquals(0, a.outstandingSlots());
        assertEquals(List.of(), doubleReleases);
    }

    static Stream<Arguments> persistentCases() {
        return Stream.of(
                Arguments.of(Backend.URING, FaultSite.IO_URING_ENTER, Errno.EINVAL),
                Arguments.of(Backend.MMSG, FaultSite.RECVMMSG, Errno.ENOMEM),
                Arguments.of(Backend.MMSG, FaultSite.POLL, Errno.EPERM),
                Arguments.of(Backend.NIO, FaultSite.NIO_RECEIVE, Errno.ENOBUFS));
    }

    private static void connect(UDP a, PeerKey peer) throws Exception {
        try {
            a.connect(peer, Duration.ofSeconds(10));
        } catch (java.util.concurrent.TimeoutException e) {
            fail("no handshake: " + a.stats());
        }
    }

    /**
     * Sends {@code n} numbered messages each way (again while none arrives, bounded) and reports
     * whether the last one of each direction arrived: delivery goes on.
     */
    private static boolean exchange(UDP a, UDP b, int n, String tag) throws Exception {
        return oneWay(a, b, n, tag + " a->b") && oneWay(b, a, n, tag + " b->a");
    }

    private static boolean readQuietly(UDP to, Message m, byte[] buf, java.time.Duration wait) throws Exception {
        try {
            return to.readFrom(m, buf, wait);
        } catch (TransportClosedException e) {
            return false; // failed transport: the caller sees failure()
        }
    }

    private static boolean oneWay(UDP from, UDP to, int n, String tag) throws Exception {
        PeerKey dest = to.hostInfo().publicKey();
        byte[] buf = new byte[256];
        Message m = new Message();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String last = tag + " " + (n - 1);
        int i = 0;
        while (System.nanoTime() - deadline < 0) {
            if (from.failure() != null || to.failure() != null) {
                return false;
            }
            if (i < n) {
                try {
                    from.writeTo(dest, (tag + " " + i).getBytes(StandardCharsets.UTF_8));
                } catch (TransportClosedException e) {
                    return false; // failed transport
                }
                i++;
            } else {
                try {
                    from.writeTo(dest, last.getBytes(StandardCharsets.UTF_8)); // lost on the way: again
                } catch (TransportClosedException e) {
                    return false;
                }
            }
            while (readQuietly(to, m, buf, java.time.Duration.ofNanos(TimeUnit.MILLISECONDS.toNanos(i < n ? 0 : 20)))) {
                if (new String(buf, 0, m.length(), StandardCharsets.UTF_8).equals(last)) {
                    return true;
                }
            }
        }
        return false;
    }
}
