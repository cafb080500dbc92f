package io.zgrnet.ping;

import io.zgrnet.config.Clock;

/** A clock that moves only when a test says so (shared by the ping and relay tests). */
public final class FakeClock implements Clock {
    private long nowNs;

    /** Starts at {@code startNs}. */
    public FakeClock(long startNs) {
        this.nowNs = startNs;
    }

    @Override
    public long nanoTime() {
        return nowNs;
    }

    /** Moves the clock forward (or, with a negative value, backward). */
    public void advance(long ns) {
        nowNs += ns;
    }
}
