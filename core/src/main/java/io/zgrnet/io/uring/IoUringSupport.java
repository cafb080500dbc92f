package io.zgrnet.io.uring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.zgrnet.sys.BufRing;
import io.zgrnet.sys.Errno;
import io.zgrnet.sys.IoUring;
import io.zgrnet.sys.IoUringParams;
import io.zgrnet.sys.IoUringProbe;
import io.zgrnet.sys.Libc;
import io.zgrnet.sys.NativeException;
import io.zgrnet.sys.Syscall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * What this process may do with io_uring, probed once and kept with its cause (like Netty's
 * {@code IoUring.isAvailable()/unavailabilityCause()}).
 *
 * <p>The probe sets up a tiny ring (the errno classifies an unavailable kernel: ENOSYS = built
 * without io_uring or a sandbox hiding it; EPERM/EACCES = seccomp, an LSM or
 * {@code kernel.io_uring_disabled}), asks {@code IORING_REGISTER_PROBE} (5.6) for the opcodes,
 * reads the feature bits, and tries registering a one-entry provided-buffer ring (5.19).
 *
 * <p>Minimum kernels: armed RECVMSG receive needs RECVMSG/SENDMSG (5.3), FAST_POLL (5.7; otherwise
 * every armed receive would park an io-wq thread), NODROP (5.5), EXT_ARG (5.11, timed waits) and
 * ASYNC_CANCEL; multishot receive needs multishot RECVMSG (6.0; witnessed by the IORING_OP_SEND_ZC
 * opcode, which arrived in the same release, since the probe does not report per-op modifiers) and
 * provided-buffer rings (5.19). Zero-copy send needs SEND_ZC (6.0).
 *
 * <p>For reports ({@code zgrnet probe}) each capability also has a verdict with its cause:
 * {@link #opcodeChecks()}, {@link #featureChecks()}, {@link #bufferRingCause()} from this probe, and
 * {@link #setupFlagChecks()}, which tries each setup flag on its own when asked.
 *
 * <p>Concurrency: immutable; {@link #get()} caches the first probe in a holder class (thread-safe
 * lazy initialization by the JVM).
 */
public final class IoUringSupport {
    private static final System.Logger LOG = System.getLogger(IoUringSupport.class.getName());

    /** Why io_uring is or is not usable. */
    public enum Status {
        /** io_uring works and has what the armed receive mode needs. */
        AVAILABLE,
        /** io_uring_setup returned ENOSYS: kernel without CONFIG_IO_URING, or a sandbox hiding it. */
        NOT_IN_KERNEL,
        /** io_uring_setup returned EPERM or EACCES: seccomp, an LSM or kernel.io_uring_disabled. */
        NOT_PERMITTED,
        /** io_uring exists but lacks an opcode or feature we need: kernel too old. */
        KERNEL_TOO_OLD,
        /** Any other failure (e.g. ENOMEM from the locked-memory limit). */
        FAILED
    }

    private final Status status;
    private final int errno;
    private final String cause;
    private final int setupFlags;
    private final int features;
    private final boolean[] ops;
    private final String multishotCause;
    private final String sendZcCause;
    private final String bufRingCause;

    /**
     * One capability and the verdict on it, for reports such as {@code zgrnet probe}.
     *
     * @param name the kernel's name without its prefix, e.g. "SINGLE_ISSUER", "RECVMSG"
     * @param since the kernel release that introduced it, e.g. "6.0"
     * @param cause null when supported; otherwise what refused it (an errno, or why it is absent)
     */
    public record Check(String name, String since, String cause) {
        /** True when the kernel supports it. */
        public boolean supported() {
            return cause == null;
        }
    }

    /**
     * A setup flag probed on its own: name, kernel, its bit, and the flag the kernel demands with
     * it (0 if none; the setup flags of man io_uring_setup.2).
     */
    private record SetupFlag(String name, String since, int bit, int prerequisite, String prerequisiteName) {
        SetupFlag(String name, String since, int bit) {
            this(name, since, bit, 0, null);
        }
    }

    private static final List<SetupFlag> SETUP_FLAGS = List.of(
            new SetupFlag("SQPOLL", "5.1 (unprivileged 5.13)", IoUring.IORING_SETUP_SQPOLL),
            new SetupFlag("CQSIZE", "5.5", IoUring.IORING_SETUP_CQSIZE),
            new SetupFlag("CLAMP", "5.6", IoUring.IORING_SETUP_CLAMP),
            new SetupFlag("R_DISABLED", "5.10", IoUring.IORING_SETUP_R_DISABLED),
            new SetupFlag("SUBMIT_ALL", "5.18", IoUring.IORING_SETUP_SUBMIT_ALL),
            new SetupFlag("COOP_TASKRUN", "5.19", IoUring.IORING_SETUP_COOP_TASKRUN),
            new SetupFlag("TASKRUN_FLAG", "5.19", IoUring.IORING_SETUP_TASKRUN_FLAG,
                    IoUring.IORING_SETUP_COOP_TASKRUN, "COOP_TASKRUN"),
            new SetupFlag("SINGLE_ISSUER", "6.0", IoUring.IORING_SETUP_SINGLE_ISSUER),
            new SetupFlag("DEFER_TASKRUN", "6.1", IoUring.IORING_SETUP_DEFER_TASKRUN,
                    IoUring.IORING_SETUP_SINGLE_ISSUER, "SINGLE_ISSUER"),
            new SetupFlag("NO_SQARRAY", "6.6", IoUring.IORING_SETUP_NO_SQARRAY));

    /** Feature bits reported in io_uring_params.features: name, kernel, bit. */
    private record Feature(String name, String since, int bit) {
    }

    private static final List<Feature> FEATURES = List.of(
            new Feature("SINGLE_MMAP", "5.4", IoUring.IORING_FEAT_SINGLE_MMAP),
            new Feature("NODROP", "5.5", IoUring.IORING_FEAT_NODROP),
            new Feature("SUBMIT_STABLE", "5.5", IoUring.IORING_FEAT_SUBMIT_STABLE),
            new Feature("FAST_POLL", "5.7", IoUring.IORING_FEAT_FAST_POLL),
            new Feature("EXT_ARG", "5.11", IoUring.IORING_FEAT_EXT_ARG),
            new Feature("NATIVE_WORKERS", "5.12", IoUring.IORING_FEAT_NATIVE_WORKERS),
            new Feature("CQE_SKIP", "5.17", IoUring.IORING_FEAT_CQE_SKIP));

    /** Opcodes reported by IORING_REGISTER_PROBE: name, kernel, opcode. */
    private record Opcode(String name, String since, int op) {
    }

    private static final List<Opcode> OPCODES = List.of(
            new Opcode("RECVMSG", "5.3", IoUring.IORING_OP_RECVMSG),
            new Opcode("SENDMSG", "5.3", IoUring.IORING_OP_SENDMSG),
            new Opcode("ASYNC_CANCEL", "5.5", IoUring.IORING_OP_ASYNC_CANCEL),
            new Opcode("READ", "5.6", IoUring.IORING_OP_READ),
            new Opcode("PROVIDE_BUFFERS", "5.7", IoUring.IORING_OP_PROVIDE_BUFFERS),
            new Opcode("SEND_ZC", "6.0", IoUring.IORING_OP_SEND_ZC),
            new Opcode("SENDMSG_ZC", "6.1", IoUring.IORING_OP_SENDMSG_ZC));

    private IoUringSupport(Status status, int errno, String cause, int setupFlags, int features, boolean[] ops,
            String multishotCause, String sendZcCause, String bufRingCause) {
        this.status = status;
        this.errno = errno;
        this.cause = cause;
        this.setupFlags = setupFlags;
        this.features = features;
        this.ops = ops;
        this.multishotCause = multishotCause;
        this.sendZcCause = sendZcCause;
        this.bufRingCause = bufRingCause;
    }

    private static final class Holder {
        static final IoUringSupport INSTANCE = probe();
    }

    /** The process-wide probe result (probed on first use). */
    public static IoUringSupport get() {
        return Holder.INSTANCE;
    }

    /** Probes now, without caching (for tests that inject failures). */
    public static IoUringSupport probe() {
        Ring ring;
        try {
            ring = Ring.open(Ring.Options.of(4, 8));
        } catch (NativeException e) {
            int errno = e.errno();
            Status status = switch (errno) {
                case Errno.ENOSYS -> Status.NOT_IN_KERNEL;
                case Errno.EPERM, Errno.EACCES -> Status.NOT_PERMITTED;
                default -> Status.FAILED;
            };
            String why = switch (status) {
                case NOT_IN_KERNEL -> "kernel without io_uring (" + e.getMessage() + ")";
                case NOT_PERMITTED -> "io_uring not permitted: seccomp filter, LSM or kernel.io_uring_disabled ("
                        + e.getMessage() + ")";
                default -> e.getMessage();
            };
            return new IoUringSupport(status, errno, why, 0, 0, new boolean[IoUringProbe.MAX_OPS], why, why, why);
        }
        try (ring; Arena arena = Arena.ofConfined()) {
            boolean[] ops = new boolean[IoUringProbe.MAX_OPS];
            MemorySegment probe = arena.allocate(IoUringProbe.SIZE + IoUringProbe.OP_SIZE * IoUringProbe.MAX_OPS, 8);
            int r = ring.tryRegister(IoUring.IORING_REGISTER_PROBE, probe.address(), IoUringProbe.MAX_OPS);
            if (r < 0) {
                String why = "IORING_REGISTER_PROBE failed: " + Errno.describe(-r) + " (kernel older than 5.6)";
                return new IoUringSupport(Status.KERNEL_TOO_OLD, -r, why, ring.setupFlags(), ring.features(), ops,
                        why, why, why);
            }
            int opsLen = Byte.toUnsignedInt(probe.get(JAVA_BYTE, IoUringProbe.OPS_LEN));
            for (int i = 0; i < opsLen; i++) {
                long base = IoUringProbe.OPS + i * IoUringProbe.OP_SIZE;
                int op = Byte.toUnsignedInt(probe.get(JAVA_BYTE, base + IoUringProbe.OP_OP));
                int flags = Short.toUnsignedInt(probe.get(JAVA_SHORT, base + IoUringProbe.OP_FLAGS));
                if ((flags & IoUring.IO_URING_OP_SUPPORTED) != 0 && op < ops.length) {
                    ops[op] = true;
                }
            }
            List<String> missing = new ArrayList<>();
            need(ops, IoUring.IORING_OP_RECVMSG, "IORING_OP_RECVMSG (5.3)", missing);
            need(ops, IoUring.IORING_OP_SENDMSG, "IORING_OP_SENDMSG (5.3)", missing);
            need(ops, IoUring.IORING_OP_READ, "IORING_OP_READ (5.6)", missing);
            need(ops, IoUring.IORING_OP_ASYNC_CANCEL, "IORING_OP_ASYNC_CANCEL (5.5)", missing);
            if (!ring.hasFeature(IoUring.IORING_FEAT_FAST_POLL)) {
                missing.add("IORING_FEAT_FAST_POLL (5.7)");
            }
            if (!ring.hasFeature(IoUring.IORING_FEAT_NODROP)) {
                missing.add("IORING_FEAT_NODROP (5.5)");
            }
            if (!ring.hasFeature(IoUring.IORING_FEAT_EXT_ARG)) {
                missing.add("IORING_FEAT_EXT_ARG (5.11)");
            }
            String sendZc = ops[IoUring.IORING_OP_SEND_ZC] ? null : "IORING_OP_SEND_ZC not supported (kernel < 6.0)";
            String bufRing = tryBufRing(ring, arena);
            String multishot;
            if (!ops[IoUring.IORING_OP_SEND_ZC]) {
                multishot = "multishot RECVMSG needs kernel 6.0 (IORING_OP_SEND_ZC, from the same release, is absent)";
            } else {
                multishot = bufRing;
            }
            if (!missing.isEmpty()) {
                String why = "io_uring lacks " + String.join(", ", missing) + ": kernel too old";
                return new IoUringSupport(Status.KERNEL_TOO_OLD, 0, why, ring.setupFlags(), ring.features(), ops,
                        multishot == null ? why : multishot, sendZc, bufRing);
            }
            return new IoUringSupport(Status.AVAILABLE, 0, null, ring.setupFlags(), ring.features(), ops, multishot,
                    sendZc, bufRing);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "io_uring probe failed", e);
            String why = "io_uring probe failed: " + e;
            return new IoUringSupport(Status.FAILED, 0, why, 0, 0, new boolean[IoUringProbe.MAX_OPS], why, why, why);
        }
    }

    private static void need(boolean[] ops, int op, String name, List<String> missing) {
        if (!ops[op]) {
            missing.add(name);
        }
    }

    /** Registers and unregisters a one-entry buffer ring; null on success, else the cause. */
    private static String tryBufRing(Ring ring, Arena arena) {
        MemorySegment bufRing = arena.allocate(4096, 4096);
        MemorySegment reg = arena.allocate(BufRing.REG_SIZE, 8);
        reg.set(JAVA_LONG, BufRing.REG_RING_ADDR, bufRing.address());
        reg.set(JAVA_INT, BufRing.REG_RING_ENTRIES, 1);
        reg.set(JAVA_SHORT, BufRing.REG_BGID, (short) 0);
        int r = ring.tryRegister(IoUring.IORING_REGISTER_PBUF_RING, reg.address(), 1);
        if (r < 0) {
            return "IORING_REGISTER_PBUF_RING failed: " + Errno.describe(-r) + " (kernel < 5.19)";
        }
        ring.tryRegister(IoUring.IORING_UNREGISTER_PBUF_RING, reg.address(), 1);
        return null;
    }

    /** The status. */
    public Status status() {
        return status;
    }

    /** True if io_uring can run the armed receive mode and send (the backend's minimum). */
    public boolean available() {
        return status == Status.AVAILABLE;
    }

    /** Why not {@link #available()}, or null. */
    public String unavailabilityCause() {
        return cause;
    }

    /** The errno io_uring_setup or the probe failed with, 0 if none. */
    public int errno() {
        return errno;
    }

    /** True if the multishot receive mode is possible. */
    public boolean multishotReceive() {
        return available() && multishotCause == null;
    }

    /** Why the multishot receive mode is not possible, or null. */
    public String multishotCause() {
        return available() ? multishotCause : cause;
    }

    /** True if zero-copy send (IORING_OP_SEND_ZC) is possible. */
    public boolean sendZc() {
        return available() && sendZcCause == null;
    }

    /** Why zero-copy send is not possible, or null. */
    public String sendZcCause() {
        return available() ? sendZcCause : cause;
    }

    /**
     * True if IORING_OP_SEND takes a destination address (sendto semantics, Linux 6.1; witnessed by
     * IORING_OP_SENDMSG_ZC, which arrived in the same release).
     */
    public boolean sendTo() {
        return available() && ops[IoUring.IORING_OP_SENDMSG_ZC] && ops[IoUring.IORING_OP_SEND];
    }

    /** True if the kernel reported {@code opcode} as supported. */
    public boolean opSupported(int opcode) {
        return opcode >= 0 && opcode < ops.length && ops[opcode];
    }

    /**
     * Whether provided-buffer rings can be registered (IORING_REGISTER_PBUF_RING, 5.19): null when
     * they can, else the cause. Reported even when the backend as a whole is unavailable for
     * another reason, as long as a ring could be set up.
     */
    public String bufferRingCause() {
        return bufRingCause;
    }

    /**
     * Each opcode the backends use or could use, as the kernel's IORING_REGISTER_PROBE reported it;
     * when there was no probe (no ring, or the probe call failed), each carries that cause.
     */
    public List<Check> opcodeChecks() {
        boolean probed = status == Status.AVAILABLE || (status == Status.KERNEL_TOO_OLD && errno == 0);
        List<Check> out = new ArrayList<>(OPCODES.size());
        for (Opcode o : OPCODES) {
            String why = !probed ? cause
                    : ops[o.op()] ? null : "not reported by IORING_REGISTER_PROBE (needs kernel " + o.since() + ")";
            out.add(new Check(o.name(), o.since(), why));
        }
        return out;
    }

    /** Each IORING_FEAT_* bit of interest, as io_uring_setup reported it (or the setup failure). */
    public List<Check> featureChecks() {
        boolean haveRing = status == Status.AVAILABLE || status == Status.KERNEL_TOO_OLD;
        List<Check> out = new ArrayList<>(FEATURES.size());
        for (Feature f : FEATURES) {
            String why = !haveRing ? cause
                    : (features & f.bit()) != 0 ? null : "not reported by io_uring_setup (needs kernel " + f.since() + ")";
            out.add(new Check(f.name(), f.since(), why));
        }
        return out;
    }

    /**
     * Tries each setup flag of interest now, one {@code io_uring_setup} per flag (with its
     * prerequisite where the kernel demands one, e.g. DEFER_TASKRUN with SINGLE_ISSUER), and closes
     * each ring at once. Not cached, not for hot paths: about ten system calls, and SQPOLL briefly
     * starts a kernel thread. When this probe could not set up a ring at all, no call is made and
     * every flag carries that cause.
     *
     * @return one check per flag: supported, or the errno io_uring_setup refused it with
     */
    public List<Check> setupFlagChecks() {
        List<Check> out = new ArrayList<>(SETUP_FLAGS.size());
        if (status != Status.AVAILABLE && status != Status.KERNEL_TOO_OLD) {
            for (SetupFlag f : SETUP_FLAGS) {
                out.add(new Check(f.name(), f.since(), cause));
            }
            return out;
        }
        MemorySegment slot = Libc.errnoSlot();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(IoUringParams.SIZE, 8);
            for (SetupFlag f : SETUP_FLAGS) {
                params.fill((byte) 0);
                IoUringParams.set(params, IoUringParams.FLAGS, f.bit() | f.prerequisite());
                IoUringParams.set(params, IoUringParams.CQ_ENTRIES, 8); // read only with CQSIZE
                int r = IoUring.setup(slot, 4, params);
                if (r >= 0) {
                    Syscall.close(slot, r);
                    out.add(new Check(f.name(), f.since(), null));
                } else {
                    String why = "io_uring_setup" + (f.prerequisiteName() == null ? "" : " with " + f.prerequisiteName())
                            + ": " + Errno.describe(-r) + (-r == Errno.EINVAL ? " (needs kernel " + f.since() + ")" : "");
                    out.add(new Check(f.name(), f.since(), why));
                }
            }
        }
        return out;
    }

    /** The names of the setup flags in {@code flags}, joined by '|' (e.g. "SINGLE_ISSUER|DEFER_TASKRUN"). */
    public static String setupFlagNames(int flags) {
        StringBuilder sb = new StringBuilder();
        int rest = flags;
        for (SetupFlag f : SETUP_FLAGS) {
            if ((flags & f.bit()) != 0) {
                sb.append(sb.isEmpty() ? "" : "|").append(f.name());
                rest &= ~f.bit();
            }
        }
        if (rest != 0) {
            sb.append(sb.isEmpty() ? "" : "|").append("0x").append(Integer.toHexString(rest));
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }

    /** The setup flags the probe ring got (what {@link Ring#open} would choose). */
    public int setupFlags() {
        return setupFlags;
    }

    /** The kernel's IORING_FEAT_* bits. */
    public int features() {
        return features;
    }

    @Override
    public String toString() {
        if (!available()) {
            return "io_uring unavailable: " + cause;
        }
        return "io_uring available (setup flags 0x" + Integer.toHexString(setupFlags) + ", features 0x"
                + Integer.toHexString(features) + "); multishot receive: "
                + (multishotCause == null ? "yes" : "no, " + multishotCause) + "; send zero-copy: "
                + (sendZcCause == null ? "yes" : "no, " + sendZcCause);
    }
}
