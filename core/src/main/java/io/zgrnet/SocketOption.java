package io.zgrnet;

/**
 * What became of one requested socket option (a snapshot).
 *
 * @param option the option, e.g. "SO_RCVBUF"
 * @param requested what was asked for
 * @param actual what the kernel reports afterwards (e.g. the buffer size it gave), or why it could
 *        not be applied; null when there is nothing to say
 * @param applied true when the kernel accepted it
 * @param refusal the errno that refused it (e.g. "EPERM (operation not permitted)"), or null
 */
public record SocketOption(String option, String requested, String actual, boolean applied, String refusal) {
}
