package io.zgrnet.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * libsodium's ChaCha20-Poly1305 (IETF: 96-bit nonce, RFC 8439), detached tag, when the shared
 * library is installed (Debian: libsodium23). Its SIMD ChaCha20 and Poly1305 are several times
 * faster than a scalar Java implementation on large packets.
 *
 * <p>Pointers are passed as raw addresses ({@code long}: on LP64 a pointer travels in an integer
 * register exactly like a long), so a call allocates nothing; callers keep the memory behind the
 * addresses reachable and valid for the call. The calls are short and never block, so they are
 * linked {@linkplain Linker.Option#critical critical} (no thread-state transition).
 *
 * <p>Availability is decided once, at class initialisation: the library loads, {@code sodium_init}
 * succeeds, and the symbols resolve; otherwise {@link #unavailabilityCause()} says why.
 */
public final class Sodium {
    private static final MethodHandle ENCRYPT;
    private static final MethodHandle DECRYPT;
    private static final MethodHandle XOR_IC;
    private static final String CAUSE;

    static {
        MethodHandle enc = null;
        MethodHandle dec = null;
        MethodHandle xor = null;
        String cause = null;
        try {
            SymbolLookup lib = load();
            Linker linker = Linker.nativeLinker();
            MethodHandle init = linker.downcallHandle(lib.find("sodium_init").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT));
            int r = (int) init.invokeExact();
            if (r < 0) {
                throw new IllegalStateException("sodium_init() returned " + r);
            }
            Linker.Option critical = Linker.Option.critical(false);
            // int ..._encrypt_detached(c, mac, maclen_p, m, mlen, ad, adlen, nsec, npub, k)
            enc = linker.downcallHandle(lib.find("crypto_aead_chacha20poly1305_ietf_encrypt_detached").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), critical);
            // int ..._decrypt_detached(m, nsec, c, clen, mac, ad, adlen, npub, k)
            dec = linker.downcallHandle(lib.find("crypto_aead_chacha20poly1305_ietf_decrypt_detached").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                            JAVA_LONG, JAVA_LONG, JAVA_LONG), critical);
            // int crypto_stream_chacha20_ietf_xor_ic(c, m, mlen, n, uint32_t ic, k)
            xor = linker.downcallHandle(lib.find("crypto_stream_chacha20_ietf_xor_ic").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG),
                    critical);
        } catch (Throwable t) {
            enc = null;
            dec = null;
            xor = null;
            cause = t instanceof IllegalArgumentException || t instanceof java.util.NoSuchElementException
                    ? "libsodium not found (install libsodium23): " + t.getMessage() : t.toString();
        }
        ENCRYPT = enc;
        DECRYPT = dec;
        XOR_IC = xor;
        CAUSE = cause;
    }

    private Sodium() {
    }

    private static SymbolLookup load() {
        IllegalArgumentException first = null;
        for (String name : new String[] {"libsodium.so.23", "libsodium.so.26", "libsodium.so"}) {
            try {
                return SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        throw first;
    }

    /** True when libsodium's ChaCha20-Poly1305 can be called. */
    public static boolean isAvailable() {
        return ENCRYPT != null;
    }

    /** Why {@link #isAvailable()} is false, or null. */
    public static String unavailabilityCause() {
        return CAUSE;
    }

    /**
     * Encrypts {@code mlen} bytes at {@code m} into {@code c} (may equal {@code m}) and writes the
     * 16-byte tag at {@code mac}.
     *
     * @param ad additional data address, 0 with {@code adlen} 0
     * @param npub the 12-byte nonce
     * @param k the 32-byte key
     */
    public static void encryptDetached(long c, long mac, long m, long mlen, long ad, long adlen, long npub, long k) {
        int r;
        try {
            r = (int) ENCRYPT.invokeExact(c, mac, 0L, m, mlen, ad, adlen, 0L, npub, k);
        } catch (Throwable t) {
            throw new AssertionError("libsodium encrypt downcall failed", t);
        }
        if (r != 0) {
            throw new IllegalStateException("crypto_aead_chacha20poly1305_ietf_encrypt_detached returned " + r);
        }
    }

    /**
     * Verifies the tag at {@code mac} over {@code clen} bytes at {@code c} and, if it matches,
     * decrypts them into {@code m} (may equal {@code c}); {@code m} = 0 only verifies.
     *
     * @return true if the tag verified; on false libsodium has zeroed {@code m[0..clen)} (when
     *     {@code m} is not 0): it never writes unauthenticated plaintext
     */
    public static boolean decryptDetached(long m, long c, long clen, long mac, long ad, long adlen, long npub,
                                          long k) {
        try {
            return (int) DECRYPT.invokeExact(m, 0L, c, clen, mac, ad, adlen, npub, k) == 0;
        } catch (Throwable t) {
            throw new AssertionError("libsodium decrypt downcall failed", t);
        }
    }

    /**
     * ChaCha20 (IETF) keystream from block {@code ic} XORed over {@code mlen} bytes at {@code m}
     * into {@code c} (may equal {@code m}).
     */
    public static void streamXorIc(long c, long m, long mlen, long n, int ic, long k) {
        int r;
        try {
            r = (int) XOR_IC.invokeExact(c, m, mlen, n, ic, k);
        } catch (Throwable t) {
            throw new AssertionError("libsodium stream downcall failed", t);
        }
        if (r != 0) {
            throw new IllegalStateException("crypto_stream_chacha20_ietf_xor_ic returned " + r);
        }
    }
}
