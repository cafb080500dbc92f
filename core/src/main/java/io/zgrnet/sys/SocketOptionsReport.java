package io.zgrnet.sys;

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
     * @param errno 0 if applied, the errno that refused it, or {@link #UNSUPPORTED} when the
     *        backend has no way to apply it (then {@code actual} says why)
     */
    public record Entry(String option, String requested, String actual, int errno) {
        /** {@code errno} value of an option this backend cannot apply (no syscall was made). */
        public static final int UNSUPPORTED = -1;

        /** An option the backend cannot apply, with the reason. */
        public static Entry unsupported(String option, String requested, String reason) {
            return new Entry(option, requested, reason, UNSUPPORTED);
        }

        /** True when the kernel accepted the option. */
        public boolean applied() {
            return errno == 0;
        }

        @Override
        public String toString() {
            return option + "=" + requested + (applied()
                    ? (actual == null ? " applied" : " applied (kernel: " + actual + ")")
                    : errno == UNSUPPORTED ? " not supported: " + actual
                    : " refused: " + io.zgrnet.sys.Errno.describe(errno));
        }
    }

    public SocketOptionsReport {
        entries = List.copyOf(entries);
    }

    /** The entry for {@code option}, or null. */
    public Entry entry(String option) {
        for (Entry e : entries) {
            if (e.option().equals(option)) {
                return e;
            }
        }
        return null;
    }

    /** A report with {@code entry} replacing the one for the same option, or appended. */
    public SocketOptionsReport with(Entry entry) {
        java.util.ArrayList<Entry> out = new java.util.ArrayList<>(entries.size() + 1);
        boolean replaced = false;
        for (Entry e : entries) {
            if (e.option().equals(entry.option())) {
                out.add(entry);
                replaced = true;
            } else {
                out.add(e);
            }
        }
        if (!replaced) {
            out.add(entry);
        }
        return new SocketOptionsReport(out);
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
