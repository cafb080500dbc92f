package io.zgrnet;

import io.zgrnet.pipeline.Agent;

/**
 * Keeps the ring moving for services that must not wait for the application (streams, a relay):
 * whenever no application thread reads, it takes the reader's turn, runs the protocol handlers and
 * leaves the application's messages in the inbox. Started by the first such service, stopped by
 * {@link UDP#close()}; a transport without those services has no such thread and no copy.
 */
final class DeliveryAgent implements Agent {
    private static final int BATCH = 256;

    private final Reader reader;

    DeliveryAgent(Reader reader) {
        this.reader = reader;
    }

    @Override
    public int doWork() {
        return reader.deliver(BATCH);
    }

    @Override
    public boolean hasWork() {
        return reader.headReady() && !reader.inside();
    }

    @Override
    public String roleName() {
        return "zgrnet-delivery";
    }
}
