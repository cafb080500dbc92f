package io.zgrnet.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The first plaintext byte of a transport message: what the payload is (zgrnet message.go).
 * Values outside this list are legal on the wire and passed through; {@link #NONE} is not a wire
 * value but this library's marker for a keepalive, whose plaintext is empty.
 */
public final class ProtocolByte {
    /** Keepalive marker: no protocol byte and no payload (empty plaintext). Not a wire value. */
    public static final int NONE = -1;
    /** Raw bytes (the default of zgrnet's {@code WriteTo}). */
    public static final int RAW = 0;
    /** ICMP. */
    public static final int ICMP = 1;
    /** An IP packet. */
    public static final int IP = 4;
    /** TCP. */
    public static final int TCP = 6;
    /** UDP. */
    public static final int UDP = 17;
    /** KCP stream frames. */
    public static final int KCP = 64;
    /** UDP proxy. */
    public static final int UDP_PROXY = 65;
    /** Relay hop 0. */
    public static final int RELAY0 = 66;
    /** Relay hop 1. */
    public static final int RELAY1 = 67;
    /** Relay hop 2. */
    public static final int RELAY2 = 68;
    /** TCP proxy. */
    public static final int TCP_PROXY = 69;
    /** Ping. */
    public static final int PING = 70;
    /** Pong. */
    public static final int PONG = 71;
    /** Relay 0 bind. */
    public static final int RELAY0_BIND = 72;
    /** Relay 0 alias. */
    public static final int RELAY0_ALIAS = 73;
    /** Relay 1 bind. */
    public static final int RELAY1_BIND = 74;
    /** Relay 1 alias. */
    public static final int RELAY1_ALIAS = 75;
    /** Relay 2 bind. */
    public static final int RELAY2_BIND = 76;
    /** Relay 2 alias. */
    public static final int RELAY2_ALIAS = 77;
    /** Chat message. */
    public static final int CHAT = 128;
    /** File transfer. */
    public static final int FILE = 129;
    /** Media. */
    public static final int MEDIA = 130;
    /** Signalling. */
    public static final int SIGNAL = 131;
    /** RPC. */
    public static final int RPC = 132;

    private ProtocolByte() {
    }

    /** Where the protocol byte sits in a transport datagram: the first plaintext byte, after the header. */
    public static final int OFFSET = TransportHeader.LENGTH;
    /** Where the payload starts in a transport datagram: after the header and the protocol byte. */
    public static final int PAYLOAD_OFFSET = OFFSET + 1;

    /** The protocol byte of the decrypted transport datagram at {@code datagram}. */
    public static int read(MemorySegment segment, long datagram) {
        return segment.get(ValueLayout.JAVA_BYTE, datagram + OFFSET) & 0xFF;
    }

    /** Writes the protocol byte of the transport datagram at {@code datagram} (before sealing). */
    public static void write(MemorySegment segment, long datagram, int protocol) {
        segment.set(ValueLayout.JAVA_BYTE, datagram + OFFSET, (byte) protocol);
    }

    /** True for a value a sender may put on the wire (0..255) or {@link #NONE}. */
    public static boolean isValid(int protocol) {
        return protocol == NONE || (protocol & ~0xFF) == 0;
    }

    /** zgrnet's name for a protocol byte (as in the vectors), {@code "unassigned"} otherwise. */
    public static String name(int protocol) {
        return switch (protocol) {
            case NONE -> "keepalive";
            case RAW -> "raw";
            case ICMP -> "icmp";
            case IP -> "ip";
            case TCP -> "tcp";
            case UDP -> "udp";
            case KCP -> "kcp";
            case UDP_PROXY -> "udp_proxy";
            case RELAY0 -> "relay0";
            case RELAY1 -> "relay1";
            case RELAY2 -> "relay2";
            case TCP_PROXY -> "tcp_proxy";
            case PING -> "ping";
            case PONG -> "pong";
            case RELAY0_BIND -> "relay0_bind";
            case RELAY0_ALIAS -> "relay0_alias";
            case RELAY1_BIND -> "relay1_bind";
            case RELAY1_ALIAS -> "relay1_alias";
            case RELAY2_BIND -> "relay2_bind";
            case RELAY2_ALIAS -> "relay2_alias";
            case CHAT -> "chat";
            case FILE -> "file";
            case MEDIA -> "media";
            case SIGNAL -> "signal";
            case RPC -> "rpc";
            default -> "unassigned";
        };
    }
}
