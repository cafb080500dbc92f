package io.zgrnet.stream;

import static io.zgrnet.stream.ServicesVectors.ROOT;
import static io.zgrnet.stream.ServicesVectors.hex;
import static io.zgrnet.stream.ServicesVectors.seg;
import static io.zgrnet.stream.ServicesVectors.unhex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.zgrnet.kcp.KcpConstants;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The vectors' {@code mux_frames} (encodings, decode cases with the mux's reaction, id allocation,
 * TCP-proxy metadata), {@code constants} and {@code nodes} (role by key order).
 */
class MuxFrameVectorsTest {
    private static final int KCP_PROTOCOL = 64;

    @TestFactory
    Stream<DynamicTest> encodings() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : ROOT.path("mux_frames").path("encodings")) {
            tests.add(DynamicTest.dynamicTest(v.path("name").asText(), () -> {
                byte[] payload = unhex(v.path("payload_hex").asText());
                int cmd = v.path("cmd").asInt();
                int id = (int) v.path("stream_id").asLong();
                byte[] frame = new byte[MuxFrame.HEADER_LENGTH + payload.length];
                assertEquals(7, MuxFrame.writeHeader(frame, 0, cmd, id, payload.length));
                System.arraycopy(payload, 0, frame, 7, payload.length);
                assertEquals(v.path("encoded_hex").asText(), hex(frame), "encode");
                assertEquals(v.path("datagram_plaintext_hex").asText(),
                        String.format("%02x", KCP_PROTOCOL) + hex(frame), "datagram plaintext");

                MemorySegment s = seg(unhex(v.path("encoded_hex").asText()));
                assertEquals(MuxResult.OK, MuxFrame.validate(s, 0, (int) s.byteSize()));
                assertEquals(cmd, MuxFrame.cmd(s, 0));
                assertEquals(v.path("stream_id").asLong(), Integer.toUnsignedLong(MuxFrame.streamId(s, 0)));
                assertEquals(payload.length, MuxFrame.payloadLength(s, 0));
                assertEquals(v.path("payload_hex").asText(), hex(s.asSlice(MuxFrame.payloadOffset(0),
                        payload.length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
            }));
        }
        assertEquals(7, tests.size());
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> decodeCasesAndTheMuxsReaction() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : ROOT.path("mux_frames").path("decode_cases")) {
            tests.add(DynamicTest.dynamicTest(v.path("name").asText(), () -> {
                byte[] in = unhex(v.path("input_hex").asText());
                MemorySegment s = seg(in);
                // B's mux (server); ids 7 and 9 of the cases are client-opened.
                Mux mux = new Mux(MuxConfig.goReplica(), false, new ServicesVectors.Frames(), StreamListener.NONE);
                int result = mux.input(s, 0, in.length);
                if (v.path("result").asText().equals("error")) {
                    assertEquals("kcp: frame too short", v.path("error").asText());
                    assertEquals(MuxResult.TOO_SHORT, MuxFrame.validate(s, 0, in.length));
                    assertEquals(MuxResult.TOO_SHORT, result);
                    assertEquals(1, mux.stats().get(MuxCounter.DROP_FRAME_TOO_SHORT));
                    return;
                }
                assertEquals(MuxResult.OK, MuxFrame.validate(s, 0, in.length));
                assertEquals(v.path("cmd").asInt(), MuxFrame.cmd(s, 0));
                assertEquals(v.path("stream_id").asLong(), Integer.toUnsignedLong(MuxFrame.streamId(s, 0)));
                int len = MuxFrame.payloadLength(s, 0);
                assertEquals(v.path("payload_hex").asText(),
                        hex(java.util.Arrays.copyOfRange(in, 7, 7 + len)));
                JsonNode err = v.path("mux_input_error");
                if (err.isNull()) {
                    assertEquals(MuxResult.OK, result);
                } else {
                    assertEquals("kcp: invalid command", err.asText());
                    assertEquals(MuxResult.INVALID_COMMAND, result);
                }
                assertEquals(v.path("mux_accepted_streams").asInt(), mux.acceptable());
                io.zgrnet.stream.Stream accepted = mux.accept();
                if (accepted != null) {
                    int payloadLength = len;
                    assertEquals(payloadLength == 0 ? 0 : in[7] & 0xFF, accepted.proto());
                    assertEquals(0, accepted.metadata().length);
                }
            }));
        }
        assertEquals(10, tests.size());
        return tests.stream();
    }

    @Test
    void streamIdAllocationForBothRoles() {
        for (JsonNode v : ROOT.path("mux_frames").path("stream_id_allocation")) {
            boolean client = v.path("is_client").asBoolean();
            ServicesVectors.Frames out = new ServicesVectors.Frames();
            Mux mux = new Mux(MuxConfig.goReplica(), client, out, StreamListener.NONE);
            for (int i = 0; i < v.path("stream_ids").size(); i++) {
                io.zgrnet.stream.Stream s = mux.open();
                assertEquals(v.path("stream_ids").get(i).asInt(), s.id());
                assertEquals(v.path("syn_frames_hex").get(i).asText(), hex(out.take().get(0)));
            }
        }
    }

    @Test
    void roleFollowsKeyOrderNotHandshakeDirection() {
        byte[] a = unhex(ROOT.path("nodes").path("A").path("public").asText());
        byte[] b = unhex(ROOT.path("nodes").path("B").path("public").asText());
        assertTrue(StreamIds.isClient(a, b), "A < B bytewise: A is the client (odd ids)");
        assertEquals(false, StreamIds.isClient(b, a));
        assertEquals(1, StreamIds.first(true));
        assertEquals(2, StreamIds.first(false));
        assertThrows(IllegalArgumentException.class, () -> StreamIds.isClient(a, a.clone()));
        // Unsigned comparison: 0x80 > 0x7f.
        assertTrue(StreamIds.isClient(new byte[] {0x7f}, new byte[] {(byte) 0x80}));
        assertEquals(1, StreamIds.next(-1), "odd ids wrap 0xffffffff -> 1");
        assertEquals(2, StreamIds.next(-2), "even ids skip 0");
    }

    @Test
    void tcpProxyMetadataAddressEncoding() throws Exception {
        JsonNode examples = ROOT.path("mux_frames").path("tcpproxy_metadata_address_encoding").path("examples");
        assertEquals(3, examples.size());
        for (JsonNode e : examples) {
            int type = e.path("type").asInt();
            String host = e.path("host").asText();
            int port = e.path("port").asInt();
            ProxyAddress a = type == ProxyAddress.DOMAIN ? ProxyAddress.domain(host, port)
                    : ProxyAddress.of(InetAddress.getByName(host), port); // literals: no lookup
            assertEquals(type, a.type());
            assertEquals(e.path("encoded_hex").asText(), hex(a.encode()), host);
            byte[] enc = unhex(e.path("encoded_hex").asText());
            ProxyAddress back = ProxyAddress.decode(enc, 0, enc.length);
            assertEquals(a, back);
            assertEquals(port, back.port());
            if (type == ProxyAddress.DOMAIN) {
                assertEquals(host, back.host());
            } else {
                assertEquals(InetAddress.getByName(host), InetAddress.getByName(back.host()));
            }
            assertNull(ProxyAddress.decode(enc, 0, enc.length - 1), "truncated");
        }
        assertNull(ProxyAddress.decode(new byte[] {2, 0, 0}, 0, 3), "unknown atyp");
    }

    @Test
    void synPayloadAsTheServerOpensTypedStreams() {
        // server_opens_typed_stream: proto 69 with an IPv4 address; proto 128 alone; proto 0 empty.
        byte[] buf = new byte[64];
        byte[] md = unhex("017f0000011f90");
        assertEquals("45017f0000011f90", hex(java.util.Arrays.copyOf(buf,
                SynPayload.write(buf, 0, SynPayload.PROTO_TCP_PROXY, md, 0, md.length))));
        assertEquals(1, SynPayload.write(buf, 0, 128, md, 0, 0));
        assertEquals(0, SynPayload.write(buf, 0, 0, md, 0, 0), "Go opens with an empty SYN");
        assertEquals(0, SynPayload.proto(seg(new byte[0]), 0, 0));
        assertEquals(0, SynPayload.metadataLength(1));
    }

    @Test
    void constantsMatchTheGoPackages() {
        JsonNode mux = ROOT.path("constants").path("mux");
        assertEquals(mux.path("FrameHeaderSize").asInt(), MuxFrame.HEADER_LENGTH);
        assertEquals(mux.path("MaxFrameSize").asInt(), MuxFrame.MAX_PAYLOAD_LENGTH);
        assertEquals(mux.path("CmdSYN").asInt(), MuxFrame.SYN);
        assertEquals(mux.path("CmdFIN").asInt(), MuxFrame.FIN);
        assertEquals(mux.path("CmdPSH").asInt(), MuxFrame.PSH);
        assertEquals(mux.path("CmdNOP").asInt(), MuxFrame.NOP);
        assertEquals(ROOT.path("constants").path("protocol_bytes").path("KCP").asInt(), KCP_PROTOCOL);
        assertEquals(ROOT.path("constants").path("protocol_bytes").path("TCPProxy").asInt(), SynPayload.PROTO_TCP_PROXY);

        JsonNode k = ROOT.path("constants").path("kcp_settings_applied_by_stream");
        assertEquals(k.path("nodelay").asInt(), KcpConstants.NODELAY);
        assertEquals(k.path("interval_requested_ms").asInt(), KcpConstants.INTERVAL_REQUESTED_MS);
        assertEquals(k.path("interval_effective_ms").asInt(), KcpConstants.INTERVAL_MS);
        assertEquals(k.path("fastresend").asInt(), KcpConstants.FAST_RESEND);
        assertEquals(k.path("nocwnd").asInt(), KcpConstants.NOCWND);
        assertEquals(k.path("snd_wnd").asInt(), KcpConstants.SND_WND);
        assertEquals(k.path("rcv_wnd").asInt(), KcpConstants.RCV_WND);
        assertEquals(k.path("mtu").asInt(), KcpConstants.MTU);
        assertEquals(k.path("mss").asInt(), KcpConstants.MSS);
        assertEquals(k.path("stream_mode").asInt(), 0);

        JsonNode p = ROOT.path("constants").path("ikcp_constants_patched");
        assertEquals("defined", p.path("IKCP_FASTACK_CONSERVE").asText());
        assertEquals(p.path("IKCP_RTO_NDL").asInt(), KcpConstants.RTO_NDL_MS);
        assertEquals(p.path("IKCP_RTO_MIN").asInt(), KcpConstants.RTO_MIN_MS);
        assertEquals(p.path("IKCP_RTO_DEF").asInt(), KcpConstants.RTO_DEF_MS);
        assertEquals(p.path("IKCP_RTO_MAX").asInt(), KcpConstants.RTO_MAX_MS);
        assertEquals(p.path("IKCP_CMD_PUSH").asInt(), KcpConstants.CMD_PUSH);
        assertEquals(p.path("IKCP_CMD_ACK").asInt(), KcpConstants.CMD_ACK);
        assertEquals(p.path("IKCP_CMD_WASK").asInt(), KcpConstants.CMD_WASK);
        assertEquals(p.path("IKCP_CMD_WINS").asInt(), KcpConstants.CMD_WINS);
        assertEquals(p.path("IKCP_WND_SND").asInt(), KcpConstants.WND_SND);
        assertEquals(p.path("IKCP_WND_RCV").asInt(), KcpConstants.WND_RCV);
        assertEquals(p.path("IKCP_MTU_DEF").asInt(), KcpConstants.MTU_DEF);
        assertEquals(p.path("IKCP_ACK_FAST").asInt(), KcpConstants.ACK_FAST);
        assertEquals(p.path("IKCP_INTERVAL").asInt(), KcpConstants.INTERVAL_DEF_MS);
        assertEquals(p.path("IKCP_OVERHEAD").asInt(), KcpConstants.OVERHEAD);
        assertEquals(p.path("IKCP_DEADLINK").asInt(), KcpConstants.DEADLINK);
        assertEquals(p.path("IKCP_THRESH_INIT").asInt(), KcpConstants.THRESH_INIT);
        assertEquals(p.path("IKCP_THRESH_MIN").asInt(), KcpConstants.THRESH_MIN);
        assertEquals(p.path("IKCP_PROBE_INIT").asInt(), KcpConstants.PROBE_INIT_MS);
        assertEquals(p.path("IKCP_PROBE_LIMIT").asInt(), KcpConstants.PROBE_LIMIT_MS);
        assertEquals(p.path("IKCP_FASTACK_LIMIT").asInt(), KcpConstants.FASTACK_LIMIT);
        assertNotNull(p.path("source").asText());
    }

    @Test
    void encodingRefusesAPayloadTheLengthFieldCannotDescribe() {
        byte[] b = new byte[8];
        assertThrows(IllegalArgumentException.class, () -> MuxFrame.writeHeader(b, 0, MuxFrame.PSH, 1, 65536));
    }
}
