package io.zgrnet.sys;

/**
 * {@code struct utsname} from {@code <sys/utsname.h>} (glibc, Linux: six NUL-terminated fields of
 * {@code _UTSNAME_LENGTH} = 65 bytes): 390 bytes. Checked by {@code SocketStructLayoutTest}.
 */
public final class Utsname {
    /** {@code sizeof(struct utsname)}. */
    public static final int SIZE = 390;
    /** Bytes per field ({@code _UTSNAME_LENGTH}). */
    public static final int FIELD_LENGTH = 65;
    /** {@code char sysname[]}, e.g. "Linux". */
    public static final int SYSNAME = 0;
    /** {@code char nodename[]}. */
    public static final int NODENAME = 65;
    /** {@code char release[]}, e.g. "6.8.0-45-generic". */
    public static final int RELEASE = 130;
    /** {@code char version[]}. */
    public static final int VERSION = 195;
    /** {@code char machine[]}, e.g. "x86_64". */
    public static final int MACHINE = 260;

    private Utsname() {
    }
}
