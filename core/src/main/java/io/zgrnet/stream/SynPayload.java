package io.zgrnet.stream;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The SYN payload (services.md §3.1): empty when proto is 0 and there is no metadata (what Go
 * sends for a plain stream), otherwise {@code proto u8 · metadata}. Received: empty means proto
 * 0 without metadata, one byte means that proto without metadata.
 */
public final class SynPayload {
    /** The application tag of zgrnet's TCP proxy (metadata = {@link ProxyAddress}). */
    public static final int PROTO_TCP_PROXY = 69;

    private SynPayload() {
    }

    /** Bytes the payload takes: 0 for proto 0 without metadata, else 1 + metadata. */
    public static int length(int proto, int metadataLength) {
        return proto == 0 && metadataLength == 0 ? 0 : 1 + metadataLength;
    }

    /** Writes the payload at {@code dst[off]}; returns its length. */
    public static int write(byte[] dst, int off, int proto, byte[] metadata, int mdOff, int mdLen) {
        if (proto < 0 || proto > 0xFF) {
            throw new IllegalArgumentException("proto: must be in 0..255, got " + proto);
        }
        int n = length(proto, mdLen);
        if (n > 0) {
            dst[off] = (byte) proto;
            System.arraycopy(metadata, mdOff, dst, off + 1, mdLen);
        }
        return n;
    }

    /** The proto of a received payload. */
    public static int proto(MemorySegment s, long off, int length) {
        return length == 0 ? 0 : s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    /** Metadata length of a received payload (it starts one byte after the payload). */
    public static int metadataLength(int payloadLength) {
        return Math.max(0, payloadLength - 1);
    }
}
