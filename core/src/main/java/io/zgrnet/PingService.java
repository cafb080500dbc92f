package io.zgrnet;

import io.zgrnet.ping.NodeMetrics;
import io.zgrnet.ping.Ping;
import io.zgrnet.ping.PingResponder;
import io.zgrnet.ping.PingTracker;
import io.zgrnet.ping.Pong;
import io.zgrnet.wire.ProtocolByte;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Ping/pong on a transport (services.md §5): answers PINGs (70) and matches PONGs (71) to the
 * pings {@link UDP#ping} sent.
 *
 * <p>Both handlers run in the {@link Reader}, after the replay window moved, so a replayed PING is
 * never answered and the answer goes to the authenticated sender only (one PONG per PING, no
 * amplification). They run on whichever thread consumes the ring: the application's reading
 * thread, or the delivery agent once one runs ({@link UDP#ping} starts it, since the pong must be
 * taken while the caller waits). The PONG goes out through the {@link SendPath} on the reader's
 * thread without waiting: a full queue or pool drops it, counted.
 *
 * <p>Concurrency: {@link #onPing}/{@link #onPong} have one caller at a time (the reader's turn);
 * {@link #scratch} is theirs. {@link #ping} runs on any application thread; the tracker takes its
 * own monitor and the waiters are an atomic array. Nothing is allocated per PING or PONG.
 */
final class PingService {
    /** Pings outstanding at once (a ring: the 257th overwrites the oldest, counted lost). */
    static final int CAPACITY = 256;
    /** The tracker's own timeout is the caller's business here: {@link UDP#ping} forgets its ping when it stops waiting. */
    private static final long TRACKER_TIMEOUT_NS = TimeUnit.DAYS.toNanos(1);

    private final TransportContext ctx;
    private final SendPath sendPath;
    private final boolean answer;
    private final PingResponder responder = new PingResponder(NodeMetrics.ZERO);
    private final PingTracker<PeerKey> tracker;
    /** The PONG being built: the reader's alone. */
    private final MemorySegment scratch = Arena.ofAuto().allocate(Pong.LENGTH);
    private final AtomicReferenceArray<Waiter> waiters = new AtomicReferenceArray<>(CAPACITY);

    final ProtocolHandler pingHandler = this::onPing;
    final ProtocolHandler pongHandler = this::onPong;

    /** A caller of {@link UDP#ping} waiting for the pong of ping {@code id}. */
    private record Waiter(int id, CompletableFuture<Long> rtt) {
    }

    PingService(TransportContext ctx, SendPath sendPath) {
        this.ctx = ctx;
        this.sendPath = sendPath;
        this.answer = ctx.config.answerPings();
        this.tracker = new PingTracker<>(ctx.clock, CAPACITY, TRACKER_TIMEOUT_NS, ThreadLocalRandom.current().nextInt());
    }

    /** PING: a PONG with the same id and timestamp and our metrics, on the peer's session. */
    private void onPing(Peer p, int protocol, MemorySegment payload, long off, int len) {
        if (!answer) {
            ctx.stats.increment(TransportCounter.DROP_PING_NOT_ANSWERED);
            return;
        }
        int n = responder.answer(payload, off, len, scratch, 0);
        if (n < 0) {
            ctx.stats.increment(TransportCounter.DROP_PING_MALFORMED);
            return;
        }
        if (sendPath.write(p, ProtocolByte.PONG, null, scratch, 0, n)) {
            ctx.stats.increment(TransportCounter.PINGS_ANSWERED);
        } else {
            ctx.stats.increment(TransportCounter.DROP_PONG_NOT_SENT);
        }
    }

    /** PONG: an RTT sample if it answers a ping of ours to this peer; the waiting caller gets it. */
    private void onPong(Peer p, int protocol, MemorySegment payload, long off, int len) {
        long rtt = tracker.onPong(p.key, payload, off, len);
        if (rtt < 0) {
            ctx.stats.increment(TransportCounter.DROP_PONG_UNMATCHED);
            return;
        }
        ctx.stats.increment(TransportCounter.PONGS_MATCHED);
        p.rtt.sample(rtt);
        p.lastRttNs = rtt;
        p.smoothedRttNs = p.rtt.srttNs();
        int id = Pong.id(payload, off);
        int slot = id & (CAPACITY - 1);
        Waiter w = waiters.get(slot);
        if (w != null && w.id == id && waiters.compareAndSet(slot, w, null)) {
            w.rtt.complete(rtt);
        }
    }

    /**
     * Sends one PING to {@code p} (which has a session) and waits for its PONG.
     *
     * @return the round trip in nanoseconds
     */
    long ping(Peer p, long timeoutNs) throws IOException, TimeoutException, InterruptedException {
        MemorySegment body = Arena.ofAuto().allocate(Ping.LENGTH);
        tracker.writePing(p.key, body, 0);
        int id = Ping.id(body, 0);
        int slot = id & (CAPACITY - 1);
        Waiter w = new Waiter(id, new CompletableFuture<>());
        waiters.set(slot, w); // before sending: the pong may come back at once
        if (!sendPath.write(p, ProtocolByte.PING, null, body, 0, Ping.LENGTH)) {
            giveUp(w, slot);
            throw new IOException("ping to " + p.key + " not sent: " + ctx.stats);
        }
        ctx.stats.increment(TransportCounter.PINGS_SENT);
        try {
            return w.rtt.get(timeoutNs, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            giveUp(w, slot);
            ctx.stats.increment(TransportCounter.PINGS_LOST);
            throw new TimeoutException("no pong from " + p + " within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs)
                    + " ms (ping id " + Integer.toUnsignedString(id) + ")");
        } catch (InterruptedException e) {
            giveUp(w, slot);
            throw e;
        } catch (ExecutionException e) {
            giveUp(w, slot);
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("ping to " + p.key + " failed: " + e.getCause(), e.getCause());
        }
    }

    private void giveUp(Waiter w, int slot) {
        waiters.compareAndSet(slot, w, null);
        tracker.forget(w.id);
    }

    /** At close: every waiting caller gets a {@link TransportClosedException}. */
    void close(IOException failure) {
        for (int i = 0; i < CAPACITY; i++) {
            Waiter w = waiters.getAndSet(i, null);
            if (w != null) {
                w.rtt.completeExceptionally(new TransportClosedException(failure));
            }
        }
    }

    /** The tracker's own counters (tests). */
    PingTracker<PeerKey> tracker() {
        return tracker;
    }
}
