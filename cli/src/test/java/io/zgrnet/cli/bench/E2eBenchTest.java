package io.zgrnet.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class E2eBenchTest {
    @Test
    void lossNoteSaysWhereMessagesWentAndNothingWhenNoneWereLost() {
        assertEquals("", E2eBench.lossNote(10, 10, 0, 0));
        String note = E2eBench.lossNote(110, 10, 5, 2);
        assertTrue(note.contains("100 to the receiving socket's buffer"), note);
        assertTrue(note.contains("5 to the transport's full receive queue"), note);
        assertTrue(note.contains("2 to an exhausted packet pool"), note);
        assertTrue(E2eBench.lossNote(-1, 10, 1, 0).contains("? to the receiving socket's buffer"),
                "an unreadable /proc/net/snmp is unknown, not zero");
    }

    @Test
    void aPacedWriterIsDueRateTimesElapsedMessages() {
        assertEquals(0, E2eBench.due(0, 200_000));
        assertEquals(100_000, E2eBench.due(500_000_000L, 200_000));
        assertEquals(1_000_000, E2eBench.due(1_000_000_000L, 1_000_000));
        assertEquals(100_000_000_000L, E2eBench.due(100_000_000_000L, 1_000_000_000L), "no overflow at 10^20");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new E2eBench(1, 0, 1, false, -1));
    }

    @Test
    void workerListsParseAndRejectNonsense() {
        assertEquals(List.of(1, 2), E2eBench.parseWorkers("1,2,2"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> E2eBench.parseWorkers("0"));
    }
}
