package io.zgrnet.sys;

/**
 * {@code struct pollfd} from {@code <poll.h>} ({@code <asm-generic/poll.h>}): 8 bytes. Checked by
 * {@code SocketStructLayoutTest}.
 */
public final class Pollfd {
    /** {@code sizeof(struct pollfd)}. */
    public static final int SIZE = 8;
    /** {@code int fd}. */
    public static final int FD = 0;
    /** {@code short events}: requested. */
    public static final int EVENTS = 4;
    /** {@code short revents}: returned. */
    public static final int REVENTS = 6;

    private Pollfd() {
    }
}
