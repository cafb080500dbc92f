package io.zgrnet.relay;

import static io.zgrnet.relay.ServiceVectors.A;
import static io.zgrnet.relay.ServiceVectors.B;
import static io.zgrnet.relay.ServiceVectors.R;
import static io.zgrnet.relay.ServiceVectors.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.zgrnet.PeerKey;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The source side: when to wrap, what a RELAY_0 we send looks like, and its refusals. */
class RelaySenderTest {
    private final PeerDirectory directory = ServiceVectors.directoryOfAll();
    private final RouteTable routes = new RouteTable(8, 8);
    private final RelaySender sender = new RelaySender(routes, directory);

    @Test
    void wrapsAsGoDoes() {
        // relay_messages' RELAY_0: ttl 8, strategy 0, dst B, "inner-payload".
        routes.put(B, PeerKey.of(R.toBytes()));
        assertSame(directory.canonical(R), sender.relayFor(B), "the directory's instance");
        assertNull(sender.relayFor(A));
        MemorySegment inner = MemorySegment.ofArray("inner-payload".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        MemorySegment out = MemorySegment.ofArray(new byte[64]);
        int n = sender.wrap(B, inner, 0, 13, out, 3, 61);
        assertEquals(47, n);
        String expected = RelayCodecTest.each(ServiceVectors.section("relay_messages").path("encodings")).findFirst()
                .orElseThrow().path("encoded_hex").asText();
        assertEquals(expected, hex(out, 3, n));
    }

    @Test
    void refusals() {
        MemorySegment inner = MemorySegment.ofArray(new byte[100]);
        MemorySegment out = MemorySegment.ofArray(new byte[200]);
        assertEquals(RelaySender.EMPTY, sender.wrap(B, inner, 0, 0, out, 0, 200));
        assertEquals(RelaySender.BUFFER_TOO_SMALL, sender.wrap(B, inner, 0, 100, out, 0, 133));
        assertEquals(RelaySender.OVERSIZE, sender.wrap(B, MemorySegment.ofArray(new byte[65505 - 33]), 0,
                65505 - 33, MemorySegment.ofArray(new byte[70_000]), 0, 70_000));
        byte[] k = new byte[32];
        k[5] = 1;
        inner.fill((byte) 7);
        assertEquals(RelaySender.UNKNOWN_DESTINATION, sender.wrap(PeerKey.of(k), inner, 0, 100, out, 0, 200));
        assertEquals(-1, out.asSlice(0, 200).mismatch(MemorySegment.ofArray(new byte[200])), "nothing written");
        assertEquals(134, sender.wrap(B, inner, 0, 100, out, 0, 134));
        assertEquals("OVERSIZE", RelaySender.resultName(RelaySender.OVERSIZE));
        assertEquals("OK(134)", RelaySender.resultName(134));
    }
}
