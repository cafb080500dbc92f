package io.zgrnet.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.ObjectName;

/**
 * What this test JVM holds, for leak checks over many cycles: descriptors, io_uring mappings,
 * the project's threads, resident memory, and the native memory the JVM tracks as "Other"
 * (where FFM arenas' malloc goes; needs -XX:NativeMemoryTracking=summary, set by the core pom).
 */
public record ProcessResources(long fds, long ioUringMappings, long zgrnetThreads, long rssKb, long nmtOtherKb,
                               long heapUsedKb) {
    private static final Pattern OTHER = Pattern.compile("-\\s+Other \\(reserved=(\\d+)KB, committed=(\\d+)KB");

    /** A snapshot now, after a full GC (so heap and cleaners settle). */
    public static ProcessResources now() throws IOException {
        System.gc();
        long heap = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1024;
        return new ProcessResources(count("/proc/self/fd"), lines("/proc/self/maps", "io_uring"),
                Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.isAlive() && t.getName().startsWith("zgrnet-")).count(),
                statusKb("VmRSS:"), readNmtOtherKb(), heap);
    }

    private static long count(String dir) throws IOException {
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            return s.count() - 1; // the listing's own descriptor
        }
    }

    private static long lines(String file, String containing) throws IOException {
        try (Stream<String> s = Files.lines(Path.of(file))) {
            return s.filter(l -> l.contains(containing)).count();
        }
    }

    private static long statusKb(String key) throws IOException {
        try (Stream<String> s = Files.lines(Path.of("/proc/self/status"))) {
            return s.filter(l -> l.startsWith(key)).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst()
                    .orElse(-1);
        }
    }

    /** NMT's committed "Other" in KB, or -1 when native memory tracking is off. */
    public static long readNmtOtherKb() {
        try {
            String r = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            Matcher m = OTHER.matcher(r);
            return m.find() ? Long.parseLong(m.group(2)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
