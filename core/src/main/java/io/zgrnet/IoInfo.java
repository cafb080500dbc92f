package io.zgrnet;

import java.util.List;
import java.util.Map;

/**
 * Which datagram backend a transport uses and why, and its counters: a snapshot, taken when
 * {@link UDP#ioInfo()} was called.
 *
 * @param requested the mode asked for
 * @param mode the backend kind in use (never AUTO)
 * @param backend the backend's name (e.g. "uring-multishot", "mmsg", "nio")
 * @param reason why this backend (e.g. why AUTO fell back)
 * @param socketOptions what became of each socket option
 * @param counters the backend's counters by label (datagrams, bytes, calls, errors by errno, ...)
 */
public record IoInfo(IOMode requested, IOMode mode, String backend, String reason, List<SocketOption> socketOptions,
                     Map<String, Long> counters) {
    /** Copies the lists. */
    public IoInfo {
        socketOptions = List.copyOf(socketOptions);
        counters = Map.copyOf(counters);
    }

    /** The outcome of {@code option} (e.g. "UDP_GRO"), or null when it was not requested. */
    public SocketOption socketOption(String option) {
        for (SocketOption o : socketOptions) {
            if (o.option().equals(option)) {
                return o;
            }
        }
        return null;
    }
}
