package io.zgrnet.sys;

import java.lang.foreign.MemorySegment;

/**
 * The three io_uring system calls, by raw number through libc's {@code syscall()}, and the
 * constants of {@code <linux/io_uring.h>} this project uses. Each constant is checked against the
 * header by {@code IoUringLayoutTest}.
 *
 * <p>Convention: every call returns the kernel's result when it is non-negative and
 * {@code -errno} on failure (errno is captured in the caller's {@link Libc#errnoSlot()} by the
 * downcall and converted here, at the binding boundary). This matches the raw kernel ABI that
 * liburing and the man pages describe ({@code io_uring_setup(2)} "RETURN VALUE").
 *
 * <p>Concurrency: stateless except for the test hooks ({@link Faults}, and a volatile int read
 * once per {@code IORING_REGISTER_PROBE}).
 *
 * <p>Kernel versions (man io_uring_setup.2, io_uring_enter.2, io_uring_register.2): the calls exist
 * since 5.1; each constant below names the version that introduced it where it matters.
 */
public final class IoUring {
    /** {@code __NR_io_uring_setup}: the same on every architecture but alpha and mips (asm/unistd_64.h). */
    public static final long NR_IO_URING_SETUP = 425;
    /** {@code __NR_io_uring_enter}. */
    public static final long NR_IO_URING_ENTER = 426;
    /** {@code __NR_io_uring_register}. */
    public static final long NR_IO_URING_REGISTER = 427;

    // ---- io_uring_setup() flags (io_uring.h "io_uring_setup() flags") ----
    /** Kernel thread polls the SQ (5.1; unprivileged since 5.13). */
    public static final int IORING_SETUP_SQPOLL = 1 << 1;
    /** {@code cq_entries} in the params is valid (5.5). */
    public static final int IORING_SETUP_CQSIZE = 1 << 3;
    /** Clamp ring sizes to the maximum instead of failing (5.6). */
    public static final int IORING_SETUP_CLAMP = 1 << 4;
    /** Start disabled; enable with {@link #IORING_REGISTER_ENABLE_RINGS} (5.10). */
    public static final int IORING_SETUP_R_DISABLED = 1 << 6;
    /** Keep submitting the batch when one SQE fails (5.18). */
    public static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    /** Run task work cooperatively, no IPI (5.19). */
    public static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    /** With COOP_TASKRUN: flag pending task work in the SQ flags (5.19). */
    public static final int IORING_SETUP_TASKRUN_FLAG = 1 << 9;
    /** Only one task submits (6.0); other tasks get EEXIST. */
    public static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;
    /** Defer task work to io_uring_enter(GETEVENTS) of the issuer (6.1; requires SINGLE_ISSUER). */
    public static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;
    /**
     * No SQ index array: SQE {@code i} is slot {@code i} (6.6). Not in the linux-libc-dev 6.1
     * headers the layout test compiles against; value from the 6.6 {@code include/uapi/linux/io_uring.h}.
     */
    public static final int IORING_SETUP_NO_SQARRAY = 1 << 16;

    // ---- io_uring_params.features ----
    /** SQ and CQ rings share one mapping (5.4). */
    public static final int IORING_FEAT_SINGLE_MMAP = 1;
    /** CQEs are never dropped on overflow; kept in the kernel until flushed (5.5). */
    public static final int IORING_FEAT_NODROP = 1 << 1;
    /** SQE data is consumed at submission (5.5). */
    public static final int IORING_FEAT_SUBMIT_STABLE = 1 << 2;
    /** Pollable files are polled internally, no io-wq thread (5.7). */
    public static final int IORING_FEAT_FAST_POLL = 1 << 5;
    /** io_uring_enter takes {@code io_uring_getevents_arg} with a timeout (5.11). */
    public static final int IORING_FEAT_EXT_ARG = 1 << 8;
    /** io-wq workers are threads of the submitting process, not kernel threads (5.12). */
    public static final int IORING_FEAT_NATIVE_WORKERS = 1 << 9;
    /** {@code IOSQE_CQE_SKIP_SUCCESS} is honoured (5.17). */
    public static final int IORING_FEAT_CQE_SKIP = 1 << 11;

    // ---- SQ ring flags (sq_ring->flags) ----
    /** The SQPOLL thread sleeps; enter with {@link #IORING_ENTER_SQ_WAKEUP}. */
    public static final int IORING_SQ_NEED_WAKEUP = 1;
    /** CQEs overflowed into the kernel's list; enter with GETEVENTS to flush them. */
    public static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;
    /** Task work is pending; enter with GETEVENTS to run it (with TASKRUN_FLAG). */
    public static final int IORING_SQ_TASKRUN = 1 << 2;

