/*
 * recvmmsg_rx: reference UDP receiver in C for zgrnet's receive benchmarks (not part of the library).
 *
 * One thread, one blocking UDP socket bound to a loopback HOST:PORT. Each call is
 * recvmmsg(fd, vec, batch, MSG_WAITFORONE): it blocks for the first datagram (SO_RCVTIMEO 50 ms, so
 * the deadlines are checked), then takes whatever else is queued, up to the batch. Every datagram
 * lands in its own 2048-byte buffer with its source address, as the Java mmsg backend does; the
 * receiver counts datagrams, payload bytes and truncations, and touches nothing else.
 *
 * Prints "READY port=P" once bound. On SIGUSR1 it prints, at the end of the current loop pass,
 *   SNAP datagrams=N cpu_ns=C calls=K truncated=T
 * with counters cumulative since READY (calls = receive system calls), so a driver such as `zgrnet bench` can measure
 * many runs on one receiver. At the end it prints exactly one line:
 *   RESULT receiver=recvmmsg datagrams=N bytes=B seconds=S cpu_user_ns=U cpu_sys_ns=Y cpu_ns=C
 *          ns_per_datagram=X pps=P calls=K truncated=T batch=64
 * (one line; wrapped here). seconds = first to last datagram; CPU = this thread from READY to the
 * end (getrusage(RUSAGE_THREAD) for user/sys, CLOCK_THREAD_CPUTIME_ID for cpu_ns, which
 * ns_per_datagram divides).
 *
 * Usage: recvmmsg_rx --bind HOST:PORT [--seconds S] [--count N] [--idle-ms M] [--drain-ms D]
 *                    [--wait-seconds W] [--batch B] [--size BYTES] [--rcvbuf BYTES] [--cpu N] [--gro 1]
 * Stops at the first of: N datagrams; S seconds after the first datagram; M ms without a datagram
 * once one arrived; SIGTERM/SIGINT followed by D ms (default 100) without a datagram (a driver
 * signals when its sender is done, so a pause in the load cannot end the run early); W seconds
 * (default 60) without any datagram. Defaults: --batch 64 --size 2048 --rcvbuf 4194304 (SO_RCVBUFFORCE,
 * else SO_RCVBUF), no pinning. Exit 0 on a result, 1 on a system error, 2 on bad arguments.
 *
 * --gro 1 sets UDP_GRO (Linux 5.0): the kernel may hand over up to 64 datagrams of a flow as one
 * buffer with a SOL_UDP/UDP_GRO control message holding the segment size. Buffers become 64 KiB
 * (batch at most 16, like the Java mmsg backend's GRO path) and each buffer counts as
 * ceil(length / segment) datagrams; unlike the Java backend, nothing is copied out.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 1024
#define GRO_BATCH 16
#define GRO_SIZE 65536
#ifndef UDP_GRO
#define UDP_GRO 104
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

static void usage(const char *msg) {
    fprintf(stderr, "recvmmsg_rx: %s\n", msg);
    fprintf(stderr, "usage: recvmmsg_rx --bind HOST:PORT [--seconds S] [--count N] [--idle-ms M] [--drain-ms D]"
                    " [--wait-seconds W] [--batch B] [--size BYTES] [--rcvbuf BYTES] [--cpu N] [--gro 1]\n");
    exit(2);
}

static uint64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

/* SIGTERM/SIGINT: stop once the socket has been quiet for --drain-ms (the sender is done). */
static volatile sig_atomic_t stop_requested;

static void on_stop(int sig) {
    (void) sig;
    stop_requested = 1;
}

/* SIGUSR1: print one SNAP line of cumulative counters at the end of the current loop pass. */
static volatile sig_atomic_t snap_requested;

static void on_snap(int sig) {
    (void) sig;
    snap_requested = 1;
}

static uint64_t tv_ns(struct timeval tv) {
    return (uint64_t) tv.tv_sec * 1000000000ull + (uint64_t) tv.tv_usec * 1000ull;
}

