package io.zgrnet.cli;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the named test classes in this JVM and reports each outcome on stdout, one line each:
 * {@code PASSED name}, {@code SKIPPED name: reason}, {@code FAILED name: throwable}, then
 * {@code SUMMARY passed=P failed=F skipped=S}. {@link FreshMachineTest} starts it as a child process
 * in an environment that hides optional parts of the machine. Exit 0 when nothing failed.
 */
public final class OptionalPartsRunner {
    private OptionalPartsRunner() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        List<org.junit.platform.engine.DiscoverySelector> selectors = new ArrayList<>();
        for (String name : args) {
            selectors.add(selectClass(name));
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
        AtomicInteger passed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                skipped.incrementAndGet();
                out.println("SKIPPED " + name(id) + ": " + oneLine(reason));
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                String name = name(id);
                switch (result.getStatus()) {
                    case SUCCESSFUL -> {
                        if (id.isTest()) {
                            passed.incrementAndGet();
                            out.println("PASSED " + name);
                        }
                    }
                    case ABORTED -> { // a failed assumption: the test or the class skipped itself
                        skipped.incrementAndGet();
                        out.println("SKIPPED " + name + ": "
                                + oneLine(result.getThrowable().map(Throwable::getMessage).orElse("aborted")));
                    }
                    case FAILED -> {
                        failed.incrementAndGet();
                        out.println("FAILED " + name + ": "
                                + oneLine(result.getThrowable().map(Throwable::toString).orElse("failed")));
                    }
                }
            }
        });
        out.println("SUMMARY passed=" + passed + " failed=" + failed + " skipped=" + skipped);
        System.exit(failed.get() == 0 ? 0 : 1);
    }

    private static String name(TestIdentifier id) {
        return id.getLegacyReportingName() + (id.isContainer() ? " (class)" : "");
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ');
    }
}
