package io.zgrnet;

import io.zgrnet.io.BoundedIntQueue;
import io.zgrnet.io.PacketPool;
import io.zgrnet.sys.SockAddr;
import io.zgrnet.wire.HandshakeInit;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Which handshake initiations get the control agent's (expensive: two X25519 and more) attention,
 * decided on the I/O thread without allocating, before anything else is spent on them.
 *
 * <p>zgrnet's message 1 is not authenticated by the initiator's static key, so anyone who knows
 * our public key can send valid-looking initiations from any address. The defence is fairness
 * between sources, in bounded memory:
 * <ul>
 *   <li>a <b>per-source budget</b>: a token bucket per source (IPv4 address or IPv6 /64; 20 per
 *       second, burst 5, WireGuard's values);</li>
 *   <li>at most <b>one initiation waiting per source</b>, copied out of its pool slot (which is
 *       released at once) into a fixed table of {@value #SOURCES} entries: a further one from the
 *       same source while it waits is dropped;</li>
 *   <li>the control agent takes waiting initiations in arrival order of their sources, so with
 *       {@code k} sources flooding, a genuine peer waits for at most {@code k} others (the
 *       <b>global budget</b>: never more than {@value #SOURCES} waiting, about 480 KB in all);</li>
 *   <li>source entries that are idle (bucket refilled, nothing waiting) are reused first; when
 *       the {@value #PROBES} entries a source may use all hold waiting initiations, it is refused.</li>
 * </ul>
 * A datagram refused here costs a counter only: no slot is kept, nothing is allocated.
 *
 * <p>Threads: {@link #offer} runs on the I/O thread only (it owns the buckets); {@link #take} on
 * the control agent only. An entry's bytes are written only while it is not waiting and read only
 * while it is (the waiting flag is published with release and read with acquire), so the two
 * never touch the same bytes at once.
 */
final class HandshakeAdmission {
    /** Source entries: sources tracked and initiations waiting at most. */
    static final int SOURCES = 4096;
    /** Entries a source's hash may occupy. */
    static final int PROBES = 8;
    /** Per-source refill: one initiation per this many nanoseconds (20 per second). */
    static final long REFILL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Per-source burst. */
    static final int BURST = 5;
    /** Bytes kept of an initiation (zgrnet ignores a longer one's tail). */
    static final int INIT_BYTES = HandshakeInit.LENGTH;

    /** Why {@link #offer} refused. */
    enum Verdict {
        QUEUED, RATE_LIMITED, ALREADY_WAITING, TABLE_FULL
    }

    private final PacketPool pool;
    private final long[] keys = new long[SOURCES];
    private final long[] tokensAt = new long[SOURCES]; // time at which the bucket was last full-equivalent
    private final AtomicIntegerArray waiting = new AtomicIntegerArray(SOURCES);
    private final MemorySegment inits = MemorySegment.ofArray(new byte[SOURCES * INIT_BYTES]);
    private final MemorySegment sources = MemorySegment.ofArray(new byte[SOURCES * PacketPool.ADDRESS_SIZE]);
    private final BoundedIntQueue ready = new BoundedIntQueue(SOURCES);

    HandshakeAdmission(PacketPool pool) {
        this.pool = pool;
    }

    /**
     * I/O thread: considers the initiation in {@code slot} (at least {@link #INIT_BYTES} long).
     * The caller keeps the slot and releases it afterwards whatever the verdict.
     */
    Verdict offer(int slot, long nowNs) {
        MemorySegment addresses = pool.addresses();
        long addressOffset = pool.addressOffset(slot);
        long key = SockAddr.sourceKey(addresses, addressOffset);
        if (key == 0) {
            return Verdict.TABLE_FULL; // not an IP source: cannot happen for a received datagram
        }
        int entry = entryFor(key, nowNs);
        if (entry < 0) {
            return entry == -1 ? Verdict.ALREADY_WAITING : Verdict.TABLE_FULL;
        }
        // Token bucket kept as one timestamp: the time the bucket would have been empty-equivalent.
        // Available tokens = (now - at) / REFILL, capped at BURST; spending one moves `at` forward.
        long at = Math.max(tokensAt[entry], nowNs - BURST * REFILL_NS);
        if (nowNs - at < REFILL_NS) {
            return Verdict.RATE_LIMITED;
        }
        tokensAt[entry] = at + REFILL_NS;
        MemorySegment.copy(pool.slab(), pool.slotOffset(slot) + pool.dataOffset(slot), inits,
                (long) entry * INIT_BYTES, INIT_BYTES);
        MemorySegment.copy(addresses, addressOffset, sources, (long) entry * PacketPool.ADDRESS_SIZE,
                PacketPool.ADDRESS_SIZE);
        waiting.setRelease(entry, 1);
        if (!ready.offer(entry)) {
            waiting.setRelease(entry, 0); // cannot happen: one queue place per entry
            return Verdict.TABLE_FULL;
        }
        return Verdict.QUEUED;
    }

    /**
     * The entry of {@code key}, claiming an idle one if it has none: -1 when its initiation is
     * still waiting, -2 when every entry it may use is busy.
     */
    private int entryFor(long key, long nowNs) {
        int h = mix(key) & (SOURCES - 1);
        int reuse = -1;
        long oldest = Long.MAX_VALUE;
        for (int p = 0; p < PROBES; p++) {
            int e = (h + p) & (SOURCES - 1);
            if (keys[e] == key) {
                return waiting.getAcquire(e) != 0 ? -1 : e;
            }
            if (waiting.getAcquire(e) != 0) {
                continue;
            }
            if (keys[e] == 0) {
                if (reuse < 0 || keys[reuse] != 0) {
                    reuse = e;
                    oldest = Long.MIN_VALUE;
                }
            } else if (tokensAt[e] < oldest) { // the least recently active idle source
                reuse = e;
                oldest = tokensAt[e];
            }
        }
        if (reuse < 0) {
            return -2;
        }
        keys[reuse] = key;
        tokensAt[reuse] = nowNs - BURST * REFILL_NS; // a new source starts with a full bucket
        return reuse;
    }

    /**
     * Control agent: takes the next waiting initiation, copying its first {@link #INIT_BYTES}
     * bytes into {@code init} and its source address into {@code source}.
     *
     * @return false when none waits
     */
    boolean take(MemorySegment init, MemorySegment source) {
        int entry = ready.poll();
        if (entry < 0) {
            return false;
        }
        MemorySegment.copy(inits, (long) entry * INIT_BYTES, init, 0, INIT_BYTES);
        MemorySegment.copy(sources, (long) entry * PacketPool.ADDRESS_SIZE, source, 0, PacketPool.ADDRESS_SIZE);
        waiting.setRelease(entry, 0); // the I/O thread may write this entry again
        return true;
    }

    /** True when an initiation waits. */
    boolean hasWaiting() {
        return !ready.isEmpty();
    }

    private static int mix(long key) {
        long x = key * 0x9E3779B97F4A7C15L;
        return (int) (x ^ (x >>> 32));
    }

    /** Drops what waits (at close). */
    void clear() {
        while (ready.poll() >= 0) {
            // dropped
        }
        inits.fill((byte) 0);
    }
}
