package io.zgrnet.io.uring;

import io.zgrnet.sys.Syscall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The kernel task behind a ring's owner thread, to prove that the owner's io_uring requests are
 * gone when the owner itself cannot cancel them.
 *
 * <p>Why: only the owner may submit to a SINGLE_ISSUER ring, so only it can cancel and reap. If
 * the ring is closed by another thread, the kernel cancels the requests in its own time and posts
 * no completion we could wait for (seen on Linux 6.18 with DEFER_TASKRUN: none within a second).
 * But a task that exits cancels every io_uring request it submitted and waits for them in
 * {@code do_exit()} ({@code io_uring_files_cancel}), before the task is released. So once the
 * owner's task is gone from {@code /proc/self/task}, none of its requests can touch our memory.
 * Java's {@link Thread#join} alone is not that proof: the JVM marks a thread terminated before its
 * kernel task has exited. A reused task id, or a system without {@code /proc}, only makes the
 * answer "not proven" (the memory is then leaked, never freed early).
 */
final class OwnerTask {
    private final Thread thread;
    private final int tid;

    private OwnerTask(Thread thread, int tid) {
        this.thread = thread;
        this.tid = tid;
    }

    /** The calling thread and its kernel task. */
    static OwnerTask current() {
        return new OwnerTask(Thread.currentThread(), Syscall.gettid());
    }

    Thread thread() {
        return thread;
    }

    /**
     * Waits up to {@code timeoutNanos} for the owner thread to end and its kernel task to be gone.
     *
     * @return true when proven gone
     */
    boolean awaitExit(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (thread.isAlive()) {
            return false;
        }
        Path task = Path.of("/proc/self/task/" + tid);
        if (!Files.isDirectory(Path.of("/proc/self/task"))) {
            return false; // no procfs: cannot prove it
        }
        while (Files.exists(task)) {
            if (deadline - System.nanoTime() <= 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
        return true;
    }

    @Override
    public String toString() {
        return "\"" + thread.getName() + "\" (task " + tid + ")";
    }
}
