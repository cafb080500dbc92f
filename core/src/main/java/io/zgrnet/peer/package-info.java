/**
 * Per-peer protocol state: transport {@link io.zgrnet.peer.Session}s over finished handshakes,
 * the {@link io.zgrnet.peer.ReplayWindow}, and the protocol's timer and message limits.
 *
 * <p>Concurrency: sealing is safe from any number of threads (one atomic counter per session).
 * The receive side has one owner, the stage that delivers a session's datagrams in order; only it
 * calls {@link io.zgrnet.peer.Session#open} or {@link io.zgrnet.peer.Session#acceptCounter}.
 * {@link io.zgrnet.peer.Session#decrypt} is stateless and may run on parallel decrypt workers.
 */
package io.zgrnet.peer;
