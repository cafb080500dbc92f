package io.zgrnet;

import java.net.InetSocketAddress;

/**
 * The local side of a transport.
 *
 * @param publicKey our static public key
 * @param localAddress the bound address (with the real port)
 */
public record HostInfo(PeerKey publicKey, InetSocketAddress localAddress) {
}
