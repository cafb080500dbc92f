package io.zgrnet.pipeline;

/**
 * A unit of work run by one thread in a duty cycle. Tests call {@link #doWork()} directly.
 */
public interface Agent {
    /**
     * Does a bounded amount of work.
     *
     * @return how much work was done (0 lets the runner idle)
     * @throws Exception only for bugs; the runner logs it and keeps going
     */
    int doWork() throws Exception;

    /**
     * Whether {@link #doWork()} would find work now, checked by the runner after it has announced
     * that it is about to park: a producer that queued work and called {@link AgentRunner#wake()}
     * just before the announcement is then not missed. Cheap and side-effect free; the default
     * (no work) keeps the old behaviour of waking at the latest after the park's timeout.
     */
    default boolean hasWork() {
        return false;
    }

    /** The thread's name, e.g. "zgrnet-io". */
    String roleName();

    /** Called once on the agent's own thread after its last duty cycle. */
    default void onClose() {
    }
}
