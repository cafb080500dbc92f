package io.zgrnet.io;

import java.util.List;

/**
 * What became of each requested socket option.
 *
 * @param entries one entry per option, in the order applied
 */
public record SocketOptionsReport(List<Entry> entries) {
    /**
     * One option's outcome.
     *
     * @param option the option, e.g. "SO_RCVBUF"
     * @param requested what was asked for
     * @param actual what the kernel reports afterwards (e.g. the buffer size it gave), or null
     * @param errno 0 if applied, else the errno that refused it
     */
    public record Entry(String option, String requested, String actual, int errno) {
        /** True when the kernel accepted the option. */
        public boolean applied() {
            return errno == 0;
        }

        @Override
        public String toString() {
            return option + "=" + requested + (applied()
                    ? (actual == null ? " applied" : " applied (kernel: " + actual + ")")
                    : " refused: " + io.zgrnet.sys.Errno.describe(errno));
        }
    }

    public SocketOptionsReport {
        entries = List.copyOf(entries);
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