    // ---- io_uring_enter() flags ----
    /** Wait for / reap completions (and run deferred task work). */
    public static final int IORING_ENTER_GETEVENTS = 1;
    /** Wake the SQPOLL thread. */
    public static final int IORING_ENTER_SQ_WAKEUP = 1 << 1;
    /** The last argument is an {@code io_uring_getevents_arg} (5.11). */
    public static final int IORING_ENTER_EXT_ARG = 1 << 3;

    // ---- mmap offsets ----
    /** mmap offset of the SQ ring (and of both rings with SINGLE_MMAP). */
    public static final long IORING_OFF_SQ_RING = 0L;
    /** mmap offset of the CQ ring. */
    public static final long IORING_OFF_CQ_RING = 0x8000000L;
    /** mmap offset of the SQE array. */
    public static final long IORING_OFF_SQES = 0x10000000L;

    // ---- opcodes (enum io_uring_op) ----
    /** No operation (5.1). */
    public static final int IORING_OP_NOP = 0;
    /** poll(2)-style one-shot readiness (5.1); events in {@code poll32_events} (the op-flags word). */
    public static final int IORING_OP_POLL_ADD = 6;
    /** sendmsg(2) (5.3). */
    public static final int IORING_OP_SENDMSG = 9;
    /** recvmsg(2) (5.3; multishot 6.0). */
    public static final int IORING_OP_RECVMSG = 10;
    /** Timeout (5.4). */
    public static final int IORING_OP_TIMEOUT = 11;
    /** Cancel a request (5.5). */
    public static final int IORING_OP_ASYNC_CANCEL = 14;
    /** read(2) (5.6). */
    public static final int IORING_OP_READ = 22;
    /** send(2) (5.6). */
    public static final int IORING_OP_SEND = 26;
    /** recv(2) (5.6). */
    public static final int IORING_OP_RECV = 27;
    /** Legacy provided buffers (5.7). */
    public static final int IORING_OP_PROVIDE_BUFFERS = 31;
    /** Post a CQE to another ring (5.18). */
    public static final int IORING_OP_MSG_RING = 40;
    /** Zero-copy send (6.0); also the witness that the kernel is 6.0+ (multishot recvmsg). */
    public static final int IORING_OP_SEND_ZC = 47;
    /** Zero-copy sendmsg (6.1). */
    public static final int IORING_OP_SENDMSG_ZC = 48;

    // ---- sqe->flags ----
    /** {@code fd} is an index into the registered file table. */
    public static final int IOSQE_FIXED_FILE = 1;
    /** Pick a buffer from {@code buf_group} (5.7). */
    public static final int IOSQE_BUFFER_SELECT = 1 << 5;

    // ---- send/recv modifiers in sqe->ioprio ----
    /** Arm poll first instead of trying the transfer (5.19). */
    public static final int IORING_RECVSEND_POLL_FIRST = 1;
    /** Multishot recv/recvmsg (6.0). */
    public static final int IORING_RECV_MULTISHOT = 1 << 1;
    /** Use the registered buffer {@code buf_index} (SEND_ZC, 6.0). */
    public static final int IORING_RECVSEND_FIXED_BUF = 1 << 2;

    // ---- ASYNC_CANCEL flags (sqe->cancel_flags) ----
    /** Cancel every match, not just the first (5.19). */
    public static final int IORING_ASYNC_CANCEL_ALL = 1;
    /** Match any request (5.19). */
    public static final int IORING_ASYNC_CANCEL_ANY = 1 << 2;

    // ---- cqe->flags ----
    /** The upper 16 bits hold the selected buffer id. */
    public static final int IORING_CQE_F_BUFFER = 1;
    /** More CQEs will follow for this SQE (multishot, zero-copy send). */
    public static final int IORING_CQE_F_MORE = 1 << 1;
    /** The socket had more data after this receive (5.19). */
    public static final int IORING_CQE_F_SOCK_NONEMPTY = 1 << 2;
    /** Zero-copy notification: the kernel is done with the buffer (6.0). */
    public static final int IORING_CQE_F_NOTIF = 1 << 3;
    /** Shift of the buffer id in cqe->flags. */
    public static final int IORING_CQE_BUFFER_SHIFT = 16;

