package io.zgrnet.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Compares every struct offset and constant of the socket layer with what gcc computes from the
 * system headers (via {@link CProbe}); fails listing each mismatch. Skipped (with the reason) off
 * Linux x86-64/arm64 or without gcc.
 */
@Timeout(120)
class SocketStructLayoutTest {
    private final Map<String, String> expressions = new LinkedHashMap<>();
    private final Map<String, Long> ours = new LinkedHashMap<>();

    private void size(String struct, long value) {
        expect(struct + ".size", "sizeof(struct " + struct + ")", value);
    }

    private void offset(String struct, String field, long value) {
        expect(struct + "." + field, "offsetof(struct " + struct + ", " + field + ")", value);
    }

    private void constant(String name, long value) {
        expect(name, name, value);
    }

    private void expect(String name, String expression, long value) {
        expressions.put(name, expression);
        ours.put(name, value);
    }

    @Test
    void structOffsetsAndConstantsMatchTheHeaders() {
        Assumptions.assumeTrue(Net.isAvailable(), () -> "native socket layer unavailable: " + Net.unavailabilityCause());

        size("sockaddr_in", SockaddrIn.SIZE);
        offset("sockaddr_in", "sin_family", SockaddrIn.SIN_FAMILY);
        offset("sockaddr_in", "sin_port", SockaddrIn.SIN_PORT);
        offset("sockaddr_in", "sin_addr", SockaddrIn.SIN_ADDR);
        offset("sockaddr_in", "sin_zero", SockaddrIn.SIN_ZERO);

        size("sockaddr_in6", SockaddrIn6.SIZE);
        offset("sockaddr_in6", "sin6_family", SockaddrIn6.SIN6_FAMILY);
        offset("sockaddr_in6", "sin6_port", SockaddrIn6.SIN6_PORT);
        offset("sockaddr_in6", "sin6_flowinfo", SockaddrIn6.SIN6_FLOWINFO);
        offset("sockaddr_in6", "sin6_addr", SockaddrIn6.SIN6_ADDR);
        offset("sockaddr_in6", "sin6_scope_id", SockaddrIn6.SIN6_SCOPE_ID);
        expect("sockaddr_in.sin_family.size", "sizeof(((struct sockaddr_in *) 0)->sin_family)", 2);
        expect("sockaddr_in6.sin6_scope_id.size", "sizeof(((struct sockaddr_in6 *) 0)->sin6_scope_id)", 4);

        size("iovec", Iovec.SIZE);
        offset("iovec", "iov_base", Iovec.IOV_BASE);
        offset("iovec", "iov_len", Iovec.IOV_LEN);

        size("msghdr", Msghdr.SIZE);
        offset("msghdr", "msg_name", Msghdr.MSG_NAME);
        offset("msghdr", "msg_namelen", Msghdr.MSG_NAMELEN);
        offset("msghdr", "msg_iov", Msghdr.MSG_IOV);
        offset("msghdr", "msg_iovlen", Msghdr.MSG_IOVLEN);
        offset("msghdr", "msg_control", Msghdr.MSG_CONTROL);
        offset("msghdr", "msg_controllen", Msghdr.MSG_CONTROLLEN);
        offset("msghdr", "msg_flags", Msghdr.MSG_FLAGS);
        expect("msghdr.msg_namelen.size", "sizeof(((struct msghdr *) 0)->msg_namelen)", 4);
        expect("msghdr.msg_iovlen.size", "sizeof(((struct msghdr *) 0)->msg_iovlen)", 8);
        expect("msghdr.msg_controllen.size", "sizeof(((struct msghdr *) 0)->msg_controllen)", 8);

        size("mmsghdr", Mmsghdr.SIZE);
        offset("mmsghdr", "msg_hdr", Mmsghdr.MSG_HDR);
        offset("mmsghdr", "msg_len", Mmsghdr.MSG_LEN);

        size("cmsghdr", Cmsghdr.SIZE);
        offset("cmsghdr", "cmsg_len", Cmsghdr.CMSG_LEN);
        offset("cmsghdr", "cmsg_level", Cmsghdr.CMSG_LEVEL);
        offset("cmsghdr", "cmsg_type", Cmsghdr.CMSG_TYPE);
        expect("CMSG_SPACE(2)", "CMSG_SPACE(2)", Cmsghdr.space(2));
        expect("CMSG_SPACE(4)", "CMSG_SPACE(4)", Cmsghdr.space(4));
        expect("CMSG_SPACE(17)", "CMSG_SPACE(17)", Cmsghdr.space(17));
        expect("CMSG_LEN(2)", "CMSG_LEN(2)", Cmsghdr.len(2));
        expect("CMSG_LEN(17)", "CMSG_LEN(17)", Cmsghdr.len(17));
        expect("CMSG_ALIGN(13)", "CMSG_ALIGN(13)", Cmsghdr.align(13));
        expect("CMSG_DATA offset", "(long) ((unsigned char *) CMSG_DATA((struct cmsghdr *) 64) - (unsigned char *) 64)",
                Cmsghdr.DATA);

        size("pollfd", Pollfd.SIZE);
        offset("pollfd", "fd", Pollfd.FD);
        offset("pollfd", "events", Pollfd.EVENTS);
        offset("pollfd", "revents", Pollfd.REVENTS);

        size("timespec", Timespec.SIZE);
        offset("timespec", "tv_sec", Timespec.TV_SEC);
        offset("timespec", "tv_nsec", Timespec.TV_NSEC);

        size("utsname", Utsname.SIZE);
        offset("utsname", "sysname", Utsname.SYSNAME);
        offset("utsname", "nodename", Utsname.NODENAME);
        offset("utsname", "release", Utsname.RELEASE);
        offset("utsname", "version", Utsname.VERSION);
        offset("utsname", "machine", Utsname.MACHINE);
        expect("utsname.release.size", "sizeof(((struct utsname *) 0)->release)", Utsname.FIELD_LENGTH);

        constant("AF_INET", Net.AF_INET);
        constant("AF_INET6", Net.AF_INET6);
        constant("SOCK_DGRAM", Net.SOCK_DGRAM);
        constant("SOCK_NONBLOCK", Net.SOCK_NONBLOCK);
        constant("SOCK_CLOEXEC", Net.SOCK_CLOEXEC);
        constant("SOL_SOCKET", Net.SOL_SOCKET);
        constant("SO_REUSEADDR", Net.SO_REUSEADDR);
        constant("SO_SNDBUF", Net.SO_SNDBUF);
        constant("SO_RCVBUF", Net.SO_RCVBUF);
        constant("SO_REUSEPORT", Net.SO_REUSEPORT);
        constant("SO_SNDBUFFORCE", Net.SO_SNDBUFFORCE);
        constant("SO_RCVBUFFORCE", Net.SO_RCVBUFFORCE);
        constant("SO_BUSY_POLL", Net.SO_BUSY_POLL);
        constant("IPPROTO_UDP", Net.IPPROTO_UDP);
        constant("SOL_UDP", Net.SOL_UDP);
        constant("UDP_SEGMENT", Net.UDP_SEGMENT);
        constant("UDP_GRO", Net.UDP_GRO);
        constant("IPPROTO_IPV6", Net.IPPROTO_IPV6);
        constant("IPV6_V6ONLY", Net.IPV6_V6ONLY);
        constant("MSG_TRUNC", Net.MSG_TRUNC);
        constant("MSG_CTRUNC", Net.MSG_CTRUNC);
        constant("MSG_DONTWAIT", Net.MSG_DONTWAIT);
        constant("MSG_WAITFORONE", Net.MSG_WAITFORONE);
        constant("EFD_SEMAPHORE", EventFd.EFD_SEMAPHORE);
        constant("EFD_NONBLOCK", EventFd.EFD_NONBLOCK);
        constant("EFD_CLOEXEC", EventFd.EFD_CLOEXEC);
        constant("POLLIN", Poll.POLLIN);
        constant("POLLOUT", Poll.POLLOUT);
        constant("POLLERR", Poll.POLLERR);
        constant("POLLHUP", Poll.POLLHUP);
        constant("POLLNVAL", Poll.POLLNVAL);
        constant("EAGAIN", Errno.EAGAIN);
        constant("EINTR", Errno.EINTR);
        constant("EADDRINUSE", Errno.EADDRINUSE);
        constant("EMSGSIZE", Errno.EMSGSIZE);
        constant("EPERM", Errno.EPERM);
        constant("ENOBUFS", Errno.ENOBUFS);

        Map<String, Long> compiled = CProbe.values(List.of("sys/socket.h", "sys/uio.h", "netinet/in.h",
                "netinet/udp.h", "poll.h", "sys/eventfd.h", "sys/utsname.h", "time.h", "errno.h"), expressions);

        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Long> e : ours.entrySet()) {
            Long c = compiled.get(e.getKey());
            if (c == null) {
                mismatches.add(e.getKey() + ": not printed by the probe");
            } else if (c.longValue() != e.getValue()) {
                mismatches.add(e.getKey() + ": Java " + e.getValue() + ", C " + c + " (" + expressions.get(e.getKey())
                        + ")");
            }
        }
        if (!mismatches.isEmpty()) {
            fail("layout mismatches:\n  " + String.join("\n  ", mismatches));
        }
        assertEquals(ours.size(), compiled.size(), "every expression checked");
    }
}
