package io.zgrnet;

import org.junit.jupiter.api.Assumptions;

/** Skips a test, with the reason, when a backend is unavailable on this machine. */
final class BackendAssumptions {
    private BackendAssumptions() {
    }

    static boolean available(IOMode mode) {
        return io.zgrnet.io.select.BackendSelector.unavailabilityCause(io.zgrnet.io.select.BackendKind.valueOf(mode.name())) == null;
    }

    static void assumeAvailable(IOMode mode) {
        String cause = io.zgrnet.io.select.BackendSelector.unavailabilityCause(io.zgrnet.io.select.BackendKind.valueOf(mode.name()));
        Assumptions.assumeTrue(cause == null, () -> mode + " backend unavailable here: " + cause);
    }
}
