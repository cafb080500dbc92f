package io.zgrnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zgrnet.io.uring.IoUringSupport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code zgrnet probe} in-process: text lines, JSON shape, and agreement with the library's probe. */
@Timeout(60)
class ProbeCommandTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static boolean hasLine(String out, String label) {
        return out.lines().anyMatch(l -> l.stripLeading().startsWith(label + " "));
    }

    @Test
    void textNamesEveryPartOfTheReport() {
        Run r = run("probe");
        assertEquals(0, r.exit(), r.err());
        for (String label : List.of("kernel", "jdk", "cpu", "io_uring", "kernel.io_uring_disabled", "SINGLE_ISSUER",
                "DEFER_TASKRUN", "COOP_TASKRUN", "SUBMIT_ALL", "CQSIZE", "NO_SQARRAY", "SINGLE_MMAP", "NODROP",
                "FAST_POLL", "EXT_ARG", "RECVMSG", "SENDMSG", "SEND_ZC", "SENDMSG_ZC", "ASYNC_CANCEL",
                "PROVIDE_BUFFERS", "buffer rings (PBUF_RING)", "multishot recvmsg", "recvmmsg",
                "UDP GSO send (UDP_SEGMENT)", "UDP GRO receive (UDP_GRO)", "ChaCha20-Poly1305", "backend AUTO",
                "net.core.rmem_max", "net.core.wmem_max", "SO_RCVBUF", "SO_SNDBUF")) {
            assertTrue(hasLine(r.out(), label), "no line for " + label + " in:\n" + r.out());
        }
        // Every verdict is "yes" or "no: <cause>".
        for (String name : List.of("RECVMSG", "SINGLE_ISSUER", "multishot recvmsg", "recvmmsg",
                "UDP GSO send (UDP_SEGMENT)", "UDP GRO receive (UDP_GRO)")) {
            String line = r.out().lines().filter(l -> l.stripLeading().startsWith(name + " ")).findFirst().orElseThrow();
            String verdict = line.substring(line.indexOf(name) + name.length()).strip();
            assertTrue(verdict.equals("yes") || verdict.startsWith("no: "), line);
        }
        assertTrue(r.err().isEmpty(), r.err());
    }

    @Test
    void jsonIsOneObjectThatAgreesWithTheLibrary() throws Exception {
        Run r = run("probe", "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals(1, r.out().strip().lines().count(), "one line");
        JsonNode root = new ObjectMapper().readTree(r.out());
        for (String key : List.of("kernel", "jdk", "cpu", "io_uring", "recvmmsg", "auto", "socket")) {
            assertTrue(root.has(key), key + " missing: " + r.out());
        }
        assertFalse(root.get("kernel").get("release").asText().isEmpty());
        assertTrue(root.get("cpu").get("available_processors").asInt() >= 1);

        IoUringSupport support = IoUringSupport.get();
        JsonNode uring = root.get("io_uring");
        assertEquals(support.available(), uring.get("available").asBoolean());
        assertEquals(support.status().name(), uring.get("status").asText());
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        expected.put("setup_flags", Set.of("SINGLE_ISSUER", "DEFER_TASKRUN", "COOP_TASKRUN", "SUBMIT_ALL", "CQSIZE",
                "NO_SQARRAY"));
        expected.put("features", Set.of("SINGLE_MMAP", "NODROP", "FAST_POLL", "EXT_ARG"));
        expected.put("opcodes", Set.of("RECVMSG", "SENDMSG", "SEND_ZC", "SENDMSG_ZC", "ASYNC_CANCEL",
                "PROVIDE_BUFFERS"));
        for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
            for (String name : e.getValue()) {
                assertVerdict(uring.get(e.getKey()).get(name), e.getKey() + "." + name);
            }
        }
        assertVerdict(uring.get("buffer_rings"), "buffer_rings");
        assertVerdict(uring.get("multishot_recvmsg"), "multishot_recvmsg");
        assertEquals(support.multishotReceive(), uring.get("multishot_recvmsg").get("supported").asBoolean());
        assertVerdict(root.get("recvmmsg"), "recvmmsg");
        assertVerdict(root.get("udp_gso"), "udp_gso");
        assertVerdict(root.get("udp_gro"), "udp_gro");
        assertEquals(io.zgrnet.crypto.ChaChaPoly.engines(), root.get("aead").asText());

        JsonNode auto = root.get("auto");
        assertTrue(auto.get("error").isNull(), auto.toString());
        assertTrue(Set.of("URING", "MMSG", "NIO").contains(auto.get("mode").asText()), auto.toString());
        assertFalse(auto.get("reason").asText().isEmpty());
        if (support.available()) {
            assertEquals("URING", auto.get("mode").asText(), auto.toString());
        }

        JsonNode socket = root.get("socket");
        assertTrue(socket.get("error").isNull(), socket.toString());
        assertEquals(4 << 20, socket.get("so_rcvbuf").get("requested_bytes").asInt());
        assertTrue(socket.get("so_rcvbuf").get("granted_bytes").asInt() > 0, socket.toString());
        assertTrue(socket.get("so_sndbuf").get("granted_bytes").asInt() > 0, socket.toString());
    }

    private static void assertVerdict(JsonNode v, String what) {
        assertTrue(v != null && v.get("supported").isBoolean(), what + ": " + v);
        assertEquals(v.get("supported").asBoolean(), v.get("cause").isNull(), what + ": " + v);
    }

    @Test
    void anUnknownOptionIsOneLineAndExit2() {
        Run r = run("probe", "--bogus");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("zgrnet: "), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void jsonWriterEscapesWhatJacksonReadsBack() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "quote \" backslash \\ newline \n tab \t bell \u0007 é");
        m.put("n", 42L);
        m.put("d", Double.NaN);
        m.put("b", true);
        m.put("z", null);
        m.put("l", List.of(1, "two"));
        JsonNode back = new ObjectMapper().readTree(Json.write(m));
        assertEquals(m.get("s"), back.get("s").asText());
        assertEquals(42, back.get("n").asInt());
        assertTrue(back.get("d").isNull());
        assertTrue(back.get("b").asBoolean());
        assertTrue(back.get("z").isNull());
        assertEquals("two", back.get("l").get(1).asText());
    }
}
