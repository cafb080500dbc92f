package io.zgrnet.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Syscall#reserve}: the receive buffers of large datagrams are address space that becomes
 * memory page by page as datagrams fill it, and is unmapped with its arena.
 */
@Timeout(30)
class ReserveTest {
    @Test
    void pagesBecomeMemoryOnlyWhenTouchedAndTheArenaUnmapsThem() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "no /proc/self/smaps here");
        Arena arena = Arena.ofShared();
        long bytes = 16L << 20;
        MemorySegment m = Syscall.reserve("test", bytes, arena);
        assertEquals(bytes, m.byteSize());
        assertEquals(0, m.address() % 4096, "page aligned");
        // (The kernel may merge the mapping with a neighbour of the same kind: measure the area
        // that contains it, before and after.)
        long untouched = residentKb(m.address());
        assertTrue(untouched >= 0 && untouched < 1024, "16 MiB reserved, " + untouched + " kB resident");
        assertEquals(0, m.get(ValueLayout.JAVA_LONG, bytes - 8), "zero-filled (reading maps the shared zero page)");
        m.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        m.set(ValueLayout.JAVA_BYTE, 8192, (byte) 2);
        long grown = residentKb(m.address()) - untouched;
        assertTrue(grown >= 8 && grown <= 16, "two touched pages became memory, got " + grown + " kB");
        arena.close();
        assertThrows(IllegalStateException.class, () -> m.get(ValueLayout.JAVA_BYTE, 0), "unmapped with the arena");
    }

    /** Rss of the mapping that contains {@code address} in /proc/self/smaps, or -1 if there is none. */
    private static long residentKb(long address) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            int dash = l.indexOf('-');
            int space = l.indexOf(' ');
            if (dash <= 0 || space <= dash || !l.substring(0, dash).matches("[0-9a-f]+")) {
                continue;
            }
            long from = Long.parseUnsignedLong(l.substring(0, dash), 16);
            long to = Long.parseUnsignedLong(l.substring(dash + 1, space), 16);
            if (Long.compareUnsigned(address, from) >= 0 && Long.compareUnsigned(address, to) < 0) {
                for (int k = i + 1; k < lines.size(); k++) {
                    if (lines.get(k).startsWith("Rss:")) {
                        return Long.parseLong(lines.get(k).replaceAll("[^0-9]", ""));
                    }
                }
            }
        }
        return -1;
    }
}
