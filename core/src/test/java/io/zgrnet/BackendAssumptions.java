package io.zgrnet;

import org.junit.jupiter.api.Assumptions;

/** Skips a test, with the reason, when a backend is unavailable on this machine. */
final class BackendAssumptions {
    private BackendAssumptions() {
    }

    static boolean available(IOMode mode) {
        return io.zgrnet.io.BackendSelector.unavailabilityCause(mode) == null;
    }

    static void assumeAvailable(IOMode mode) {
        String cause = io.zgrnet.io.BackendSelector.unavailabilityCause(mode);
        Assumptions.assumeTrue(cause == null, () -> mode + " backend unavailable here: " + cause);
    }
}
