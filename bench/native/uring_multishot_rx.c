/*
 * uring_multishot_rx: reference UDP receiver in C (liburing) for zgrnet's receive benchmarks (not
 * part of the library).
 *
 * One thread, one UDP socket bound to a loopback HOST:PORT, one io_uring (SINGLE_ISSUER |
 * DEFER_TASKRUN | SUBMIT_ALL when the kernel takes them, as the Java backend does; else
 * COOP_TASKRUN | TASKRUN_FLAG; else plain), one multishot IORING_OP_RECVMSG with
 * IOSQE_BUFFER_SELECT over a provided-buffer ring (IORING_REGISTER_PBUF_RING, group 0; 256 buffers
 * of 2048 bytes by default, each: io_uring_recvmsg_out | 32-byte name | payload, like the Java
 * multishot receiver). Each loop waits for at least one CQE (50 ms timeout, to check deadlines),
 * reaps them all, gives every buffer back to the ring at once, publishes the tail once, and re-arms
 * the receive when a CQE came without IORING_CQE_F_MORE. -ENOBUFS (ring empty) is counted and
 * survived by that re-arm.
 *
 * Prints "READY port=P" once bound. On SIGUSR1 it prints, at the end of the current loop pass,
 *   SNAP datagrams=N cpu_ns=C calls=K cqes=Q batches=B truncated=T
 * with counters cumulative since READY (calls = receive system calls, io_uring_enter for the ring; batches =
 * loop passes that reaped CQEs), so a driver such as `zgrnet bench` can measure
 * many runs on one receiver. At the end it prints exactly one line:
 *   RESULT receiver=uring_multishot datagrams=N bytes=B seconds=S cpu_user_ns=U cpu_sys_ns=Y cpu_ns=C
 *          ns_per_datagram=X pps=P waits=W cqes=Q enobufs=E rearms=R truncated=T buffers=256
 *          setup_flags=0x...
 * (one line; wrapped here). seconds = first to last datagram; CPU = this thread from READY to the
 * end (getrusage(RUSAGE_THREAD), CLOCK_THREAD_CPUTIME_ID for cpu_ns); with DEFER_TASKRUN the
 * kernel's completion work runs in this thread's io_uring_enter and is counted.
 *
 * Usage: uring_multishot_rx --bind HOST:PORT [--seconds S] [--count N] [--idle-ms M] [--drain-ms D]
 *                           [--wait-seconds W] [--buffers B] [--size BYTES] [--rcvbuf BYTES] [--cpu N]
 * Stop conditions as recvmmsg_rx (SIGTERM/SIGINT: drain, then report). Defaults: --buffers 256
 * (a power of two) --size 2048. Exit 0 on a result, 1 on a system error, 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
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

#define BGID 0
#define NAME_BYTES 32
#define RECV_TAG 1

static void usage(const char *msg) {
    fprintf(stderr, "uring_multishot_rx: %s\n", msg);
    fprintf(stderr, "usage: uring_multishot_rx --bind HOST:PORT [--seconds S] [--count N] [--idle-ms M]"
                    " [--drain-ms D] [--wait-seconds W] [--buffers B] [--size BYTES] [--rcvbuf BYTES] [--cpu N]\n");
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

/* The richest flag set this kernel accepts (EINVAL = flag unknown), like the Java Ring. */
static int setup_ring(struct io_uring *ring, unsigned *flags_out) {
    static const unsigned choices[] = {
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CQSIZE,
        IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CQSIZE,
        IORING_SETUP_CQSIZE,
    };
    int r = -EINVAL;
    for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++) {
        struct io_uring_params p;
        memset(&p, 0, sizeof p);
        p.flags = choices[i];
        p.cq_entries = 4096;
        r = io_uring_queue_init_params(64, ring, &p);
        if (r == 0) {
            *flags_out = choices[i];
            return 0;
        }
        if (r != -EINVAL) {
            break;
        }
    }
    return r;
}

