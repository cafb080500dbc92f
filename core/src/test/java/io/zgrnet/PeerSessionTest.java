package io.zgrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zgrnet.noise.SessionKeys;
import io.zgrnet.peer.Session;
import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A retired session's keys are erased while senders may still hold a reference to it (they read
 * {@code peer.current} just before). Sealing must then fail: a datagram sealed with a half- or
 * fully-erased key is readable by anyone who knows the key is zeros.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerSessionTest {
    private static byte[] random32() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static PeerSession session(byte[] sendKey) {
        Peer peer = new Peer(PeerKey.of(random32()), null, true, 0);
        return new PeerSession(peer, SessionKeys.of(sendKey, random32(), 1, 2, random32(), true), 1, true, 0, null,
                PeerSession.UNLIMITED, null);
    }

    @Test
    void aDestroyedSessionNeverSeals() {
        PeerSession s = session(random32());
        MemorySegment out = MemorySegment.ofArray(new byte[64]);
        assertTrue(s.seal(0, MemorySegment.ofArray(new byte[4]), 0, 4, out, 0) > 0);
        s.destroy();
        assertTrue(s.seal(0, MemorySegment.ofArray(new byte[4]), 0, 4, out, 0) < 0, "sealed with an erased key");
        assertTrue(s.sealKeepalive(out, 0) < 0, "keepalive sealed with an erased key");
    }

    /** Seals race a destroy: every seal that succeeds must be a datagram under the real key. */
    @Test
    void aSealRacingDestroyNeverUsesAnErasedKey() throws Exception {
        int rounds = 200;
        AtomicInteger badDatagrams = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int r = 0; r < rounds && failure.get() == null; r++) {
            byte[] key = random32();
            PeerSession s = session(key);
            // The receiving side: the same key as our send key, so it opens what we seal.
            Session receiver = new Session(SessionKeys.of(random32(), key, 2, 1, random32(), false));
            AtomicInteger sealed = new AtomicInteger();
            Thread sealer = Thread.ofPlatform().start(() -> {
                byte[] wire = new byte[64];
                byte[] plain = new byte[64];
                try {
                    // Until the session refuses; the destroy comes while this loop runs.
                    for (int i = 0; i < 1_000_000; i++) {
                        int n = s.seal(0, MemorySegment.ofArray(new byte[8]), 0, 8, MemorySegment.ofArray(wire), 0);
                        if (n < 0) {
                            return;
                        }
                        if (receiver.decrypt(MemorySegment.ofArray(wire), 0, n, MemorySegment.ofArray(plain), 0) < 0) {
                            badDatagrams.incrementAndGet();
                        }
                        sealed.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            while (sealed.get() < 1 + r % 3 && sealer.isAlive()) {
                Thread.onSpinWait();
            }
            s.destroy();
            sealer.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(0, badDatagrams.get(), "datagrams sealed under an erased key");
    }
}
