/**
 * zgrnet's datagram formats: message types, sizes, protocol bytes, and allocation-free
 * parsers/builders over {@code (MemorySegment, offset, length)}.
 *
 * <p>Every integer on the wire is little endian. Parsers validate with a {@code wrap}/{@code
 * validate} call that returns a {@link io.zgrnet.wire.WireResult} code instead of throwing, because
 * malformed datagrams come from the network and are counted, not raised. Nothing here knows about
 * keys or sessions.
 */
package io.zgrnet.wire;
