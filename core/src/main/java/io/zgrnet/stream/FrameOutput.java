package io.zgrnet.stream;

/**
 * Where a mux sends its frames: "send this as a protocol-64 datagram payload to the peer". The
 * integrator implements it with the transport (e.g. {@code udp.writeTo(peer, 64, buf, off, len)})
 * as a field-holding object.
 *
 * <p>The frame lives in a buffer the mux reuses after the call returns: send or copy it before
 * returning. {@code buf} has at least {@link MuxConfig#headroom()} free bytes before {@code off}, so a
 * header (e.g. the protocol byte) can be prepended in place. Must not call back into the mux.
 * A frame the transport cannot send is simply lost, as on the network (KCP resends data; the mux
 * repeats SYN and FIN as configured).
 */
public interface FrameOutput {
    /** Sends {@code buf[off, off + len)}, one mux frame. */
    void sendFrame(byte[] buf, int off, int len);
}
