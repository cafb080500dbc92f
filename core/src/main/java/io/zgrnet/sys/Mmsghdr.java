package io.zgrnet.sys;

/**
 * {@code struct mmsghdr} from {@code <sys/socket.h>} (glibc, {@code _GNU_SOURCE}): a
 * {@link Msghdr} followed by the byte count of the message; 64 bytes on LP64 (56 + 4 + 4 padding).
 * Arrays of these are what {@code recvmmsg}/{@code sendmmsg} take. Checked by
 * {@code SocketStructLayoutTest}.
 */
public final class Mmsghdr {
    /** {@code sizeof(struct mmsghdr)}: the array stride. */
    public static final int SIZE = 64;
    /** {@code struct msghdr msg_hdr}. */
    public static final int MSG_HDR = 0;
    /** {@code unsigned int msg_len}: bytes received (with {@code MSG_TRUNC}: the datagram's real size) or sent. */
    public static final int MSG_LEN = 56;

    private Mmsghdr() {
    }
}
