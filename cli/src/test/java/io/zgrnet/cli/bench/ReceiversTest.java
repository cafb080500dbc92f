package io.zgrnet.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry: unique names, each entry's kind answers to its name, and the selections. */
class ReceiversTest {
    private final Receivers registry = Receivers.standard(Path.of("no-such-dir"), Path.of("no-such-build"));

    @Test
    void everyEntryHasAUniqueNameAndAKindOfThatName() {
        var names = new HashSet<String>();
        for (Receivers.Entry e : registry.entries()) {
            assertTrue(names.add(e.name()), "duplicate " + e.name());
            assertEquals(e.name(), e.kind().get().name());
            assertTrue(List.of("zgrnet", "C", "Netty").contains(e.family()), e.family());
        }
        assertTrue(names.containsAll(List.of("uring-multishot", "mmsg", "c-recvmmsg", "c-uring-multishot",
                "netty-epoll-mmsg", "netty-uring")), names.toString());
    }

    @Test
    void missingCSourcesMakeTheCReceiversUnavailableWithTheReason() {
        String cause = registry.find("c-recvmmsg").kind().get().unavailabilityCause();
        assertTrue(cause != null && cause.contains("not found"), cause);
    }

    @Test
    void quickIsASubsetOfTheDefaultWhichLeavesOutTheNamedOnes() {
        List<Receivers.Entry> quick = registry.defaults(true);
        List<Receivers.Entry> all = registry.defaults(false);
        assertTrue(all.containsAll(quick));
        assertTrue(all.stream().noneMatch(e -> e.name().equals("c-recvmmsg-gro")));
        assertTrue(quick.stream().allMatch(e -> e.scope() == Receivers.Scope.ALWAYS));
        assertTrue(all.stream().filter(Receivers.Entry::zeroLoss).map(Receivers.Entry::name).toList()
                .containsAll(List.of("uring-multishot", "mmsg")), "the default searches the default backend and mmsg");
    }

    @Test
    void shardsOfZgrnetReceiversOnly() {
        assertEquals("mmsg/x3", registry.find("mmsg/x3").kind().get().name());
        assertThrows(IllegalArgumentException.class, () -> registry.find("netty-uring/x2"));
        assertThrows(IllegalArgumentException.class, () -> registry.find("mmsg/x17"));
        assertThrows(IllegalArgumentException.class, () -> registry.find("nothing"));
    }
}
