package io.zgrnet.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zgrnet probe}: what this machine offers zgrnet — kernel, JDK, CPU, io_uring feature by
 * feature (each "yes" or the errno/cause that refused it), recvmmsg, the backend {@code --io AUTO}
 * would pick and why, and the socket buffer sizes the kernel grants. {@code --json} prints the same
 * as one JSON object.
 */
@Command(name = "probe", description = {
    "Report the kernel, JDK, CPU, io_uring features (each: yes, or what refused it), recvmmsg,",
    "the backend --io AUTO picks and why, and the socket buffer sizes the kernel grants."})
final class ProbeCommand implements Callable<Integer> {
    private static final int NAME_WIDTH = 30;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ProbeReport r = ProbeReport.collect();
        if (json) {
            out.println(Json.write(r.toMap()));
        } else {
            printText(out, r);
        }
        out.flush();
        return 0;
    }

    private static void printText(PrintWriter out, ProbeReport r) {
        row(out, 0, "kernel", r.sysname + " " + r.release + " (" + r.machine + ")");
        row(out, 0, "jdk", r.jdkVersion + ", " + r.jdkVm + " (" + r.jdkVendor + ")");
        row(out, 0, "cpu", r.cpuModel + ", " + r.cpusAvailable + " available to the JVM"
                + (r.cpusOnline < 0 ? "" : ", " + r.cpusOnline + " online"));
        out.println();

        row(out, 0, "io_uring", r.uringAvailable ? "available" : "unavailable: " + r.uringCause);
        row(out, 1, "kernel.io_uring_disabled", ProbeReport.ioUringDisabledMeaning(r.ioUringDisabled));
        if (r.ringFlags != null) {
            row(out, 1, "ring setup flags in use", r.ringFlags);
        }
        section(out, "setup flags accepted", r.setupFlags);
        section(out, "features", r.features);
        section(out, "opcodes", r.opcodes);
        verdict(out, 1, r.bufferRings);
        verdict(out, 1, r.multishotRecvmsg);
        verdict(out, 1, r.sendZc);
        verdict(out, 0, r.recvmmsg);
        verdict(out, 0, r.udpGso);
        verdict(out, 0, r.udpGro);
        row(out, 0, "ChaCha20-Poly1305", r.aead);
        out.println();

        if (r.autoError != null) {
            row(out, 0, "backend AUTO", "fails to open: " + r.autoError);
        } else {
            row(out, 0, "backend AUTO", r.autoMode + " (" + r.autoBackend + "): " + r.autoReason);
        }
        row(out, 0, "socket buffers", r.socketError == null ? "" : "socket failed: " + r.socketError);
        row(out, 1, "net.core.rmem_max", r.rmemMax == null ? "unreadable" : bytes(r.rmemMax));
        row(out, 1, "net.core.wmem_max", r.wmemMax == null ? "unreadable" : bytes(r.wmemMax));
        for (ProbeReport.Buffer b : r.buffers) {
            row(out, 1, b.option(), "requested " + bytes(b.requestedBytes()) + ": " + b.detail());
        }
    }

    private static void section(PrintWriter out, String title, List<ProbeReport.Verdict> verdicts) {
        row(out, 1, title, "");
        for (ProbeReport.Verdict v : verdicts) {
            verdict(out, 2, v);
        }
    }

    private static void verdict(PrintWriter out, int indent, ProbeReport.Verdict v) {
        row(out, indent, v.name(), v.yes() ? "yes" : "no: " + v.cause());
    }

    private static void row(PrintWriter out, int indent, String name, String value) {
        String label = "  ".repeat(indent) + name;
        if (value.isEmpty()) {
            out.println(label);
            return;
        }
        out.println(label.length() >= NAME_WIDTH ? label + " " + value
                : label + " ".repeat(NAME_WIDTH - label.length()) + value);
    }

    private static String bytes(long n) {
        if (n >= (1 << 20) && n % (1 << 10) == 0) {
            return String.format(Locale.ROOT, "%d (%.1f MiB)", n, n / (double) (1 << 20));
        }
        if (n >= (1 << 10)) {
            return String.format(Locale.ROOT, "%d (%.0f KiB)", n, n / (double) (1 << 10));
        }
        return Long.toString(n);
    }
}
