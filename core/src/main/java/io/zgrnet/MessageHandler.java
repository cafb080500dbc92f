package io.zgrnet;

import java.lang.foreign.MemorySegment;

/**
 * Zero-copy receive: called with the decrypted payload in place in the packet pool. The segment is
 * valid only during the call; copy what you keep. Implement it as a field, not a capturing lambda,
 * to keep the receive path allocation-free.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * @param sender the authenticated sender
     * @param protocol the protocol byte
     * @param payload the pool's memory (read-only use)
     * @param offset where the payload starts in {@code payload}
     * @param length payload length
     */
    void onMessage(PeerKey sender, int protocol, MemorySegment payload, long offset, int length);
}
