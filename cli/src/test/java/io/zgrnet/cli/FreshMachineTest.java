package io.zgrnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The suite on a fresh machine: the tests that use an optional part of the machine (gcc,
 * liburing-dev, libsodium, python3 with cryptography) run in a child JVM whose environment hides
 * that part, and must pass, each skip naming what is missing. This machine may have every part
 * installed (CI installs them all); hiding works without root and changes nothing outside a
 * temporary directory:
 *
 * <ul>
 *   <li>gcc: {@code PATH} becomes a directory of links to every program on it but the C compilers;
 *   <li>liburing-dev: {@code CPATH} puts first a {@code liburing.h} that is an {@code #error}, so the
 *       header probe fails as it does without the package;
 *   <li>libsodium: {@code LD_LIBRARY_PATH} puts first empty files named {@code libsodium.so*}, which
 *       dlopen finds first and cannot load;
 *   <li>python3-cryptography: {@code PYTHONPATH} puts first a {@code cryptography} package whose
 *       import raises ImportError.
 * </ul>
 *
 * Covered: the struct layout checks (gcc), the C reference receivers (gcc, liburing-dev), the
 * libsodium AEAD, the interop tests against the reference peer (python3-cryptography) and the
 * transport tests (which take the Java AEAD without libsodium). A new test that needs an optional
 * part belongs in {@link #OPTIONAL_PART_TESTS}.
 */
class FreshMachineTest {
    /** The test classes that use an optional part of the machine. */
    static final List<String> OPTIONAL_PART_TESTS = List.of(
            "io.zgrnet.sys.SocketStructLayoutTest",
            "io.zgrnet.sys.IoUringLayoutTest",
            "io.zgrnet.crypto.NativeAeadTest",
            "io.zgrnet.OracleInteropTest",
            "io.zgrnet.TransportTest",
            "io.zgrnet.cli.bench.NativeReceiversTest");
    private static final Set<String> COMPILERS = Set.of("gcc", "cc", "c89", "c99", "x86_64-linux-gnu-gcc",
            "aarch64-linux-gnu-gcc");

    /** Not a @TempDir: JUnit warns once per link it deletes, and the PATH copy has thousands. */
    private Path dir;

    @BeforeEach
    void createDir() throws IOException {
        dir = Files.createTempDirectory("zgrnet-fresh-machine");
    }

    @AfterEach
    void deleteDir() throws IOException {
        try (var all = Files.walk(dir)) { // does not follow links: deletes the links, not their targets
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private record Child(int exit, String out) {
        List<String> lines(String prefix) {
            return out.lines().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    @Test
    @Timeout(300)
    void withoutGccLibsodiumAndPythonCryptographyEverySkipSaysWhy() throws Exception {
        Child c = runHiding(true, false, OPTIONAL_PART_TESTS);
        assertEquals(0, c.exit(), c.out());
        assertTrue(c.out().contains("SUMMARY passed="), c.out());
        assertTrue(c.lines("FAILED").isEmpty(), c.out());
        assertTrue(!c.lines("PASSED").isEmpty(), "the rest still runs: " + c.out());
        List<String> skips = c.lines("SKIPPED");
        assertSkipNamed(skips, "gcc not found", c);
        assertSkipNamed(skips, "libsodium not found (install libsodium23)", c);
        assertSkipNamed(skips, "cryptography package is not available", c);
        for (String s : skips) {
            assertTrue(s.indexOf(": ") > 0 && s.length() > s.indexOf(": ") + 10, "a skip without its reason: " + s);
        }
    }

    @Test
    @Timeout(300)
    void withGccButWithoutLiburingTheRingReceiverIsANoteAndTheBuildIsKept() throws Exception {
        assumeTrue(onPath("gcc") != null, "gcc not found on PATH: the liburing-less build needs it");
        Child c = runHiding(false, true, List.of("io.zgrnet.cli.bench.NativeReceiversTest"));
        assertEquals(0, c.exit(), c.out());
        assertTrue(c.lines("FAILED").isEmpty(), c.out());
        assertTrue(c.lines("SKIPPED").isEmpty(), "gcc is there, so every NativeReceiversTest runs: " + c.out());
        assertTrue(c.out().contains("PASSED aSecondPrepareDoesNotRebuild"), c.out());
        assertTrue(c.out().contains("PASSED eachMissingProgramIsANoteNamingWhatItNeeds"), c.out());
    }

    private static void assertSkipNamed(List<String> skips, String reason, Child c) {
        assertTrue(skips.stream().anyMatch(s -> s.contains(reason)), "no skip says \"" + reason + "\": " + c.out());
    }

    /** Runs {@link OptionalPartsRunner} over {@code classes} with the chosen parts hidden. */
    private Child runHiding(boolean hideGccSodiumPython, boolean hideLiburing, List<String> classes)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx1g", "-cp", System.getProperty("java.class.path")));
        for (String p : List.of("zgrnet.shared", "zgrnet.vectors")) {
            String v = System.getProperty(p);
            if (v != null) {
                cmd.add("-D" + p + "=" + v);
            }
        }
        cmd.add(OptionalPartsRunner.class.getName());
        cmd.addAll(classes);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(new File("").getAbsoluteFile());
        Map<String, String> env = pb.environment();
        if (hideGccSodiumPython) {
            env.put("PATH", pathWithoutCompilers(env.getOrDefault("PATH", "/usr/bin:/bin")).toString());
            Path libs = Files.createDirectories(dir.resolve("lib"));
            for (String name : List.of("libsodium.so.23", "libsodium.so.26", "libsodium.so")) {
                Files.createFile(libs.resolve(name)); // empty: found first, cannot be loaded
            }
            env.put("LD_LIBRARY_PATH", prepend(libs, env.get("LD_LIBRARY_PATH")));
            Path py = Files.createDirectories(dir.resolve("python").resolve("cryptography"));
            Files.writeString(py.resolve("__init__.py"), "raise ImportError('hidden by FreshMachineTest')\n");
            env.put("PYTHONPATH", prepend(py.getParent(), env.get("PYTHONPATH")));
        }
        if (hideLiburing) {
            Path include = Files.createDirectories(dir.resolve("include"));
            Files.writeString(include.resolve("liburing.h"), "#error liburing-dev hidden by FreshMachineTest\n");
            env.put("CPATH", prepend(include, env.get("CPATH")));
        }
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes(); // ends when the child exits
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child test run did not end: " + new String(out, StandardCharsets.UTF_8));
        }
        return new Child(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** A directory of links to every program on {@code path} except the C compilers. */
    private Path pathWithoutCompilers(String path) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String d : path.split(":")) {
            Path pd = Path.of(d.isEmpty() ? "." : d);
            if (!Files.isDirectory(pd)) {
                continue;
            }
            try (var files = Files.list(pd)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = f.getFileName().toString();
                    if (COMPILERS.contains(name) || name.matches("(.*-)?gcc(-\\d+)?") || Files.exists(bin.resolve(name),
                            java.nio.file.LinkOption.NOFOLLOW_LINKS) || !Files.isExecutable(f)) {
                        continue;
                    }
                    Files.createSymbolicLink(bin.resolve(name), f.toAbsolutePath());
                }
            }
        }
        return bin;
    }

    private static String prepend(Path first, String rest) {
        return rest == null || rest.isEmpty() ? first.toString() : first + File.pathSeparator + rest;
    }

    private static Path onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