static void arm(struct io_uring *ring, int fd, struct msghdr *msg) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    io_uring_prep_recvmsg_multishot(sqe, fd, msg, MSG_TRUNC);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BGID;
    io_uring_sqe_set_data64(sqe, RECV_TAG);
}

int main(int argc, char **argv) {
    const char *bind_arg = NULL;
    double seconds = 0, wait_seconds = 60;
    long count = 0, idle_ms = 0, drain_ms = 100, nbufs = 256, size = 2048, rcvbuf = 4 << 20, cpu = -1;
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
        else if (strcmp(a, "--buffers") == 0) nbufs = arg_long(a, v, 1, 32768);
        else if (strcmp(a, "--size") == 0) size = arg_long(a, v, 128, 65536);
        else if (strcmp(a, "--rcvbuf") == 0) rcvbuf = arg_long(a, v, 0, 1L << 30);
        else if (strcmp(a, "--cpu") == 0) cpu = arg_long(a, v, -1, CPU_SETSIZE - 1);
        else usage("unknown option");
    }
    if (bind_arg == NULL) {
        usage("--bind is required");
    }
    if ((nbufs & (nbufs - 1)) != 0) {
        usage("--buffers must be a power of two");
    }
    struct sockaddr_storage addr;
    socklen_t addrlen = parse_bind(bind_arg, &addr);

    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int) cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            perror("uring_multishot_rx: sched_setaffinity");
        }
    }
    int fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("uring_multishot_rx: socket");
        return 1;
    }
    if (rcvbuf > 0) {
        int v = (int) rcvbuf;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) != 0) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v); /* capped by net.core.rmem_max */
        }
    }
    if (bind(fd, (struct sockaddr *) &addr, addrlen) != 0) {
        fprintf(stderr, "uring_multishot_rx: bind(%s): %s\n", bind_arg, strerror(errno));
        return 1;
    }
    struct sockaddr_storage local;
    socklen_t locallen = sizeof local;
    getsockname(fd, (struct sockaddr *) &local, &locallen);
    int port = ntohs(local.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &local)->sin6_port
                                                 : ((struct sockaddr_in *) &local)->sin_port);

    struct io_uring ring;
    unsigned setup_flags = 0;
    int r = setup_ring(&ring, &setup_flags);
    if (r < 0) {
        fprintf(stderr, "uring_multishot_rx: io_uring_queue_init_params: %s\n", strerror(-r));
        return 1;
    }

    /* Provided-buffer ring: entries of 16 bytes, page aligned, registered as group BGID. */
    struct io_uring_buf_ring *br = NULL;
    if (posix_memalign((void **) &br, 4096, (size_t) nbufs * sizeof(struct io_uring_buf)) != 0) {
        perror("uring_multishot_rx: buffer ring");
        return 1;
    }
    memset(br, 0, (size_t) nbufs * sizeof(struct io_uring_buf));
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (unsigned long) br;
    reg.ring_entries = (unsigned) nbufs;
    reg.bgid = BGID;
    r = io_uring_register_buf_ring(&ring, &reg, 0);
    if (r < 0) {
        fprintf(stderr, "uring_multishot_rx: IORING_REGISTER_PBUF_RING: %s (kernel < 5.19?)\n", strerror(-r));
        return 1;
    }
    char *buffers = aligned_alloc(4096, (size_t) nbufs * (size_t) size);
    if (buffers == NULL) {
        perror("uring_multishot_rx: buffers");
        return 1;
    }
    memset(buffers, 0, (size_t) nbufs * (size_t) size);
    int mask = io_uring_buf_ring_mask((unsigned) nbufs);
    io_uring_buf_ring_init(br);
    for (long i = 0; i < nbufs; i++) {
        io_uring_buf_ring_add(br, buffers + i * size, (unsigned) size, (unsigned short) i, mask, (int) i);
    }
    io_uring_buf_ring_advance(br, (int) nbufs);

    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_namelen = NAME_BYTES;

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
    uint64_t datagrams = 0, bytes = 0, waits = 0, batches = 0, cqes = 0, enobufs = 0, rearms = 0, truncated = 0;
    int armed = 0;
    for (;;) {
        if (!armed) {
            arm(&ring, fd, &msg);
            armed = 1;
        }
        struct io_uring_cqe *cqe;
        struct __kernel_timespec tick = {.tv_sec = 0, .tv_nsec = 50 * 1000000};
        waits++;
        r = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &tick, NULL);
        if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
            fprintf(stderr, "uring_multishot_rx: io_uring_submit_and_wait_timeout: %s\n", strerror(-r));
            return 1;
        }
        unsigned head, seen = 0;
        int returned = 0;
        uint64_t got = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++;
            if (cqe->user_data != RECV_TAG) {
                continue;
            }
            if (!(cqe->flags & IORING_CQE_F_MORE)) {
                armed = 0; /* the multishot ended: re-arm below, after the buffers are back */
            }
            if (cqe->res < 0) {
                if (cqe->res == -ENOBUFS) {
                    enobufs++;
                } else if (cqe->res != -EINTR) {
                    fprintf(stderr, "uring_multishot_rx: multishot recvmsg: %s\n", strerror(-cqe->res));
                    return 1;
                }
                continue;
            }
            if (!(cqe->flags & IORING_CQE_F_BUFFER)) {
                continue;
            }
            unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
            char *buf = buffers + (size_t) bid * (size_t) size;
            struct io_uring_recvmsg_out *o = io_uring_recvmsg_validate(buf, cqe->res, &msg);
            if (o == NULL || (o->flags & MSG_TRUNC)) {
                truncated++;
            } else {
                got++;
                bytes += io_uring_recvmsg_payload_length(o, cqe->res, &msg);
            }
            io_uring_buf_ring_add(br, buf, (unsigned) size, (unsigned short) bid, mask, returned++);
        }
        cqes += seen;
        if (seen > 0) {
            batches++;
        }
        if (returned > 0) {
            io_uring_buf_ring_advance(br, returned); /* release store of the tail, once per batch */
        }
        io_uring_cq_advance(&ring, seen);
        if (!armed) {
            rearms++;
        }
        if (snap_requested) {
            snap_requested = 0;
            printf("SNAP datagrams=%llu cpu_ns=%llu calls=%llu cqes=%llu batches=%llu truncated=%llu\n",
                   (unsigned long long) (datagrams + got), (unsigned long long) (now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0),
                   (unsigned long long) waits, (unsigned long long) cqes, (unsigned long long) batches,
                   (unsigned long long) truncated);
            fflush(stdout);
        }
        uint64_t t = now_ns(CLOCK_MONOTONIC);
        if (got > 0) {
            if (first == 0) {
                first = t;
            }
            last = t;
            datagrams += got;
            if (count > 0 && datagrams + truncated >= (uint64_t) count) {
                break;
            }
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
    printf("RESULT receiver=uring_multishot datagrams=%llu bytes=%llu seconds=%.6f cpu_user_ns=%llu cpu_sys_ns=%llu"
           " cpu_ns=%llu ns_per_datagram=%.1f pps=%.0f waits=%llu cqes=%llu enobufs=%llu rearms=%llu truncated=%llu"
           " buffers=%ld setup_flags=0x%x\n",
           (unsigned long long) datagrams, (unsigned long long) bytes, secs,
           (unsigned long long) (tv_ns(ru1.ru_utime) - tv_ns(ru0.ru_utime)),
           (unsigned long long) (tv_ns(ru1.ru_stime) - tv_ns(ru0.ru_stime)), (unsigned long long) cpu_ns,
           datagrams == 0 ? 0.0 : (double) cpu_ns / (double) datagrams, secs > 0 ? datagrams / secs : 0.0,
           (unsigned long long) waits, (unsigned long long) cqes, (unsigned long long) enobufs,
           (unsigned long long) rearms, (unsigned long long) truncated, nbufs, setup_flags);
    fflush(stdout);
    io_uring_queue_exit(&ring);
    close(fd);
    free(buffers);
    free(br);
    return 0;
}
