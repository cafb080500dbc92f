package io.zgrnet.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct timespec} from {@code <time.h>}: 16 bytes on LP64 ({@code time_t tv_sec},
 * {@code long tv_nsec}). Checked by {@code SocketStructLayoutTest}.
 */
public final class Timespec {
    /** {@code sizeof(struct timespec)}. */
    public static final int SIZE = 16;
    /** {@code time_t tv_sec}. */
    public static final int TV_SEC = 0;
    /** {@code long tv_nsec}. */
    public static final int TV_NSEC = 8;

    private Timespec() {
    }

    /** Writes {@code nanos} (non-negative) as a timespec at {@code offset}. */
    public static void set(MemorySegment segment, long offset, long nanos) {
        segment.set(ValueLayout.JAVA_LONG, offset + TV_SEC, nanos / 1_000_000_000L);
        segment.set(ValueLayout.JAVA_LONG, offset + TV_NSEC, nanos % 1_000_000_000L);
    }
}
