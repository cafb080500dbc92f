package io.zgrnet.cli;

import java.io.PrintWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A file transfer's byte count, SHA-256 and (on a terminal only) a progress line on stderr,
 * redrawn at most 5 times a second. Used by {@code send} and {@code recv}.
 */
final class Progress {
    private static final long REDRAW_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final PrintWriter err;
    private final String verb;
    private final String name;
    private final long total;
    private final boolean terminal;
    private final MessageDigest sha256;
    private final long startNs = System.nanoTime();
    private long bytes;
    private long lastDrawNs;

    /** @param total expected bytes, or -1 when unknown */
    Progress(PrintWriter err, String verb, String name, long total) {
        this.err = err;
        this.verb = verb;
        this.name = name;
        this.total = total;
        this.terminal = System.console() != null;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JDK", e);
        }
    }

    void add(byte[] b, int off, int len) {
        sha256.update(b, off, len);
        bytes += len;
        long now = System.nanoTime();
        if (terminal && now - lastDrawNs >= REDRAW_NS) {
            lastDrawNs = now;
            draw(now);
        }
    }

    private void draw(long now) {
        double seconds = Math.max(1e-3, (now - startNs) / 1e9);
        String of = total >= 0 ? String.format(Locale.ROOT, " of %.1f MiB (%d%%)", total / 1048576.0,
                total == 0 ? 100 : bytes * 100 / total) : "";
        synchronized (err) {
            err.print(String.format(Locale.ROOT, "\r%s %s: %.1f MiB%s, %.1f MiB/s   ", verb, name,
                    bytes / 1048576.0, of, bytes / 1048576.0 / seconds));
            err.flush();
        }
    }

    long bytes() {
        return bytes;
    }

    /** Ends the progress line (if drawn) and returns the SHA-256 in hex. */
    String finish() {
        if (terminal) {
            draw(System.nanoTime());
            synchronized (err) {
                err.println();
                err.flush();
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** Seconds since the start, for the summary line. */
    double seconds() {
        return (System.nanoTime() - startNs) / 1e9;
    }
}
