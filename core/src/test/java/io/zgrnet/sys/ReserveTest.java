package io.zgrnet.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Syscall#reserve}: the receive buffers of large datagrams are address space that becomes
 * memory page by page as datagrams fill it, and is unmapped with its arena.
 */
@Timeout(30)
class ReserveTest {
    private static final Path PAGEMAP = Path.of("/proc/self/pagemap");
    private static final long PAGE = 4096;

    @Test
    void pagesBecomeMemoryOnlyWhenTouchedAndTheArenaUnmapsThem() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(PAGEMAP), "no /proc/self/pagemap here");
        Arena arena = Arena.ofShared();
        long bytes = 16L << 20;
        MemorySegment m = Syscall.reserve("test", bytes, arena);
        assertEquals(bytes, m.byteSize());
        assertEquals(0, m.address() % 4096, "page aligned");
        long untouched = residentKb(m.address(), bytes);
        assertTrue(untouched >= 0 && untouched < 1024, "16 MiB reserved, " + untouched + " kB resident");
        assertEquals(0, m.get(ValueLayout.JAVA_LONG, bytes - 8), "zero-filled (reading maps the shared zero page)");
        m.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        m.set(ValueLayout.JAVA_BYTE, 8192, (byte) 2);
        long grown = residentKb(m.address(), bytes) - untouched;
        assertTrue(grown >= 8 && grown <= 16, "two touched pages became memory, got " + grown + " kB");
        arena.close();
        assertThrows(IllegalStateException.class, () -> m.get(ValueLayout.JAVA_BYTE, 0), "unmapped with the arena");
    }

    /**
     * Resident kB of exactly {@code [address, address + bytes)}, page by page from
     * /proc/self/pagemap (bit 63: present). smaps would measure the whole mapping, which the kernel
     * may have merged with a resident neighbour of the same kind.
     */
    private static long residentKb(long address, long bytes) throws IOException {
        long pages = bytes / PAGE;
        ByteBuffer entries = ByteBuffer.allocate((int) (pages * 8)).order(ByteOrder.nativeOrder());
        try (FileChannel pagemap = FileChannel.open(PAGEMAP, StandardOpenOption.READ)) {
            long position = address / PAGE * 8;
            while (entries.hasRemaining()) {
                if (pagemap.read(entries, position + entries.position()) < 0) {
                    break;
                }
            }
        }
        entries.flip();
        long present = 0;
        while (entries.remaining() >= 8) {
            if (entries.getLong() < 0) { // bit 63
                present++;
            }
        }
        return present * PAGE / 1024;
    }
}
