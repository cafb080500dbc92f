package io.zgrnet.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C reference receivers driven as the bench drives them: built from bench/native into a
 * temporary directory, told to report with SIGUSR1, stopped with SIGTERM. Skipped without gcc;
 * without liburing-dev the ring receiver is a note and the rest runs ({@code FreshMachineTest} hides it).
 */
class NativeReceiversTest {
    private static final Path SOURCES = Path.of("..", "bench", "native").toAbsolutePath().normalize();
    private static final int DATAGRAMS = 2048; // whole bursts of 256

    @TempDir
    Path build;

    @Test
    void aMissingSourceDirectoryIsANoteNotAnError(@TempDir Path empty) {
        NativeReceivers n = NativeReceivers.prepare(empty.resolve("nothing"), build);
        assertTrue(n.kinds().isEmpty());
        assertEquals(1, n.notes().size(), n.notes().toString());
        assertTrue(n.notes().get(0).contains("skipped"), n.notes().toString());
    }

    /** Datagrams above the default 2 KiB buffers get buffers that hold them (the ring's with its header). */
    @Test
    void largeDatagramsGetBuffersThatHoldThem() {
        assertEquals(List.of(), NativeReceivers.sizeArguments("c-recvmmsg", 1200));
        assertEquals(List.of(), NativeReceivers.sizeArguments("c-uring-multishot", 2000));
        assertEquals(List.of("--size", "2112"), NativeReceivers.sizeArguments("c-uring-multishot", 2019));
        assertEquals(List.of("--size", "8000"), NativeReceivers.sizeArguments("c-recvmmsg", 8000));
        assertEquals(List.of("--size", "8064"), NativeReceivers.sizeArguments("c-uring-multishot", 8000));
        assertEquals(List.of("--size", "60032"), NativeReceivers.sizeArguments("c-recvmmsg", 60000));
        assertEquals(List.of("--size", "60096"), NativeReceivers.sizeArguments("c-uring-multishot", 60000));
        assertEquals(List.of(), NativeReceivers.sizeArguments("c-recvmmsg-gro", 60000), "64 KiB already");
    }

    /** The Java receivers keep their 2 KiB pool for small sizes and add large slots above it. */
    @Test
    void javaReceiversGetLargeSlotsForLargeDatagrams() {
        try (io.zgrnet.io.PacketPool small = JavaReceiver.pool(1200); io.zgrnet.io.PacketPool large =
                JavaReceiver.pool(8000)) {
            assertEquals(0, small.largeCapacity());
            assertEquals(JavaReceiver.LARGE_SLOTS, large.largeCapacity());
            assertTrue(large.maxDatagram() >= 65507);
        }
    }

    @Test
    @Timeout(120)
    void eachBuiltReceiverCountsWhatItIsSentAndReportsOnSignal() throws Exception {
        assumeTrue(gccPresent(), "gcc not found: the C reference receivers cannot be built here");
        NativeReceivers n = NativeReceivers.prepare(SOURCES, build);
        assertFalse(n.kinds().isEmpty(), "gcc is present, so c-recvmmsg builds: " + n.notes());
        assertEquals("c-recvmmsg", n.kinds().get(0).name());
        for (Receiver.Kind kind : n.kinds()) {
            try (Receiver rx = kind.open(64, -1);
                 LoadSender tx = new LoadSender(rx.address(), 64, false)) {
                Receiver.Snapshot before = rx.snapshot(true);
                assertEquals(0, before.received(), kind.name());
                long sent = tx.run(DATAGRAMS, 0);
                assertEquals(DATAGRAMS, sent, "loopback accepted every datagram");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (rx.receivedSoFar() < DATAGRAMS && System.nanoTime() - deadline < 0) {
                    Thread.sleep(5);
                }
                Receiver.Snapshot after = rx.snapshot(false);
                assertEquals(DATAGRAMS, after.received(), kind.name() + " received all (4 MiB buffer, 128 KiB sent)");
                assertTrue(after.cpuNanos() > before.cpuNanos(), kind.name() + " reports its thread's CPU time");
                assertTrue(after.calls() > 0, kind.name() + " reports its receive calls");
                if (kind.name().equals("c-uring-multishot")) {
                    assertTrue(after.cqes() >= DATAGRAMS && after.cqeBatches() > 0, "ring counters: " + after);
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void aSecondPrepareDoesNotRebuild() throws Exception {
        assumeTrue(gccPresent(), "gcc not found: the C reference receivers cannot be built here");
        NativeReceivers.prepare(SOURCES, build);
        Path exe = build.resolve("recvmmsg_rx");
        // Mark the binary with the manifest's time (not older than any source): a rebuild would
        // rewrite it with the current time, whatever the file system's timestamp granularity.
        long built = Files.getLastModifiedTime(build.resolve(NativeReceivers.MANIFEST)).toMillis() - 1000;
        Files.setLastModifiedTime(build.resolve(NativeReceivers.MANIFEST), FileTime.fromMillis(built));
        Files.setLastModifiedTime(exe, FileTime.fromMillis(built));
        NativeReceivers again = NativeReceivers.prepare(SOURCES, build);
        assertEquals(built, Files.getLastModifiedTime(exe).toMillis(),
                "up-to-date binaries are kept, with or without liburing-dev: " + again.notes());
        assertTrue(Files.isRegularFile(build.resolve(NativeReceivers.MANIFEST)), "build.sh wrote its manifest");
        assertFalse(again.kinds().isEmpty());
    }

    @Test
    @Timeout(120)
    void eachMissingProgramIsANoteNamingWhatItNeeds() {
        assumeTrue(gccPresentUnchecked(), "gcc not found: the C reference receivers cannot be built here");
        NativeReceivers n = NativeReceivers.prepare(SOURCES, build);
        List<String> built = n.kinds().stream().map(Receiver.Kind::name).toList();
        assertTrue(built.contains("c-recvmmsg"), "gcc alone builds c-recvmmsg: " + n.notes());
        if (!built.contains("c-uring-multishot")) {
            assertTrue(n.notes().stream().anyMatch(x -> x.startsWith("c-uring-multishot skipped")
                    && x.contains("apt-get install liburing-dev")), "the missing ring receiver says why: " + n.notes());
        }
    }

    private static boolean gccPresentUnchecked() {
        try {
            return gccPresent();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean gccPresent() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
