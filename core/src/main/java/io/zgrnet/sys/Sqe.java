package io.zgrnet.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/**
 * {@code struct io_uring_sqe} (64 bytes, {@code <linux/io_uring.h>}): the fields this project
 * writes. Offsets checked by {@code IoUringLayoutTest}.
 *
 * <p>Concurrency: SQEs are written by the ring's single owner thread before it publishes the SQ
 * tail with a release store; the kernel reads them after. Plain stores are correct here.
 */
public final class Sqe {
    /** {@code sizeof(struct io_uring_sqe)} (without IORING_SETUP_SQE128). */
    public static final long SIZE = 64;
    /** {@code __u8 opcode}. */
    public static final long OPCODE = 0;
    /** {@code __u8 flags} (IOSQE_*). */
    public static final long FLAGS = 1;
    /** {@code __u16 ioprio}: for send/recv, the IORING_RECVSEND_* / IORING_RECV_MULTISHOT modifiers. */
    public static final long IOPRIO = 2;
    /** {@code __s32 fd} (or fixed-file index with IOSQE_FIXED_FILE). */
    public static final long FD = 4;
    /** {@code __u64 off} / {@code addr2}: SEND_ZC's destination sockaddr; TIMEOUT's count. */
    public static final long OFF = 8;
    /** {@code __u64 addr}: buffer, msghdr or timespec pointer; ASYNC_CANCEL's target user_data. */
    public static final long ADDR = 16;
    /** {@code __u32 len}. */
    public static final long LEN = 24;
    /** {@code __u32 msg_flags} (union with rw_flags, timeout_flags, cancel_flags, ...). */
    public static final long OP_FLAGS = 28;
    /** {@code __u64 user_data}: returned in the CQE. */
    public static final long USER_DATA = 32;
    /** {@code __u16 buf_index} / {@code buf_group} (packed). */
    public static final long BUF_INDEX = 40;
    /** {@code __u16 personality}. */
    public static final long PERSONALITY = 42;
    /** {@code __u32 file_index} / {@code __u16 addr_len}: SEND_ZC's destination length. */
    public static final long ADDR_LEN = 44;
    /** {@code __u64 addr3}. */
    public static final long ADDR3 = 48;

    private Sqe() {
    }

    /**
     * Clears the SQE at {@code base} and writes the common fields.
     *
     * @param sqes the mapped SQE array
     * @param base byte offset of the SQE within {@code sqes}
     */
    public static void prep(MemorySegment sqes, long base, int opcode, int flags, int fd, long addr, int len,
            long off, long userData) {
        sqes.set(JAVA_BYTE, base + OPCODE, (byte) opcode);
        sqes.set(JAVA_BYTE, base + FLAGS, (byte) flags);
        sqes.set(JAVA_SHORT, base + IOPRIO, (short) 0);
        sqes.set(JAVA_INT, base + FD, fd);
        sqes.set(JAVA_LONG, base + OFF, off);
        sqes.set(JAVA_LONG, base + ADDR, addr);
        sqes.set(JAVA_INT, base + LEN, len);
        sqes.set(JAVA_INT, base + OP_FLAGS, 0);
        sqes.set(JAVA_LONG, base + USER_DATA, userData);
        sqes.set(JAVA_LONG, base + BUF_INDEX, 0L); // buf_index, personality, file_index/addr_len
        sqes.set(JAVA_LONG, base + ADDR3, 0L);
        sqes.set(JAVA_LONG, base + ADDR3 + 8, 0L);
    }

    /** Sets {@code ioprio}. */
    public static void ioprio(MemorySegment sqes, long base, int ioprio) {
        sqes.set(JAVA_SHORT, base + IOPRIO, (short) ioprio);
    }

    /** Sets the op-specific flags word (msg_flags, timeout_flags, cancel_flags, ...). */
    public static void opFlags(MemorySegment sqes, long base, int flags) {
        sqes.set(JAVA_INT, base + OP_FLAGS, flags);
    }

    /** Sets {@code buf_index} / {@code buf_group}. */
    public static void bufIndex(MemorySegment sqes, long base, int index) {
        sqes.set(JAVA_SHORT, base + BUF_INDEX, (short) index);
    }

    /** Sets {@code addr_len}. */
    public static void addrLen(MemorySegment sqes, long base, int length) {
        sqes.set(JAVA_SHORT, base + ADDR_LEN, (short) length);
    }
}
