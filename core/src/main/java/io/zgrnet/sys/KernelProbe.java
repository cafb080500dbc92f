package io.zgrnet.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the running kernel is: probed once with {@code uname(2)}, cached. Feature probes (io_uring
 * opcodes, socket options) build on {@link KernelInfo#atLeast} and their own calls; each records
 * its cause when unavailable.
 */
public final class KernelProbe {
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    private KernelProbe() {
    }

    /**
     * The kernel's identity.
     *
     * @param sysname e.g. "Linux"
     * @param release e.g. "6.8.0-45-generic"
     * @param machine e.g. "x86_64"
     * @param major parsed from {@code release}, 0 if it does not parse
     * @param minor parsed from {@code release}
     * @param patch parsed from {@code release}, 0 when absent
     */
    public record KernelInfo(String sysname, String release, String machine, int major, int minor, int patch) {
        /** True when this kernel is at least {@code major.minor}. */
        public boolean atLeast(int wantMajor, int wantMinor) {
            return major > wantMajor || (major == wantMajor && minor >= wantMinor);
        }

        /** True on Linux. */
        public boolean isLinux() {
            return sysname.equals("Linux");
        }

        @Override
        public String toString() {
            return sysname + " " + release + " " + machine;
        }
    }

    private static final class Handles {
        static final MethodHandle UNAME = Libc.downcall("uname", FunctionDescriptor.of(JAVA_INT, ADDRESS));

        private Handles() {
        }
    }

    private static final class Cached {
        static final KernelInfo INFO = probe();

        private Cached() {
        }
    }

    /** The running kernel (probed on first call). On non-Linux systems, from {@code os.name/os.version}. */
    public static KernelInfo kernel() {
        return Cached.INFO;
    }

    /** Parses "6.8.0-45-generic" into its numbers. */
    public static KernelInfo parse(String sysname, String release, String machine) {
        Matcher m = VERSION.matcher(release);
        if (!m.find()) {
            return new KernelInfo(sysname, release, machine, 0, 0, 0);
        }
        return new KernelInfo(sysname, release, machine, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    private static KernelInfo probe() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return parse(System.getProperty("os.name", ""), System.getProperty("os.version", ""),
                    System.getProperty("os.arch", ""));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment uts = arena.allocate(Utsname.SIZE);
            MemorySegment errno = Libc.errnoSlot();
            int rc;
            try {
                rc = (int) Handles.UNAME.invokeExact(errno, uts);
            } catch (Throwable t) {
                throw new AssertionError("uname downcall failed", t);
            }
            if (rc != 0) {
                // uname cannot fail with a valid buffer; keep the cause visible rather than guess.
                return parse("Linux", "unknown (uname: " + Errno.describe(Libc.errno(errno)) + ")",
                        System.getProperty("os.arch", ""));
            }
            return parse(field(uts, Utsname.SYSNAME), field(uts, Utsname.RELEASE), field(uts, Utsname.MACHINE));
        }
    }

    private static String field(MemorySegment uts, long offset) {
        return uts.asSlice(offset, Utsname.FIELD_LENGTH).getString(0);
    }
}
