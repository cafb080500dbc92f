package io.zgrnet.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checks every io_uring struct offset and constant the Java bindings use against
 * {@code <linux/io_uring.h>} (linux-libc-dev), compiled by gcc through {@link CProbe}. A wrong
 * offset or constant fails here, naming the field.
 */
@Timeout(120)
class IoUringLayoutTest {
    private static final List<String> INCLUDES = List.of("linux/io_uring.h", "linux/time_types.h", "sys/socket.h",
            "sys/syscall.h");

    private final Map<String, String> expressions = new LinkedHashMap<>();
    private final Map<String, Long> expected = new LinkedHashMap<>();

    private void sizeOf(String struct, long javaValue) {
        String name = "sizeof(" + struct + ")";
        expressions.put(name, "sizeof(struct " + struct + ")");
        expected.put(name, javaValue);
    }

    private void offsetOf(String struct, String field, long javaValue) {
        String name = struct + "." + field;
        expressions.put(name, "offsetof(struct " + struct + ", " + field + ")");
        expected.put(name, javaValue);
    }

    private void constant(String macro, long javaValue) {
        expressions.put(macro, macro);
        expected.put(macro, javaValue);
    }

    @Test
    void structsAndConstantsMatchTheKernelHeader() {
        sizeOf("io_uring_params", IoUringParams.SIZE);
        offsetOf("io_uring_params", "sq_entries", IoUringParams.SQ_ENTRIES);
        offsetOf("io_uring_params", "cq_entries", IoUringParams.CQ_ENTRIES);
        offsetOf("io_uring_params", "flags", IoUringParams.FLAGS);
        offsetOf("io_uring_params", "sq_thread_cpu", IoUringParams.SQ_THREAD_CPU);
        offsetOf("io_uring_params", "sq_thread_idle", IoUringParams.SQ_THREAD_IDLE);
        offsetOf("io_uring_params", "features", IoUringParams.FEATURES);
        offsetOf("io_uring_params", "wq_fd", IoUringParams.WQ_FD);
        offsetOf("io_uring_params", "sq_off", IoUringParams.SQ_OFF);
        offsetOf("io_uring_params", "cq_off", IoUringParams.CQ_OFF);
        sizeOf("io_sqring_offsets", 40);
        offsetOf("io_sqring_offsets", "head", IoUringParams.SQ_OFF_HEAD);
        offsetOf("io_sqring_offsets", "tail", IoUringParams.SQ_OFF_TAIL);
        offsetOf("io_sqring_offsets", "ring_mask", IoUringParams.SQ_OFF_RING_MASK);
        offsetOf("io_sqring_offsets", "ring_entries", IoUringParams.SQ_OFF_RING_ENTRIES);
        offsetOf("io_sqring_offsets", "flags", IoUringParams.SQ_OFF_FLAGS);
        offsetOf("io_sqring_offsets", "dropped", IoUringParams.SQ_OFF_DROPPED);
        offsetOf("io_sqring_offsets", "array", IoUringParams.SQ_OFF_ARRAY);
        sizeOf("io_cqring_offsets", 40);
        offsetOf("io_cqring_offsets", "head", IoUringParams.CQ_OFF_HEAD);
        offsetOf("io_cqring_offsets", "tail", IoUringParams.CQ_OFF_TAIL);
        offsetOf("io_cqring_offsets", "ring_mask", IoUringParams.CQ_OFF_RING_MASK);
        offsetOf("io_cqring_offsets", "ring_entries", IoUringParams.CQ_OFF_RING_ENTRIES);
        offsetOf("io_cqring_offsets", "overflow", IoUringParams.CQ_OFF_OVERFLOW);
        offsetOf("io_cqring_offsets", "cqes", IoUringParams.CQ_OFF_CQES);
        offsetOf("io_cqring_offsets", "flags", IoUringParams.CQ_OFF_FLAGS);

        sizeOf("io_uring_sqe", Sqe.SIZE);
        offsetOf("io_uring_sqe", "opcode", Sqe.OPCODE);
        offsetOf("io_uring_sqe", "flags", Sqe.FLAGS);
        offsetOf("io_uring_sqe", "ioprio", Sqe.IOPRIO);
        offsetOf("io_uring_sqe", "fd", Sqe.FD);
        offsetOf("io_uring_sqe", "off", Sqe.OFF);
        offsetOf("io_uring_sqe", "addr2", Sqe.OFF);
        offsetOf("io_uring_sqe", "addr", Sqe.ADDR);
        offsetOf("io_uring_sqe", "len", Sqe.LEN);
        offsetOf("io_uring_sqe", "msg_flags", Sqe.OP_FLAGS);
        offsetOf("io_uring_sqe", "timeout_flags", Sqe.OP_FLAGS);
        offsetOf("io_uring_sqe", "cancel_flags", Sqe.OP_FLAGS);
        offsetOf("io_uring_sqe", "poll32_events", Sqe.OP_FLAGS);
        offsetOf("io_uring_sqe", "user_data", Sqe.USER_DATA);
        offsetOf("io_uring_sqe", "buf_index", Sqe.BUF_INDEX);
        offsetOf("io_uring_sqe", "buf_group", Sqe.BUF_INDEX);
        offsetOf("io_uring_sqe", "personality", Sqe.PERSONALITY);
        offsetOf("io_uring_sqe", "file_index", Sqe.ADDR_LEN);
        offsetOf("io_uring_sqe", "addr_len", Sqe.ADDR_LEN);
        offsetOf("io_uring_sqe", "addr3", Sqe.ADDR3);

        sizeOf("io_uring_cqe", Cqe.SIZE);
        offsetOf("io_uring_cqe", "user_data", Cqe.USER_DATA);
        offsetOf("io_uring_cqe", "res", Cqe.RES);
        offsetOf("io_uring_cqe", "flags", Cqe.FLAGS);

        sizeOf("io_uring_buf", BufRing.BUF_SIZE);
        offsetOf("io_uring_buf", "addr", BufRing.BUF_ADDR);
        offsetOf("io_uring_buf", "len", BufRing.BUF_LEN);
        offsetOf("io_uring_buf", "bid", BufRing.BUF_BID);
        offsetOf("io_uring_buf_ring", "tail", BufRing.TAIL);
        sizeOf("io_uring_buf_reg", BufRing.REG_SIZE);
        offsetOf("io_uring_buf_reg", "ring_addr", BufRing.REG_RING_ADDR);
        offsetOf("io_uring_buf_reg", "ring_entries", BufRing.REG_RING_ENTRIES);
        offsetOf("io_uring_buf_reg", "bgid", BufRing.REG_BGID);

        sizeOf("io_uring_recvmsg_out", RecvmsgOut.SIZE);
        offsetOf("io_uring_recvmsg_out", "namelen", RecvmsgOut.NAMELEN);
        offsetOf("io_uring_recvmsg_out", "controllen", RecvmsgOut.CONTROLLEN);
        offsetOf("io_uring_recvmsg_out", "payloadlen", RecvmsgOut.PAYLOADLEN);
        offsetOf("io_uring_recvmsg_out", "flags", RecvmsgOut.FLAGS);

        sizeOf("io_uring_probe", IoUringProbe.SIZE);
        offsetOf("io_uring_probe", "last_op", IoUringProbe.LAST_OP);
        offsetOf("io_uring_probe", "ops_len", IoUringProbe.OPS_LEN);
        offsetOf("io_uring_probe", "ops", IoUringProbe.OPS);
        sizeOf("io_uring_probe_op", IoUringProbe.OP_SIZE);
        offsetOf("io_uring_probe_op", "op", IoUringProbe.OP_OP);
        offsetOf("io_uring_probe_op", "flags", IoUringProbe.OP_FLAGS);

        sizeOf("io_uring_getevents_arg", GeteventsArg.SIZE);
        offsetOf("io_uring_getevents_arg", "sigmask", GeteventsArg.SIGMASK);
        offsetOf("io_uring_getevents_arg", "sigmask_sz", GeteventsArg.SIGMASK_SZ);
        offsetOf("io_uring_getevents_arg", "ts", GeteventsArg.TS);
        sizeOf("__kernel_timespec", GeteventsArg.TIMESPEC_SIZE);
        offsetOf("__kernel_timespec", "tv_sec", GeteventsArg.TV_SEC);
        offsetOf("__kernel_timespec", "tv_nsec", GeteventsArg.TV_NSEC);

        constant("__NR_io_uring_setup", IoUring.NR_IO_URING_SETUP);
        constant("__NR_io_uring_enter", IoUring.NR_IO_URING_ENTER);
        constant("__NR_io_uring_register", IoUring.NR_IO_URING_REGISTER);

        constant("IORING_SETUP_SQPOLL", IoUring.IORING_SETUP_SQPOLL);
        constant("IORING_SETUP_CQSIZE", IoUring.IORING_SETUP_CQSIZE);
        constant("IORING_SETUP_CLAMP", IoUring.IORING_SETUP_CLAMP);
        constant("IORING_SETUP_R_DISABLED", IoUring.IORING_SETUP_R_DISABLED);
        constant("IORING_SETUP_SUBMIT_ALL", IoUring.IORING_SETUP_SUBMIT_ALL);
        constant("IORING_SETUP_COOP_TASKRUN", IoUring.IORING_SETUP_COOP_TASKRUN);
        constant("IORING_SETUP_TASKRUN_FLAG", IoUring.IORING_SETUP_TASKRUN_FLAG);
        constant("IORING_SETUP_SINGLE_ISSUER", IoUring.IORING_SETUP_SINGLE_ISSUER);
        constant("IORING_SETUP_DEFER_TASKRUN", IoUring.IORING_SETUP_DEFER_TASKRUN);

        constant("IORING_FEAT_SINGLE_MMAP", IoUring.IORING_FEAT_SINGLE_MMAP);
        constant("IORING_FEAT_NODROP", IoUring.IORING_FEAT_NODROP);
        constant("IORING_FEAT_SUBMIT_STABLE", IoUring.IORING_FEAT_SUBMIT_STABLE);
        constant("IORING_FEAT_FAST_POLL", IoUring.IORING_FEAT_FAST_POLL);
        constant("IORING_FEAT_EXT_ARG", IoUring.IORING_FEAT_EXT_ARG);
        constant("IORING_FEAT_NATIVE_WORKERS", IoUring.IORING_FEAT_NATIVE_WORKERS);
        constant("IORING_FEAT_CQE_SKIP", IoUring.IORING_FEAT_CQE_SKIP);

        constant("IORING_SQ_NEED_WAKEUP", IoUring.IORING_SQ_NEED_WAKEUP);
        constant("IORING_SQ_CQ_OVERFLOW", IoUring.IORING_SQ_CQ_OVERFLOW);
        constant("IORING_SQ_TASKRUN", IoUring.IORING_SQ_TASKRUN);

        constant("IORING_ENTER_GETEVENTS", IoUring.IORING_ENTER_GETEVENTS);
        constant("IORING_ENTER_SQ_WAKEUP", IoUring.IORING_ENTER_SQ_WAKEUP);
        constant("IORING_ENTER_EXT_ARG", IoUring.IORING_ENTER_EXT_ARG);

        constant("IORING_OFF_SQ_RING", IoUring.IORING_OFF_SQ_RING);
        constant("IORING_OFF_CQ_RING", IoUring.IORING_OFF_CQ_RING);
        constant("IORING_OFF_SQES", IoUring.IORING_OFF_SQES);

        constant("IORING_OP_NOP", IoUring.IORING_OP_NOP);
        constant("IORING_OP_POLL_ADD", IoUring.IORING_OP_POLL_ADD);
        constant("IORING_OP_SENDMSG", IoUring.IORING_OP_SENDMSG);
        constant("IORING_OP_RECVMSG", IoUring.IORING_OP_RECVMSG);
        constant("IORING_OP_TIMEOUT", IoUring.IORING_OP_TIMEOUT);
        constant("IORING_OP_ASYNC_CANCEL", IoUring.IORING_OP_ASYNC_CANCEL);
        constant("IORING_OP_READ", IoUring.IORING_OP_READ);
        constant("IORING_OP_SEND", IoUring.IORING_OP_SEND);
        constant("IORING_OP_RECV", IoUring.IORING_OP_RECV);
        constant("IORING_OP_PROVIDE_BUFFERS", IoUring.IORING_OP_PROVIDE_BUFFERS);
        constant("IORING_OP_MSG_RING", IoUring.IORING_OP_MSG_RING);
        constant("IORING_OP_SEND_ZC", IoUring.IORING_OP_SEND_ZC);
        constant("IORING_OP_SENDMSG_ZC", IoUring.IORING_OP_SENDMSG_ZC);

        constant("IOSQE_FIXED_FILE", IoUring.IOSQE_FIXED_FILE);
        constant("IOSQE_BUFFER_SELECT", IoUring.IOSQE_BUFFER_SELECT);
        constant("IORING_RECVSEND_POLL_FIRST", IoUring.IORING_RECVSEND_POLL_FIRST);
        constant("IORING_RECV_MULTISHOT", IoUring.IORING_RECV_MULTISHOT);
        constant("IORING_RECVSEND_FIXED_BUF", IoUring.IORING_RECVSEND_FIXED_BUF);
        constant("IORING_ASYNC_CANCEL_ALL", IoUring.IORING_ASYNC_CANCEL_ALL);
        constant("IORING_ASYNC_CANCEL_ANY", IoUring.IORING_ASYNC_CANCEL_ANY);

        constant("IORING_CQE_F_BUFFER", IoUring.IORING_CQE_F_BUFFER);
        constant("IORING_CQE_F_MORE", IoUring.IORING_CQE_F_MORE);
        constant("IORING_CQE_F_SOCK_NONEMPTY", IoUring.IORING_CQE_F_SOCK_NONEMPTY);
        constant("IORING_CQE_F_NOTIF", IoUring.IORING_CQE_F_NOTIF);
        constant("IORING_CQE_BUFFER_SHIFT", IoUring.IORING_CQE_BUFFER_SHIFT);

        constant("IORING_REGISTER_BUFFERS", IoUring.IORING_REGISTER_BUFFERS);
        constant("IORING_REGISTER_FILES", IoUring.IORING_REGISTER_FILES);
        constant("IORING_UNREGISTER_FILES", IoUring.IORING_UNREGISTER_FILES);
        constant("IORING_REGISTER_PROBE", IoUring.IORING_REGISTER_PROBE);
        constant("IORING_REGISTER_ENABLE_RINGS", IoUring.IORING_REGISTER_ENABLE_RINGS);
        constant("IORING_REGISTER_PBUF_RING", IoUring.IORING_REGISTER_PBUF_RING);
        constant("IORING_UNREGISTER_PBUF_RING", IoUring.IORING_UNREGISTER_PBUF_RING);
        constant("IO_URING_OP_SUPPORTED", IoUring.IO_URING_OP_SUPPORTED);

        constant("MSG_TRUNC", IoUring.MSG_TRUNC);
        constant("MSG_DONTWAIT", IoUring.MSG_DONTWAIT);

        Map<String, Long> actual = CProbe.values(INCLUDES, expressions);
        assertEquals(expected.size(), actual.size(), "probe printed every value");
        String mismatches = mismatches(actual);
        assertTrue(mismatches.isEmpty(), "layout mismatches:" + mismatches);
    }

    /** The check itself catches a wrong offset and a wrong constant (guards against a vacuous test). */
    @Test
    void aWrongOffsetOrConstantIsReported() {
        offsetOf("io_uring_sqe", "user_data", Sqe.USER_DATA + 1);
        constant("IORING_OP_RECVMSG", IoUring.IORING_OP_SENDMSG);
        String mismatches = mismatches(CProbe.values(INCLUDES, expressions));
        assertTrue(mismatches.contains("io_uring_sqe.user_data: Java 33, C 32"), mismatches);
        assertTrue(mismatches.contains("IORING_OP_RECVMSG: Java 9, C 10"), mismatches);
    }

    private String mismatches(Map<String, Long> actual) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            Long c = actual.get(e.getKey());
            if (c == null || c.longValue() != e.getValue()) {
                out.append('\n').append(e.getKey()).append(": Java ").append(e.getValue()).append(", C ").append(c);
            }
        }
        return out.toString();
    }
}