/* Parses "127.0.0.1:P" or "[::1]:P"; only loopback addresses are accepted. */
static socklen_t parse_bind(const char *s, struct sockaddr_storage *out) {
    char host[128];
    const char *colon = strrchr(s, ':');
    if (colon == NULL || colon == s || strlen(s) >= sizeof host) {
        usage("--bind: expected HOST:PORT");
    }
    size_t hlen = (size_t) (colon - s);
    memcpy(host, s, hlen);
    host[hlen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535) {
        usage("--bind: bad port");
    }
    memset(out, 0, sizeof *out);
    if (host[0] == '[' && host[hlen - 1] == ']') {
        host[hlen - 1] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *) out;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t) port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1 || !IN6_IS_ADDR_LOOPBACK(&a->sin6_addr)) {
            usage("--bind: only loopback (127.0.0.0/8 or [::1])");
        }
        return sizeof *a;
    }
    struct sockaddr_in *a = (struct sockaddr_in *) out;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t) port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1 || (ntohl(a->sin_addr.s_addr) >> 24) != 127) {
        usage("--bind: only loopback (127.0.0.0/8 or [::1])");
    }
    return sizeof *a;
}

static long arg_long(const char *name, const char *v, long min, long max) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || x < min || x > max) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s: expected an integer in %ld..%ld, got '%s'", name, min, max, v);
        usage(msg);
    }
    return x;
}

