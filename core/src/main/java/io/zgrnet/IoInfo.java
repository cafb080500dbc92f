package io.zgrnet;

import io.zgrnet.io.BackendStats;
import io.zgrnet.sys.SocketOptionsReport;

/**
 * Which datagram backend a transport uses and why.
 *
 * @param requested the mode asked for
 * @param backend the backend's name (e.g. "uring-multishot", "mmsg", "nio")
 * @param reason why this backend (e.g. why AUTO fell back)
 * @param socketOptions what became of the socket options
 * @param stats the backend's counters (live)
 */
public record IoInfo(IOMode requested, String backend, String reason, SocketOptionsReport socketOptions,
                     BackendStats stats) {
}