    // ---- io_uring_register() opcodes ----
    /** Register fixed buffers (5.1). */
    public static final int IORING_REGISTER_BUFFERS = 0;
    /** Register fixed files (5.1). */
    public static final int IORING_REGISTER_FILES = 2;
    /** Drop the fixed-file table (5.1): its file references go at once, not when the ring is freed. */
    public static final int IORING_UNREGISTER_FILES = 3;
    /** Probe supported opcodes (5.6). */
    public static final int IORING_REGISTER_PROBE = 8;
    /** Enable a ring set up with R_DISABLED (5.10). */
    public static final int IORING_REGISTER_ENABLE_RINGS = 12;
    /** Register a provided-buffer ring (5.19). */
    public static final int IORING_REGISTER_PBUF_RING = 22;
    /** Unregister a provided-buffer ring (5.19). */
    public static final int IORING_UNREGISTER_PBUF_RING = 23;

    /** {@code IO_URING_OP_SUPPORTED} in io_uring_probe_op.flags. */
    public static final int IO_URING_OP_SUPPORTED = 1;

    /** recvmsg/sendmsg flag: report the real length of a truncated datagram ({@code <sys/socket.h>}). */
    public static final int MSG_TRUNC = 0x20;
    /** Do not block ({@code <sys/socket.h>}). */
    public static final int MSG_DONTWAIT = 0x40;

    // Test hook: when >= 0, IORING_REGISTER_PROBE reports this opcode as unsupported. Failures
    // of the calls themselves are injected through Faults.
    private static volatile int hiddenOpcode = -1;

    private IoUring() {
    }

    /**
     * {@code io_uring_setup(entries, params)}.
     *
     * @param params an {@link IoUringParams} segment, filled in by the kernel
     * @return the ring fd, or {@code -errno}
     */
    public static int setup(MemorySegment slot, int entries, MemorySegment params) {
        int injected = Faults.take(FaultSite.IO_URING_SETUP, slot);
        if (injected != 0) {
            return -injected;
        }
        long r = Syscall.syscall(slot, NR_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
        return r < 0 ? -Libc.errno(slot) : (int) r;
    }

    /**
     * {@code io_uring_enter(fd, toSubmit, minComplete, flags, arg, argSize)}.
     *
     * @return the number of SQEs consumed, or {@code -errno} (EINTR is returned, not retried here)
     */
    public static int enter(MemorySegment slot, int fd, int toSubmit, int minComplete, int flags, long arg,
            long argSize) {
        int injected = Faults.take(FaultSite.IO_URING_ENTER, slot);
        if (injected != 0) {
            return -injected;
        }
        long r = Syscall.syscall(slot, NR_IO_URING_ENTER, fd, toSubmit, minComplete, flags, arg, argSize);
        return r < 0 ? -Libc.errno(slot) : (int) r;
    }

    /**
     * {@code io_uring_register(fd, opcode, arg, nrArgs)}.
     *
     * @return the kernel's result (often 0), or {@code -errno}
     */
    public static int register(MemorySegment slot, int fd, int opcode, long arg, int nrArgs) {
        int injected = Faults.take(FaultSite.IO_URING_REGISTER, slot);
        if (injected != 0) {
            return -injected;
        }
        long r = Syscall.syscall(slot, NR_IO_URING_REGISTER, fd, opcode, arg, nrArgs, 0, 0);
        if (r < 0) {
            return -Libc.errno(slot);
        }
        int hidden = hiddenOpcode;
        if (hidden >= 0 && opcode == IORING_REGISTER_PROBE) {
            hideOpcode(arg, nrArgs, hidden);
        }
        return (int) r;
    }

    private static void hideOpcode(long probeAddress, int nrArgs, int op) {
        MemorySegment probe = MemorySegment.ofAddress(probeAddress)
                .reinterpret(IoUringProbe.SIZE + IoUringProbe.OP_SIZE * nrArgs);
        long flags = IoUringProbe.OPS + op * IoUringProbe.OP_SIZE + IoUringProbe.OP_FLAGS;
        if (op < nrArgs) {
            probe.set(java.lang.foreign.ValueLayout.JAVA_SHORT, flags, (short) 0);
        }
    }

    /**
     * Test hook: makes IORING_REGISTER_PROBE report {@code opcode} as unsupported, as an older
     * kernel would (-1 restores the real answer). Package-private; tests reach it through a bridge
     * in their own source tree.
     */
    static void hideOpcode(int opcode) {
        hiddenOpcode = opcode;
    }
}