int main(int argc, char **argv) {
    const char *bind_arg = NULL;
    double seconds = 0, wait_seconds = 60;
    long count = 0, idle_ms = 0, drain_ms = 100, batch = 64, size = 2048, rcvbuf = 4 << 20, cpu = -1, gro = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) {
            usage("every option takes a value");
        }
        const char *v = argv[++i];
        if (strcmp(a, "--bind") == 0) bind_arg = v;
        else if (strcmp(a, "--seconds") == 0) seconds = atof(v);
        else if (strcmp(a, "--wait-seconds") == 0) wait_seconds = atof(v);
        else if (strcmp(a, "--count") == 0) count = arg_long(a, v, 0, 1L << 62);
        else if (strcmp(a, "--idle-ms") == 0) idle_ms = arg_long(a, v, 0, 3600000);
        else if (strcmp(a, "--drain-ms") == 0) drain_ms = arg_long(a, v, 0, 3600000);
        else if (strcmp(a, "--batch") == 0) batch = arg_long(a, v, 1, MAX_BATCH);
        else if (strcmp(a, "--size") == 0) size = arg_long(a, v, 64, 65536);
        else if (strcmp(a, "--rcvbuf") == 0) rcvbuf = arg_long(a, v, 0, 1L << 30);
        else if (strcmp(a, "--cpu") == 0) cpu = arg_long(a, v, -1, CPU_SETSIZE - 1);
        else if (strcmp(a, "--gro") == 0) gro = arg_long(a, v, 0, 1);
        else usage("unknown option");
    }
    if (bind_arg == NULL) {
        usage("--bind is required");
    }
    struct sockaddr_storage addr;
    socklen_t addrlen = parse_bind(bind_arg, &addr);

    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int) cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            perror("recvmmsg_rx: sched_setaffinity");
        }
    }
    int fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("recvmmsg_rx: socket");
        return 1;
    }
    if (rcvbuf > 0) {
        int v = (int) rcvbuf;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) != 0) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v); /* capped by net.core.rmem_max */
        }
    }
    if (gro) {
        int on = 1;
        if (setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on) != 0) {
            perror("recvmmsg_rx: setsockopt(UDP_GRO)");
            return 1;
        }
        size = GRO_SIZE;
        batch = batch < GRO_BATCH ? batch : GRO_BATCH;
    }
    struct timeval tick = {.tv_sec = 0, .tv_usec = 50000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
    if (bind(fd, (struct sockaddr *) &addr, addrlen) != 0) {
        fprintf(stderr, "recvmmsg_rx: bind(%s): %s\n", bind_arg, strerror(errno));
        return 1;
    }
    struct sockaddr_storage local;
    socklen_t locallen = sizeof local;
    getsockname(fd, (struct sockaddr *) &local, &locallen);
    int port = ntohs(local.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &local)->sin6_port
                                                 : ((struct sockaddr_in *) &local)->sin_port);

    char *buffers = aligned_alloc(4096, (size_t) batch * (size_t) size);
    static struct mmsghdr vec[MAX_BATCH];
    static struct iovec iov[MAX_BATCH];
    static struct sockaddr_in6 names[MAX_BATCH];
    static char control[GRO_BATCH][CMSG_SPACE(sizeof(int))];
    if (buffers == NULL) {
        perror("recvmmsg_rx: buffers");
        return 1;
    }
    memset(buffers, 0, (size_t) batch * (size_t) size);
    for (long i = 0; i < batch; i++) {
        iov[i].iov_base = buffers + i * size;
        iov[i].iov_len = (size_t) size;
        vec[i].msg_hdr.msg_iov = &iov[i];
        vec[i].msg_hdr.msg_iovlen = 1;
        vec[i].msg_hdr.msg_name = &names[i];
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop; /* no SA_RESTART: a blocked wait returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_snap;
    sigaction(SIGUSR1, &sa, NULL);

    printf("READY port=%d\n", port);
    fflush(stdout);

    struct rusage ru0, ru1;
    getrusage(RUSAGE_THREAD, &ru0);
    uint64_t cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    uint64_t start = now_ns(CLOCK_MONOTONIC);
    uint64_t first = 0, last = 0, stop_at = 0;
    uint64_t datagrams = 0, bytes = 0, calls = 0, truncated = 0;
    for (;;) {
        for (long i = 0; i < batch; i++) {
            vec[i].msg_hdr.msg_namelen = sizeof names[i];
            if (gro) {
                vec[i].msg_hdr.msg_control = control[i];
                vec[i].msg_hdr.msg_controllen = sizeof control[i];
            }
        }
        calls++;
        int n = recvmmsg(fd, vec, (unsigned) batch, MSG_WAITFORONE, NULL);
        uint64_t t = now_ns(CLOCK_MONOTONIC);
        if (n > 0) {
            if (first == 0) {
                first = t;
            }
            last = t;
            for (int i = 0; i < n; i++) {
                if (vec[i].msg_hdr.msg_flags & MSG_TRUNC) {
                    truncated++;
                    continue;
                }
                unsigned segments = 1;
                if (gro) {
                    for (struct cmsghdr *c = CMSG_FIRSTHDR(&vec[i].msg_hdr); c != NULL;
                         c = CMSG_NXTHDR(&vec[i].msg_hdr, c)) {
                        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
                            int segment;
                            memcpy(&segment, CMSG_DATA(c), sizeof segment);
                            if (segment > 0) {
                                segments = (vec[i].msg_len + (unsigned) segment - 1) / (unsigned) segment;
                            }
                        }
                    }
                }
                datagrams += segments;
                bytes += vec[i].msg_len;
            }
            if (count > 0 && datagrams + truncated >= (uint64_t) count) {
                break;
            }
        } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            perror("recvmmsg_rx: recvmmsg");
            return 1;
        }
        if (snap_requested) {
            snap_requested = 0;
            printf("SNAP datagrams=%llu cpu_ns=%llu calls=%llu truncated=%llu\n", (unsigned long long) datagrams,
                   (unsigned long long) (now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0), (unsigned long long) calls,
                   (unsigned long long) truncated);
            fflush(stdout);
        }
        if (stop_requested) {
            if (stop_at == 0) {
                stop_at = t;
            }
            uint64_t quiet_since = last > stop_at ? last : stop_at;
            if (t - quiet_since >= (uint64_t) drain_ms * 1000000ull) {
                break;
            }
        }
        if (first == 0) {
            if (wait_seconds > 0 && t - start > (uint64_t) (wait_seconds * 1e9)) {
                break;
            }
        } else if ((seconds > 0 && t - first >= (uint64_t) (seconds * 1e9))
                   || (idle_ms > 0 && t - last >= (uint64_t) idle_ms * 1000000ull)) {
            break;
        }
    }
    uint64_t cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    getrusage(RUSAGE_THREAD, &ru1);
    double secs = (last - first) / 1e9;
    printf("RESULT receiver=%s datagrams=%llu bytes=%llu seconds=%.6f cpu_user_ns=%llu cpu_sys_ns=%llu"
           " cpu_ns=%llu ns_per_datagram=%.1f pps=%.0f calls=%llu truncated=%llu batch=%ld\n",
           gro ? "recvmmsg-gro" : "recvmmsg", (unsigned long long) datagrams, (unsigned long long) bytes, secs,
           (unsigned long long) (tv_ns(ru1.ru_utime) - tv_ns(ru0.ru_utime)),
           (unsigned long long) (tv_ns(ru1.ru_stime) - tv_ns(ru0.ru_stime)), (unsigned long long) cpu_ns,
           datagrams == 0 ? 0.0 : (double) cpu_ns / (double) datagrams, secs > 0 ? datagrams / secs : 0.0,
           (unsigned long long) calls, (unsigned long long) truncated, batch);
    fflush(stdout);
    close(fd);
    free(buffers);
    return 0;
}
