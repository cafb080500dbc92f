package io.zgrnet.kcp;

/**
 * Where a control block's output goes: one call per output datagram (a run of whole segments, at
 * most {@link KcpConstants#MTU} bytes). Implemented by a field-holding object (in zgrnet-java the
 * stream, which frames the bytes as a mux PSH), never a capturing lambda per packet.
 *
 * <p>The bytes live in the control block's own buffer and are overwritten after the call returns,
 * so an implementation copies or sends them before returning. The buffer has
 * {@code headroom} free bytes before {@code offset} (as given to the {@link Kcp} constructor), so a
 * caller can prepend its header in place. An implementation must not call back into the same
 * control block.
 */
public interface KcpOutput {
    /** Sends {@code buffer[offset, offset + length)}. */
    void output(byte[] buffer, int offset, int length);
}
