/**
 * zgrnet's relay (protocol bytes 66-68 and 72-77, services.md §4) as pure, transport-independent
 * code: static flyweight codecs for every message, the route table and peer directory, the
 * {@link io.zgrnet.relay.RelayEngine} that decides what a node does with a relay or ping message,
 * and the {@link io.zgrnet.relay.RelaySender} that wraps outgoing datagrams on the source side.
 *
 * <p>Nothing here sends, receives, encrypts or decrypts: the transport feeds the engine what
 * arrived over a hop session and carries out the {@link io.zgrnet.relay.RelayAction} it gets back.
 * Malformed input is a counted refusal, never an exception; exceptions mean a programming error
 * (a null argument, a field out of range when writing). The per-datagram paths allocate nothing.
 * See docs/RELAY.md for the formats, the decisions and an example.
 */
package io.zgrnet.relay;
