/**
 * zgrnet's stream multiplexer (protocol byte 64, services.md §3): the 7-byte mux frame, SYN
 * payloads and their TCP-proxy address metadata, stream-id allocation by key order, and a
 * transport-independent {@link io.zgrnet.stream.Mux} that runs one KCP control block per stream.
 *
 * <p>Threading: a {@code Mux}, its {@link io.zgrnet.stream.Stream}s and their KCP blocks belong to
 * one owner thread, which calls {@code input} (decrypted protocol-64 payloads of one peer, in
 * arrival order), {@code update(nowMs)} (every 1-10 ms) and the stream methods. Nothing blocks,
 * nothing reads a clock, nothing locks. Counters ({@link io.zgrnet.stream.MuxStats},
 * {@link io.zgrnet.kcp.KcpStats}) may be read from any thread.
 *
 * <p>Wire compatibility with Go: everything is encoded as Go does. On receive we tolerate what Go
 * does (late or duplicate SYN, FIN before SYN, PSH for unknown ids, lost FIN); on send we avoid
 * Go's pitfalls where the configuration allows (SYN re-sent until the peer answers, FIN only once
 * written data is acknowledged and repeated, messages split to at most 64 KiB). See docs/STREAMS.md.
 */
package io.zgrnet.stream;
