package io.zgrnet;

/**
 * What {@link UDP#readFrom} received: the sender, the protocol byte and how many payload bytes were
 * copied into the caller's buffer. A reusable holder: pass the same instance to avoid allocation.
 */
public final class Message {
    private PeerKey sender;
    private int protocol;
    private int length;
    private boolean truncated;

    /** An empty holder, to pass to {@link UDP#readFrom(Message, byte[], java.time.Duration)} again and again. */
    public Message() {
    }

    /** The authenticated sender. */
    public PeerKey sender() {
        return sender;
    }

    /** The protocol byte (0 raw, 1 icmp, 4 ip, 6 tcp, 17 udp, 128 chat, ...). */
    public int protocol() {
        return protocol;
    }

    /** Payload bytes copied into the buffer. */
    public int length() {
        return length;
    }

    /** True when the payload was longer than the buffer and the tail was cut off. */
    public boolean truncated() {
        return truncated;
    }

    void set(PeerKey sender, int protocol, int length, boolean truncated) {
        this.sender = sender;
        this.protocol = protocol;
        this.length = length;
        this.truncated = truncated;
    }

    @Override
    public String toString() {
        return "Message[from=" + sender + ", protocol=" + protocol + ", length=" + length
                + (truncated ? ", truncated" : "") + "]";
    }
}
