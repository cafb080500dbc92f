package io.zgrnet.kcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zgrnet.testing.SharedFiles;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KcpHeaderTest {
    @Test
    void writesTheLittleEndianLayoutOfTheSpec() {
        byte[] b = new byte[KcpHeader.LENGTH];
        KcpHeader.write(MemorySegment.ofArray(b), 0, 1, KcpConstants.CMD_PUSH, 0, 4096, 1000, 0, 0, 5);
        // conv 1, PUSH, frg 0, wnd 4096, ts 1000, sn 0, una 0, len 5: services.md 2.1, vector A2 of basic_lifecycle.
        assertEquals("0100000051000010e80300000000000000000000" + "05000000", HexFormat.of().formatHex(b));
    }

    @Test
    void readsEveryFieldBack() {
        byte[] b = SharedFiles.hex("0100000052000010d00700000200000003000000000000000a");
        MemorySegment s = MemorySegment.ofArray(b);
        assertEquals(1, KcpHeader.conv(s, 0));
        assertEquals(KcpConstants.CMD_ACK, KcpHeader.cmd(s, 0));
        assertEquals(0, KcpHeader.frg(s, 0));
        assertEquals(4096, KcpHeader.wnd(s, 0));
        assertEquals(2000, KcpHeader.ts(s, 0));
        assertEquals(2, KcpHeader.sn(s, 0));
        assertEquals(3, KcpHeader.una(s, 0));
        assertEquals(0, KcpHeader.len(s, 0));
    }

    @Test
    void unsignedFieldsDoNotSignExtend() {
        byte[] b = new byte[KcpHeader.LENGTH];
        MemorySegment s = MemorySegment.ofArray(b);
        KcpHeader.write(s, 0, -1, 0xFF, 0xFF, 0xFFFF, -1, -1, -1, -1);
        assertEquals(0xFF, KcpHeader.cmd(s, 0));
        assertEquals(0xFF, KcpHeader.frg(s, 0));
        assertEquals(0xFFFF, KcpHeader.wnd(s, 0));
        assertEquals(-1, KcpHeader.len(s, 0));
    }
}
