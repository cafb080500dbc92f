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
    void workerListsParseAndRejectNonsense() {
        assertEquals(List.of(1, 2), E2eBench.parseWorkers("1,2,2"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> E2eBench.parseWorkers("0"));
    }
}
