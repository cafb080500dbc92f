package io.zgrnet;

import io.zgrnet.pipeline.Agent;
import io.zgrnet.pipeline.OrderedPipeline;
import java.lang.invoke.VarHandle;

/**
 * A decrypt worker's duty cycle: claims ring entries and runs the {@link Decryptor} on them, in
 * parallel with the other workers; wakes the reader when it finished some.
 */
final class DecryptWorker implements Agent {
    private final OrderedPipeline ring;
    private final Reader reader;
    private final String name;

    DecryptWorker(OrderedPipeline ring, Reader reader, int id) {
        this.ring = ring;
        this.reader = reader;
        this.name = "zgrnet-decrypt-" + id;
    }

    @Override
    public int doWork() {
        int n = 0;
        while (n < 64 && ring.processOne() == 1) {
            n++;
        }
        if (n > 0) {
            // StoreLoad: our release of the results must be ordered before reading the reader's
            // flag, or a reader that just parked could miss its wake-up.
            VarHandle.fullFence();
            reader.wake();
        }
        return n;
    }

    @Override
    public boolean hasWork() {
        return ring.unclaimed() > 0;
    }

    @Override
    public String roleName() {
        return name;
    }
}
