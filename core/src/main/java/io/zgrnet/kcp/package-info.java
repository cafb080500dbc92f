/**
 * KCP as zgrnet runs it (services.md §2): the ikcp 1.7 segment format and a control block with
 * zgrnet's patched constants and fixed parameters (nodelay 2, 10 ms interval, fast resend 2,
 * no congestion window, windows 4096/4096, MTU 1400, message mode).
 *
 * <p>The code is our own, written from the specification and checked segment by segment against
 * the exchanges zgrnet's Go produced ({@code services-vectors.json}). Everything here is owned by
 * one thread: a {@link io.zgrnet.kcp.Kcp} and the {@link io.zgrnet.kcp.SegmentPool} it draws from are
 * not thread-safe, and only {@link io.zgrnet.kcp.KcpStats} may be read from elsewhere. Nothing reads a
 * clock: time comes in through {@code update(nowMs)}.
 *
 * <p>On the per-packet path ({@code input}, {@code send}, {@code flush}, {@code recv}) nothing is
 * allocated once the segment pool has grown to its high-water mark; queues are rings with fixed
 * capacity, and every segment that is refused or dropped is counted in a {@link io.zgrnet.kcp.KcpCounter}.
 */
package io.zgrnet.kcp;
