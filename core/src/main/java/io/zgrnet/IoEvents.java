package io.zgrnet;

import io.zgrnet.pipeline.IoAgent;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the I/O agent reports, turned into counters; a backend that failed for good is handed to
 * {@code onFailure}. Errors it retries are logged at most once a second, with how many were not.
 * Called on the I/O thread only.
 */
final class IoEvents implements IoAgent.Listener {
    private static final System.Logger LOG = System.getLogger(IoEvents.class.getName());

    private final TransportStats stats;
    private final Consumer<IOException> onFailure;
    private long lastLoggedNs;
    private long unlogged;

    IoEvents(TransportStats stats, Consumer<IOException> onFailure) {
        this.stats = stats;
        this.onFailure = onFailure;
    }

    @Override
    public void receiveRingFull() {
        stats.increment(TransportCounter.DROP_RECEIVE_QUEUE_FULL);
    }

    @Override
    public void unknownType() {
        stats.increment(TransportCounter.DROP_UNKNOWN_TYPE);
    }

    @Override
    public void malformed() {
        stats.increment(TransportCounter.DROP_MALFORMED);
    }

    @Override
    public void received(int count) {
        stats.add(TransportCounter.DATAGRAMS_RECEIVED, count);
    }

    @Override
    public void sendRefused(int count) {
        stats.add(TransportCounter.DROP_SEND_FAILED, count);
    }

    @Override
    public void backendError(IOException e, boolean fatal) {
        if (fatal) {
            onFailure.accept(e);
            return;
        }
        long now = System.nanoTime();
        if (lastLoggedNs == 0 || now - lastLoggedNs >= TimeUnit.SECONDS.toNanos(1)) {
            LOG.log(Level.WARNING, "datagram backend error (retrying): " + e.getMessage()
                    + (unlogged > 0 ? " (" + unlogged + " more since the last report)" : ""));
            lastLoggedNs = now;
            unlogged = 0;
        } else {
            unlogged++;
        }
    }
}
