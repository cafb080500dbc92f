package io.zgrnet.config;

/**
 * Monotonic time for timers. The transport reads time only through this, so tests drive the
 * timers with a manual clock and never sleep.
 */
@FunctionalInterface
public interface Clock {
    /** The system's monotonic clock. */
    Clock SYSTEM = System::nanoTime;

    /** Monotonic nanoseconds; only differences are meaningful (compare with {@code a - b < 0}). */
    long nanoTime();
}
