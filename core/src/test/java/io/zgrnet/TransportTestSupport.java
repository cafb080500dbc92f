package io.zgrnet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Shared helpers for transport tests: keys, transports, leak checks. */
public final class TransportTestSupport {
    private TransportTestSupport() {
    }

    static byte[] randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    static TransportConfig.Builder config(IOMode mode) {
        return TransportConfig.builder().privateKey(randomKey()).ioMode(mode).decryptWorkers(2)
                .poolSlots(4096).receiveQueueSize(1024).sendQueueSize(1024);
    }

    /** {@link UDP#poll} for lambdas: a closed transport becomes an UncheckedIOException. */
    static int poll(UDP udp, MessageHandler handler, int limit) {
        try {
            return udp.poll(handler, limit);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Keeps {@code udp}'s control agent busy (a command that blocks) until the returned handle is
     * closed: what a GC pause, a starved thread or a cold JIT does to it, for as long as a test
     * needs. Returns once the agent is inside the command.
     */
    public static AutoCloseable holdControlAgent(UDP udp) throws InterruptedException {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        if (!udp.commands().run(() -> {
            busy.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            throw new IllegalStateException("the control agent's command queue refused the hold");
        }
        if (!busy.await(10, TimeUnit.SECONDS)) {
            release.countDown();
            throw new IllegalStateException("the control agent did not take the hold within 10 s");
        }
        return release::countDown;
    }

    static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static Set<String> zgrnetThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("zgrnet-")).collect(Collectors.toSet());
    }
}
