package io.zgrnet.crypto;

import io.zgrnet.sys.Sodium;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;

/**
 * The native ChaCha20-Poly1305 engine: libsodium's SIMD implementation, for payloads of at least
 * {@link #MIN_LENGTH} bytes whose segments are all native (the transport's packet pool), where it
 * beats the Java engine (docs/benchmarks/aead.md). Off when libsodium is missing or the system
 * property {@code zgrnet.crypto.native} is {@code false}; then everything runs in Java.
 *
 * <p>No call allocates: ranges are checked and turned into addresses, the nonce goes into a
 * 16-byte native buffer of the calling thread, the key is the copy {@link AeadKey} made once.
 */
final class NativeAead {
    /** True when the native engine is used for eligible calls. */
    static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("zgrnet.crypto.native"))
            && Sodium.isAvailable();
    /**
     * Payloads from this length on go native. Tuning constant, measured on the reference machine:
     * see docs/benchmarks/aead.md.
     */
    static final int MIN_LENGTH = Integer.getInteger("zgrnet.crypto.nativeMinLength", 128);

    /** One nonce buffer per thread (allocated once per thread, freed with it). */
    private static final ThreadLocal<MemorySegment> NONCE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 16));

    private static final ValueLayout.OfInt LE_INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private NativeAead() {
    }

    /**
     * Whether a call with these segments and length goes native: writable native segments only
     * (a read-only one goes to the Java engine, which refuses it), and every range already checked
     * by the caller.
     */
    static boolean eligible(AeadKey key, MemorySegment ad, int adLen, MemorySegment src, MemorySegment dst, int len) {
        return ENABLED && len >= MIN_LENGTH && key.nativeBytes != null && src.isNative() && dst.isNative()
                && !dst.isReadOnly() && (adLen == 0 || ad.isNative());
    }

    /**
     * One access through each segment before handing raw addresses to C: it throws, as the Java
     * engine would, if a segment's arena is closed or confined to another thread. (An arena closed
     * by another thread during the call is a race the caller must not start; the transport closes
     * its pool only after its threads stop.)
     */
    private static void checkAccess(MemorySegment ad, long adOff, int adLen, MemorySegment src, long srcOff,
                                    MemorySegment dst, long dstOff) {
        src.get(ValueLayout.JAVA_BYTE, srcOff);
        dst.get(ValueLayout.JAVA_BYTE, dstOff);
        if (adLen > 0) {
            ad.get(ValueLayout.JAVA_BYTE, adOff);
        }
    }

    /** The calling thread's nonce buffer holding the three little-endian nonce words. */
    private static MemorySegment nonce(int n0, int n1, int n2) {
        MemorySegment n = NONCE.get();
        n.set(LE_INT, 0, n0);
        n.set(LE_INT, 4, n1);
        n.set(LE_INT, 8, n2);
        return n;
    }

    /** Seal, after the caller checked every range. */
    static int seal(AeadKey key, int n0, int n1, int n2, MemorySegment ad, long adOff, int adLen,
                    MemorySegment src, long srcOff, int len, MemorySegment dst, long dstOff) {
        checkAccess(ad, adOff, adLen, src, srcOff, dst, dstOff);
        MemorySegment n = nonce(n0, n1, n2);
        long c = dst.address() + dstOff;
        Sodium.encryptDetached(c, c + len, src.address() + srcOff, len, adLen == 0 ? 0 : ad.address() + adOff, adLen,
                n.address(), key.nativeBytes.address());
        Reference.reachabilityFence(key);
        Reference.reachabilityFence(src);
        Reference.reachabilityFence(dst);
        Reference.reachabilityFence(ad);
        return len + ChaChaPoly.TAG_LENGTH;
    }

    /**
     * Open, after the caller checked every range; -1 when the tag does not verify. Verify first
     * (libsodium with no output), then decrypt with the raw keystream from block 1: libsodium's
     * one-call decrypt would zero {@code dst} on failure, and ChaChaPoly promises to leave it as
     * it was. The cost over one call is one ChaCha20 block (the Poly1305 key).
     */
    static int open(AeadKey key, int n0, int n1, int n2, MemorySegment ad, long adOff, int adLen,
                    MemorySegment src, long srcOff, int ctLen, MemorySegment dst, long dstOff) {
        checkAccess(ad, adOff, adLen, src, srcOff, dst, dstOff);
        MemorySegment n = nonce(n0, n1, n2);
        int len = ctLen - ChaChaPoly.TAG_LENGTH;
        long c = src.address() + srcOff;
        long k = key.nativeBytes.address();
        boolean ok = Sodium.decryptDetached(0, c, len, c + len, adLen == 0 ? 0 : ad.address() + adOff, adLen,
                n.address(), k);
        if (ok && len > 0) {
            Sodium.streamXorIc(dst.address() + dstOff, c, len, n.address(), 1, k);
        }
        Reference.reachabilityFence(key);
        Reference.reachabilityFence(src);
        Reference.reachabilityFence(dst);
        Reference.reachabilityFence(ad);
        return ok ? len : -1;
    }
}
