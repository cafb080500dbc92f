/**
 * Ping/pong (protocol bytes 70 and 71, services.md §5): the message codecs, the responder that
 * answers as zgrnet's Go node does, the sender's tracker that matches pongs and measures the round
 * trip, and an RFC 6298 RTT estimator.
 *
 * <p>Pure code: nothing here sends or receives. The transport sends what these classes write and
 * feeds them what it received. Codecs are static flyweights over
 * {@code (MemorySegment, offset, length)}; malformed input is a result code, never an exception.
 */
package io.zgrnet.ping;
