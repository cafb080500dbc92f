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

    /** The thread's name, e.g. "zgrnet-io". */
    String roleName();

    /** Called once on the agent's own thread after its last duty cycle. */
    default void onClose() {
    }
}
