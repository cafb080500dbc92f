package io.zgrnet.cli.bench;

import io.zgrnet.crypto.ChaChaPoly;
import io.zgrnet.io.uring.IoUringSupport;
import io.zgrnet.sys.KernelProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The line that heads every report: CPU model, cores, kernel, JDK and what io_uring offers.
 *
 * @param cpu CPU model name (/proc/cpuinfo) or os.arch
 * @param cores available processors
 * @param kernel kernel release and machine
 * @param jdk java.vm.name and java.runtime.version
 * @param ioUring the io_uring probe's summary (features, multishot receive, why not)
 * @param aead which ChaCha20-Poly1305 engines the transport uses
 */
public record Machine(String cpu, int cores, String kernel, String jdk, String ioUring, String aead) {
    /** Probes this machine. */
    public static Machine probe() {
        String uring;
        try {
            uring = IoUringSupport.get().toString();
        } catch (Throwable t) { // a probe failure is a report line, not a bench failure
            uring = "io_uring probe failed: " + t;
        }
        return new Machine(cpuModel(), Runtime.getRuntime().availableProcessors(), KernelProbe.kernel().toString(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"), uring,
                ChaChaPoly.engines());
    }

    /** One line: "CPU, N cores, kernel K, JDK J; io_uring ...; AEAD ...". */
    public String line() {
        return String.format(Locale.ROOT, "%s, %d cores, kernel %s, JDK %s; %s; AEAD: %s", cpu, cores, kernel, jdk,
                ioUring, aead);
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }
}
