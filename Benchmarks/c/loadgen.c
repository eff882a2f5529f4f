/*
 * loadgen: the one load generator of the benchmark harness (issue 4), used
 * against every server (C, Go, SwiftNIO, SwiftNet) so they are measured alike.
 *
 *   loadgen --mode pingpong|stream|connrate|fdpass|idle|burst
 *           --network tcp|unix --address ADDR
 *           [--conns N] [--size BYTES] [--duration S] [--warmup S]
 *           [--window W] [--hold S] [--server-pid PID] [--threads T]
 *           [--timeout S] [--idle M]
 *
 * Prints exactly one JSON line on stdout at the end; on any error (refused,
 * wrong echo, no progress for --timeout seconds) prints a message on stderr
 * and exits 1.
 *
 * Modes (defaults: --duration 5 --warmup 1 --timeout 10 --threads 1):
 *   pingpong  N conns (1), one --size (64) message in flight each; ops =
 *             round trips completed in the window, p50/p99 per round trip
 *   stream    N conns (1) write --size (65536) chunks and read the echo at
 *             once; ops = chunks echoed, gib_per_sec = echoed bytes
 *   connrate  N loops (8) of dial, one --size (64) echo, close; ops =
 *             connections, p50/p99 of the whole cycle; with --idle M, M
 *             connections (one echo each) are opened first and held open
 *             while it runs: a server's cost per connection as it holds many
 *   fdpass    one unix conn, --window (32) messages of 1 byte + 1 fd in
 *             flight; ops = acked fds, p50/p99 from send to ack
 *   idle      N (10000) dials with one echo each, then --hold seconds; with
 *             --server-pid, server_rss_kib after the echoes, kib_per_conn
 *   burst     N (1000) dials at once, then one echo each; seconds = first
 *             dial to last echo, p50/p99 per connection, connect_failed =
 *             dials refused or not done in --timeout (exit 0 unless all fail)
 * After the agreed fields come extras: size, threads, connect_failed (idle,
 * burst), server_rss_before_kib and server_rss_after_hold_kib (idle).
 *
 * With --server-pid, every mode but idle also reports the server's own CPU
 * time over the measured window (all its threads, from each thread's
 * /proc/PID/task/TID/schedstat): server_cpu_percent (100 = one core busy)
 * and server_cpu_us_per_op. Throughput alone hides what a server costs: on
 * one shared CPU it also depends on how the scheduler splits that CPU
 * between server and load generator.
 *
 * Everything is non-blocking epoll, one thread by default (--threads T spreads
 * the connections of pingpong/stream/connrate over T threads, each with its
 * own epoll set and its own connections: nothing is shared while running).
 * Each thread measures its own CPU time (RUSAGE_THREAD) over the measured
 * window; loadgen_cpu_percent is their sum over the wall time (100 = one core
 * busy), so the harness can show the generator is not the bottleneck.
 *
 * Every echoed byte is checked: a connection is a byte stream whose byte at
 * offset k is pat[k % PERIOD], with PERIOD a prime so that a lost, repeated
 * or reordered 64-byte message or 64 KiB chunk never lines up with the
 * pattern again.
 *
 * Build: cc -O2 -Wall -Wextra -o loadgen loadgen.c -lpthread
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PERIOD 65521u        /* prime: see the header comment */
#define RBUF (256 * 1024)    /* per-thread read buffer */
#define MAX_EVENTS 256
#define SETUP_WINDOW 100     /* idle: dials in flight at once (see main) */

enum mode { M_PINGPONG, M_STREAM, M_CONNRATE, M_FDPASS, M_IDLE, M_BURST };
static const char *mode_names[] = {"pingpong", "stream", "connrate", "fdpass", "idle", "burst"};

static struct {
    enum mode mode;
    int is_tcp;
    const char *network, *address;
    int conns, window, threads, idle;
    size_t size;
    double duration, warmup, hold, timeout;
    long server_pid;
} opt = {.conns = -1, .window = 32, .threads = 1, .size = 0,
         .duration = 5, .warmup = 1, .hold = 0, .timeout = 10, .server_pid = 0};

static struct sockaddr_storage peer;
static socklen_t peer_len;
static unsigned char *pat;       /* PERIOD + max_io bytes of pseudo-random data */
static size_t max_io;            /* longest single send or read */
static uint64_t t_meas, t_end;   /* measured window, CLOCK_MONOTONIC ns */
static uint64_t timeout_ns;
static int devnull_fd = -1;      /* fdpass: the fd sent in every message */

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("loadgen: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1); /* from any thread: the whole run is void */
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* CPU time of every thread of process `pid`, in seconds; -1 if unreadable.
 * schedstat's first field is the thread's time on a CPU in nanoseconds:
 * finer than /proc/PID/stat's clock ticks. A thread that exits between two
 * readings takes its time with it; the servers here keep theirs. */
static double process_cpu_seconds(long pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/task", pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    double total = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char file[300];   /* d_name is up to 255 bytes */
        snprintf(file, sizeof file, "/proc/%ld/task/%s/schedstat", pid, e->d_name);
        FILE *f = fopen(file, "r");
        if (!f)
            continue;   /* the thread just exited */
        unsigned long long ns = 0;
        if (fscanf(f, "%llu", &ns) == 1)
            total += (double)ns / 1e9;
        fclose(f);
    }
    closedir(d);
    return total;
}

/* Sleeps until CLOCK_MONOTONIC reads `t` (ns). */
static void sleep_until(uint64_t t)
{
    struct timespec ts = {.tv_sec = (time_t)(t / 1000000000u), .tv_nsec = (long)(t % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/* ---- latency histogram ------------------------------------------------- */
/* Log-linear over nanoseconds: exact below 64 ns, then 64 linear sub-buckets
 * per power of two (<= 1.6% error) up to 2^40 ns (18 min). Fixed size, no
 * allocation while recording, and per-thread histograms merge by addition. */
#define H_SUB 64
#define H_MAXEXP 40
#define H_BUCKETS ((H_MAXEXP - 5) * H_SUB + H_SUB)

struct hist { uint64_t n, b[H_BUCKETS]; };

static int h_index(uint64_t v)
{
    if (v < H_SUB)
        return (int)v;
    int e = 6;
    while (e < H_MAXEXP && (v >> (e + 1)) != 0)
        e++;
    if ((v >> (e + 1)) != 0)
        return H_BUCKETS - 1; /* beyond 2^41 ns: clamp */
    return (e - 5) * H_SUB + (int)((v >> (e - 6)) & (H_SUB - 1));
}

static double h_value(int i) /* bucket midpoint, ns */
{
    if (i < H_SUB)
        return i;
    int e = i / H_SUB + 5, sub = i % H_SUB;
    double width = (double)(1ull << (e - 6));
    return (H_SUB + sub) * width + width / 2;
}

static void h_add(struct hist *h, uint64_t ns) { h->b[h_index(ns)]++; h->n++; }

static double h_quantile_us(const struct hist *h, double q)
{
    uint64_t want = (uint64_t)(q * (double)h->n + 0.999999), seen = 0;
    if (want == 0)
        want = 1;
    for (int i = 0; i < H_BUCKETS; i++) {
        seen += h->b[i];
        if (seen >= want)
            return h_value(i) / 1000.0;
    }
    return -1;
}

/* ---- sockets ------------------------------------------------------------ */

static void parse_address(void)
{
    memset(&peer, 0, sizeof peer);
    if (!opt.is_tcp) {
        struct sockaddr_un *su = (struct sockaddr_un *)&peer;
        if (strlen(opt.address) >= sizeof su->sun_path)
            fail("unix path too long: %s", opt.address);
        su->sun_family = AF_UNIX;
        strcpy(su->sun_path, opt.address);
        peer_len = sizeof *su;
        return;
    }
    const char *colon = strrchr(opt.address, ':');
    if (!colon)
        fail("tcp address must be host:port: %s", opt.address);
    char host[256];
    size_t hl = (size_t)(colon - opt.address);
    if (hl >= sizeof host)
        fail("host too long: %s", opt.address);
    memcpy(host, opt.address, hl);
    host[hl] = 0;
    if (hl == 0)
        strcpy(host, "127.0.0.1");
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
        fail("cannot resolve %s", opt.address);
    memcpy(&peer, res->ai_addr, res->ai_addrlen);
    peer_len = res->ai_addrlen;
    freeaddrinfo(res);
}

static void tune(int fd)
{
    if (opt.is_tcp) { /* as Go does by default: small messages go out at once */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
}

/* Setup dial for the long-running modes: blocking connect (simple, and its
 * error is the clearest), then non-blocking for the run. */
static int dial_blocking(void)
{
    int fd = socket(peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fail("socket: %s", strerror(errno));
    while (connect(fd, (struct sockaddr *)&peer, peer_len) != 0)
        if (errno != EINTR)
            fail("dial %s %s: connect: %s", opt.network, opt.address, strerror(errno));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    tune(fd);
    return fd;
}

static int loopback_peer(void)
{
    const struct sockaddr_in *sa = (const struct sockaddr_in *)&peer;
    return (ntohl(sa->sin_addr.s_addr) >> 24) == 127;
}

/* Non-blocking dial: returns 0 if connected now (unix always, tcp sometimes
 * on loopback), EINPROGRESS if the handshake is under way, else the errno
 * (fd closed). A unix listener with a full backlog answers EAGAIN. */
static int dial_nb(int *fdp)
{
    int fd = socket(peer.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fail("socket: %s (raise the fd limit?)", strerror(errno));
    tune(fd);
    if (opt.is_tcp && opt.mode == M_CONNRATE && loopback_peer()) {
        /* We close first, so every dial leaves a TIME_WAIT socket holding its
         * 4-tuple for 60 s. From one source address, connect() soon spends
         * its time hunting for a free even port (__inet_hash_connect: about
         * 14k/s was the ceiling here, and worse for every later run). The
         * whole of 127/8 is loopback: spread dials over 64 source addresses,
         * each with its own port space. NO_PORT defers the port choice to
         * connect(), which may then share a port across destinations. */
        static _Thread_local unsigned next_src;
        int one = 1;
        struct sockaddr_in src = {.sin_family = AF_INET,
                                  .sin_addr.s_addr = htonl(0x7f000002u + next_src++ % 64)};
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0)
            fail("bind 127.0.0.x: %s", strerror(errno));
    }
    int r = connect(fd, (struct sockaddr *)&peer, peer_len);
    if (r == 0 || errno == EINPROGRESS) {
        *fdp = fd;
        return r == 0 ? 0 : EINPROGRESS;
    }
    int err = errno;
    close(fd);
    *fdp = -1;
    return err;
}

/* ---- one connection ------------------------------------------------------ */

enum cstate { C_IDLE, C_CONNECTING, C_ECHO, C_DONE };

struct cconn {
    int fd;
    enum cstate state;
    int want_out;        /* EPOLLOUT currently in the (level-triggered) mask */
    uint64_t sent, rcvd; /* stream offsets: bytes sent and echoed so far */
    uint64_t goal;       /* rcvd at which the current round trip is complete */
    uint64_t t0;         /* start of the current round trip / dial, ns */
};

static void ep_ctl(int epfd, int op, int fd, uint32_t events, uint64_t idx)
{
    struct epoll_event ev = {.events = events, .data.u64 = idx};
    if (epoll_ctl(epfd, op, fd, &ev) != 0)
        fail("epoll_ctl: %s", strerror(errno));
}

/* Send pattern bytes until c->sent == goal. Each send stops at a --size
 * boundary, so a stream is written in --size chunks. Returns 1 when all is
 * sent, 0 on EAGAIN. */
static int send_upto(struct cconn *c, uint64_t goal)
{
    while (c->sent < goal) {
        size_t n = opt.size - (size_t)(c->sent % opt.size);
        if (n > goal - c->sent)
            n = (size_t)(goal - c->sent);
        if (n > max_io)
            n = max_io;
        ssize_t w = send(c->fd, pat + c->sent % PERIOD, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return 0;
            fail("write %s %s: %s", opt.network, opt.address, strerror(errno));
        }
        c->sent += (uint64_t)w;
    }
    return 1;
}

/* Read at most max echoed bytes and check them. Returns the count, or -1 on
 * EAGAIN. EOF before all echoes are in is an error. */
static ssize_t recv_check(struct cconn *c, unsigned char *buf, size_t max)
{
    if (max > max_io)
        max = max_io;
    for (;;) {
        ssize_t n = read(c->fd, buf, max);
        if (n > 0) {
            if (memcmp(buf, pat + c->rcvd % PERIOD, (size_t)n) != 0)
                fail("wrong echo at byte %llu of a connection", (unsigned long long)c->rcvd);
            c->rcvd += (uint64_t)n;
            return n;
        }
        if (n == 0)
            fail("read %s %s: server closed the connection (%llu of %llu bytes echoed)",
                 opt.network, opt.address, (unsigned long long)c->rcvd,
                 (unsigned long long)c->sent);
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN)
            return -1;
        fail("read %s %s: %s", opt.network, opt.address, strerror(errno));
    }
}

/* ---- workers for the timed modes (pingpong, stream, connrate, fdpass) ---- */

struct worker {
    pthread_t th;
    int epfd;
    struct cconn *c;
    int n;
    unsigned char *buf;
    struct hist h;
    uint64_t ops, bytes, last_progress;
    double cpu;
    /* fdpass: send times of the messages in flight, a ring of --window */
    uint64_t *ring, msgs_sent, msgs_acked;
};

static int in_window(uint64_t t) { return t >= t_meas && t < t_end; }

static void op_done(struct worker *w, uint64_t t, uint64_t t0)
{
    w->last_progress = t;
    if (in_window(t)) {
        w->ops++;
        h_add(&w->h, t - t0);
    }
}

/* pingpong: send the next message; watch EPOLLOUT only if it did not fit. */
static void pp_send(struct worker *w, struct cconn *c, uint64_t idx)
{
    int all = send_upto(c, c->goal);
    if (all == c->want_out) { /* mask differs from what we need */
        c->want_out = !all;
        ep_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, EPOLLIN | (all ? 0 : EPOLLOUT), idx);
    }
}

static void pp_event(struct worker *w, uint64_t idx, uint32_t ev)
{
    struct cconn *c = &w->c[idx];
    if (ev & EPOLLOUT)
        pp_send(w, c, idx);
    if (!(ev & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        return;
    /* Level-triggered: read until this round trip is complete or EAGAIN;
     * after a complete one the next read would only say EAGAIN. */
    while (recv_check(c, w->buf, (size_t)(c->goal - c->rcvd)) > 0) {
        if (c->rcvd == c->goal) {
            uint64_t t = now_ns();
            op_done(w, t, c->t0);
            c->t0 = t;
            c->goal += opt.size;
            pp_send(w, c, idx);
            return;
        }
    }
}

/* stream: write --size chunks whenever there is room, read whatever is
 * echoed; both directions at once, flow control is the kernel's. */
static void st_event(struct worker *w, uint64_t idx, uint32_t ev)
{
    struct cconn *c = &w->c[idx];
    if (ev & EPOLLOUT)
        send_upto(c, UINT64_MAX);
    if (!(ev & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        return;
    ssize_t n;
    do {
        uint64_t before = c->rcvd;
        n = recv_check(c, w->buf, RBUF);
        if (n <= 0)
            break;
        uint64_t t = now_ns();
        w->last_progress = t;
        if (in_window(t)) {
            w->bytes += (uint64_t)n;
            w->ops += c->rcvd / opt.size - before / opt.size; /* chunks completed */
        }
    } while ((size_t)n == RBUF); /* a short read drained the socket (level-triggered) */
}

/* connrate, idle, burst: one dial + one echo per connection. Registered
 * edge-triggered so no epoll_ctl is needed after the ADD: EPOLLOUT's edge
 * says connected, EPOLLIN's says the echo is here. A dial that connected at
 * once (unix) sends immediately and only waits for EPOLLIN. */
static int echo_start(int epfd, struct cconn *c, uint64_t idx)
{
    c->t0 = now_ns();
    c->sent = c->rcvd = 0;
    c->goal = opt.size;
    int r = dial_nb(&c->fd);
    if (r == 0) {
        c->state = C_ECHO;
        int all = send_upto(c, c->goal);
        ep_ctl(epfd, EPOLL_CTL_ADD, c->fd, EPOLLIN | (all ? 0 : EPOLLOUT) | EPOLLET, idx);
    } else if (r == EINPROGRESS) {
        c->state = C_CONNECTING;
        ep_ctl(epfd, EPOLL_CTL_ADD, c->fd, EPOLLIN | EPOLLOUT | EPOLLET, idx);
    } else {
        c->state = C_IDLE;
    }
    return r == EINPROGRESS ? 0 : r;
}

/* Returns 1 when the echo is complete, 0 if more is to come, or an errno
 * if the dial failed (the fd is then closed). */
static int echo_event(struct cconn *c, unsigned char *buf, uint32_t ev)
{
    if (c->state == C_CONNECTING) {
        if (ev & (EPOLLERR | EPOLLHUP)) {
            int err = 0;
            socklen_t l = sizeof err;
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
            close(c->fd);
            c->fd = -1;
            c->state = C_IDLE;
            return err ? err : ECONNRESET;
        }
        if (!(ev & EPOLLOUT))
            return 0;
        c->state = C_ECHO;
    }
    if (c->state != C_ECHO)
        return 0;
    if (c->sent < c->goal)
        send_upto(c, c->goal); /* edge-triggered EPOLLOUT calls again on EAGAIN */
    /* The echo can only arrive after our send, and its arrival is an edge of
     * its own: without EPOLLIN in this event, a read would just say EAGAIN. */
    if (!(ev & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        return 0;
    /* Edge-triggered: read until complete or EAGAIN. */
    while (c->rcvd < c->goal && recv_check(c, buf, (size_t)(c->goal - c->rcvd)) > 0)
        ;
    if (c->rcvd < c->goal)
        return 0;
    c->state = C_DONE;
    return 1;
}

static void cr_event(struct worker *w, uint64_t idx, uint32_t ev)
{
    struct cconn *c = &w->c[idx];
    int r = echo_event(c, w->buf, ev);
    if (r == 0)
        return;
    if (r != 1)
        fail("dial %s %s: %s", opt.network, opt.address, strerror(r));
    close(c->fd); /* also leaves the epoll set */
    op_done(w, now_ns(), c->t0);
    if ((r = echo_start(w->epfd, c, idx)) != 0)
        fail("dial %s %s: %s", opt.network, opt.address, strerror(r));
}

/* fdpass: keep --window messages of 1 byte + SCM_RIGHTS(/dev/null) in
 * flight; each ack byte retires the oldest. */
static void fp_fill(struct worker *w)
{
    struct cconn *c = &w->c[0];
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    while (w->msgs_sent - w->msgs_acked < (uint64_t)opt.window) {
        char byte = 'f';
        struct iovec iov = {.iov_base = &byte, .iov_len = 1};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &devnull_fd, sizeof(int));
        ssize_t r = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                break;
            fail("sendmsg unix %s: %s", opt.address, strerror(errno));
        }
        w->ring[w->msgs_sent % (uint64_t)opt.window] = now_ns();
        w->msgs_sent++;
    }
    int all = w->msgs_sent - w->msgs_acked == (uint64_t)opt.window;
    if (all == c->want_out) {
        c->want_out = !all;
        ep_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, EPOLLIN | (all ? 0 : EPOLLOUT), 0);
    }
}

static void fp_event(struct worker *w, uint64_t idx, uint32_t ev)
{
    (void)idx;
    struct cconn *c = &w->c[0];
    if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        ssize_t n;
        while ((n = read(c->fd, w->buf, 4096)) < 0 && errno == EINTR)
            ;
        if (n == 0)
            fail("read unix %s: server closed the connection", opt.address);
        if (n < 0 && errno != EAGAIN)
            fail("read unix %s: %s", opt.address, strerror(errno));
        if (n > 0) {
            if ((uint64_t)n > w->msgs_sent - w->msgs_acked)
                fail("more acks than messages sent");
            uint64_t t = now_ns();
            for (ssize_t i = 0; i < n; i++, w->msgs_acked++)
                op_done(w, t, w->ring[w->msgs_acked % (uint64_t)opt.window]);
        }
    }
    fp_fill(w);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    void (*handle)(struct worker *, uint64_t, uint32_t) =
        opt.mode == M_PINGPONG ? pp_event : opt.mode == M_STREAM ? st_event
        : opt.mode == M_CONNRATE ? cr_event : fp_event;
    w->last_progress = now_ns();
    for (int i = 0; i < w->n; i++) {
        struct cconn *c = &w->c[i];
        switch (opt.mode) {
        case M_PINGPONG:
            ep_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, EPOLLIN, (uint64_t)i);
            c->t0 = now_ns();
            c->goal = opt.size;
            pp_send(w, c, (uint64_t)i);
            break;
        case M_STREAM:
            ep_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, EPOLLIN | EPOLLOUT, (uint64_t)i);
            break;
        case M_CONNRATE: {
            int r = echo_start(w->epfd, c, (uint64_t)i);
            if (r)
                fail("dial %s %s: %s", opt.network, opt.address, strerror(r));
            break;
        }
        default: /* M_FDPASS */
            ep_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, EPOLLIN, 0);
            fp_fill(w);
        }
    }
    struct epoll_event evs[MAX_EVENTS];
    int measuring = 0;
    double cpu0 = 0;
    for (;;) {
        uint64_t t = now_ns();
        if (!measuring && t >= t_meas) {
            measuring = 1;
            cpu0 = cpu_seconds(RUSAGE_THREAD);
        }
        if (t >= t_end)
            break;
        if (t - w->last_progress > timeout_ns)
            fail("timeout: no %s progress for %.1f s against %s %s",
                 mode_names[opt.mode], opt.timeout, opt.network, opt.address);
        /* Wake at the next phase boundary, and at least once a second for
         * the timeout check. */
        uint64_t next = measuring ? t_end : t_meas;
        int ms = (int)((next - t + 999999) / 1000000);
        if (ms > 1000)
            ms = 1000;
        int n = epoll_wait(w->epfd, evs, MAX_EVENTS, ms);
        if (n < 0 && errno != EINTR)
            fail("epoll_wait: %s", strerror(errno));
        for (int i = 0; i < n; i++)
            handle(w, evs[i].data.u64, evs[i].events);
    }
    w->cpu = cpu_seconds(RUSAGE_THREAD) - cpu0;
    return NULL;
}

/* ---- idle and burst: many dials, one echo each --------------------------- */

struct dial_result { int ok, failed; uint64_t t_first, t_last; struct hist *h; };

/* Dial `count` connections, at most `window` dials+echoes in flight (all of
 * them at once for burst), and do one echo on each. Connections stay open
 * (the caller closes them). Failed dials are counted when count_failures
 * (burst), fatal otherwise. */
static void run_dials(struct cconn *cs, int count, int window, int count_failures, struct dial_result *res)
{
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        fail("epoll_create1: %s", strerror(errno));
    unsigned char *buf = malloc(RBUF);
    struct epoll_event evs[MAX_EVENTS];
    int next = 0, inflight = 0, finished = 0;
    uint64_t last_progress = now_ns();
    res->t_first = last_progress;
    while (finished < count) {
        /* Start dials up to the window. */
        int backoff = 0;
        while (next < count && inflight < window) {
            int r = echo_start(epfd, &cs[next], (uint64_t)next);
            next++;
            if (r == 0) {
                inflight++;
            } else if (r == EAGAIN && !count_failures) {
                /* idle: a unix listener with a backlog under our window is
                 * full; let it accept and try again in a millisecond. */
                next--;
                backoff = 1;
                break;
            } else if (count_failures) {
                res->failed++;
                finished++;
            } else {
                fail("dial %s %s (connection %d): %s", opt.network, opt.address, next, strerror(r));
            }
        }
        int n = epoll_wait(epfd, evs, MAX_EVENTS, backoff ? 1 : 1000);
        if (n < 0 && errno != EINTR)
            fail("epoll_wait: %s", strerror(errno));
        uint64_t t = now_ns();
        for (int i = 0; i < n; i++) {
            struct cconn *c = &cs[evs[i].data.u64];
            int r = echo_event(c, buf, evs[i].events);
            if (r == 0)
                continue;
            inflight--;
            finished++;
            last_progress = t;
            if (r == 1) {
                res->ok++;
                res->t_last = now_ns();
                if (res->h)
                    h_add(res->h, res->t_last - c->t0);
                /* Stop watching: an idle connection must cost the generator
                 * nothing while it is held. */
                epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
            } else if (count_failures) {
                res->failed++;
            } else {
                fail("dial %s %s: %s", opt.network, opt.address, strerror(r));
            }
        }
        if (t - last_progress > timeout_ns) {
            if (!count_failures)
                fail("timeout: %d of %d connections echoed, none for %.1f s",
                     res->ok, count, opt.timeout);
            /* burst: what did not connect in time has failed */
            for (int i = 0; i < next; i++)
                if (cs[i].state == C_CONNECTING || cs[i].state == C_ECHO) {
                    close(cs[i].fd);
                    cs[i].fd = -1;
                    cs[i].state = C_IDLE;
                    res->failed++;
                }
            res->failed += count - next;
            break;
        }
    }
    if (res->ok == 0)
        res->t_last = res->t_first;
    free(buf);
    close(epfd);
}

static long rss_kib(long pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        fail("cannot read %s: %s", path, strerror(errno));
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    fclose(f);
    if (kib < 0)
        fail("no VmRSS in %s", path);
    return kib;
}

/* ---- output ---------------------------------------------------------------- */

static void jnum(const char *key, double v, const char *fmt, int valid)
{
    printf(",\"%s\":", key);
    if (valid)
        printf(fmt, v);
    else
        fputs("null", stdout);
}

struct result {
    uint64_t ops;
    double seconds, gib, cpu_percent;
    double server_cpu;   /* seconds over the measured window; -1 if not measured */
    struct hist *h;
    long rss_before, rss_after, rss_hold;
    int failed, have_gib, have_fail;
};

static void print_result(const struct result *r)
{
    int lat = r->h && r->h->n > 0;
    printf("{\"mode\":\"%s\",\"network\":\"%s\",\"conns\":%d,\"ops\":%llu",
           mode_names[opt.mode], opt.network, opt.conns, (unsigned long long)r->ops);
    jnum("seconds", r->seconds, "%.3f", 1);
    jnum("ops_per_sec", r->seconds > 0 ? (double)r->ops / r->seconds : 0, "%.1f", 1);
    jnum("p50_us", lat ? h_quantile_us(r->h, 0.50) : 0, "%.1f", lat);
    jnum("p99_us", lat ? h_quantile_us(r->h, 0.99) : 0, "%.1f", lat);
    jnum("gib_per_sec", r->seconds > 0 ? r->gib / r->seconds : 0, "%.3f", r->have_gib);
    jnum("loadgen_cpu_percent", r->cpu_percent, "%.1f", 1);
    jnum("server_rss_kib", (double)r->rss_after, "%.0f", r->rss_after >= 0);
    jnum("kib_per_conn", opt.conns > 0 ? (double)(r->rss_after - r->rss_before) / opt.conns : 0,
         "%.2f", r->rss_after >= 0 && r->rss_before >= 0);
    /* Extras, after the agreed fields. */
    printf(",\"size\":%zu,\"threads\":%d", opt.size, opt.threads);
    jnum("connect_failed", r->failed, "%.0f", r->have_fail);
    jnum("server_rss_before_kib", (double)r->rss_before, "%.0f", r->rss_before >= 0);
    jnum("server_rss_after_hold_kib", (double)r->rss_hold, "%.0f", r->rss_hold >= 0);
    int cpu = r->server_cpu >= 0 && r->seconds > 0 && r->ops > 0;
    jnum("server_cpu_percent", cpu ? 100 * r->server_cpu / r->seconds : 0, "%.1f", cpu);
    jnum("server_cpu_us_per_op", cpu ? 1e6 * r->server_cpu / (double)r->ops : 0, "%.3f", cpu);
    printf("}\n");
    fflush(stdout);
}

/* ---- main ------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr,
            "usage: loadgen --mode pingpong|stream|connrate|fdpass|idle|burst\n"
            "               --network tcp|unix --address ADDR\n"
            "               [--conns N] [--size BYTES] [--duration S] [--warmup S]\n"
            "               [--window W] [--hold S] [--server-pid PID] [--threads T]\n"
            "               [--timeout S] [--idle M]\n");
    exit(2);
}

static double num(const char *s, double lo, double hi)
{
    char *end;
    double v = strtod(s, &end);
    if (*s == 0 || *end || v < lo || v > hi) {
        fprintf(stderr, "loadgen: bad number: %s\n", s);
        usage();
    }
    return v;
}

static void parse_args(int argc, char **argv)
{
    const char *mode = NULL;
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc)
            usage();
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--mode")) mode = v;
        else if (!strcmp(k, "--network")) opt.network = v;
        else if (!strcmp(k, "--address")) opt.address = v;
        else if (!strcmp(k, "--conns")) opt.conns = (int)num(v, 1, 1e6);
        else if (!strcmp(k, "--size")) opt.size = (size_t)num(v, 1, 1 << 26);
        else if (!strcmp(k, "--duration")) opt.duration = num(v, 0.001, 1e6);
        else if (!strcmp(k, "--warmup")) opt.warmup = num(v, 0, 1e6);
        else if (!strcmp(k, "--window")) opt.window = (int)num(v, 1, 1e6);
        else if (!strcmp(k, "--hold")) opt.hold = num(v, 0, 1e6);
        else if (!strcmp(k, "--server-pid")) opt.server_pid = (long)num(v, 1, 1e9);
        else if (!strcmp(k, "--threads")) opt.threads = (int)num(v, 1, 1024);
        else if (!strcmp(k, "--timeout")) opt.timeout = num(v, 0.001, 1e6);
        else if (!strcmp(k, "--idle")) opt.idle = (int)num(v, 0, 1e6);
        else usage();
    }
    if (!mode || !opt.network || !opt.address)
        usage();
    int m = -1;
    for (int i = 0; i < 6; i++)
        if (!strcmp(mode, mode_names[i]))
            m = i;
    if (m < 0)
        usage();
    opt.mode = (enum mode)m;
    if (!strcmp(opt.network, "tcp")) opt.is_tcp = 1;
    else if (strcmp(opt.network, "unix")) usage();
    if (opt.mode == M_FDPASS && opt.is_tcp)
        fail("--mode fdpass needs --network unix");
    if (opt.idle && opt.mode != M_CONNRATE)
        fail("--idle goes with --mode connrate");
    if (opt.conns < 0)
        opt.conns = opt.mode == M_CONNRATE ? 8 : opt.mode == M_IDLE ? 10000
                  : opt.mode == M_BURST ? 1000 : 1;
    if (opt.mode == M_FDPASS)
        opt.conns = 1;
    if (opt.size == 0)
        opt.size = opt.mode == M_STREAM ? 65536 : opt.mode == M_FDPASS ? 1 : 64;
    if (opt.mode == M_FDPASS || opt.mode == M_IDLE || opt.mode == M_BURST)
        opt.threads = 1; /* one connection, or a setup phase: one thread */
    if (opt.threads > opt.conns)
        opt.threads = opt.conns;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    signal(SIGPIPE, SIG_IGN); /* every send has MSG_NOSIGNAL; sendmsg too */
    struct rlimit rl; /* idle opens 10,000+ connections */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        int held = opt.mode == M_IDLE || opt.mode == M_BURST ? opt.conns : opt.idle;
        if (rl.rlim_cur < (rlim_t)held + 16)
            fail("RLIMIT_NOFILE %llu is too low for %d connections",
                 (unsigned long long)rl.rlim_cur, held);
    }
    parse_address();
    timeout_ns = (uint64_t)(opt.timeout * 1e9);

    max_io = opt.size > RBUF ? opt.size : RBUF;
    pat = malloc(PERIOD + max_io);
    if (!pat)
        fail("out of memory");
    uint32_t x = 2463534242u; /* xorshift32: any fixed non-trivial bytes */
    for (size_t i = 0; i < PERIOD; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        pat[i] = (unsigned char)x;
    }
    memcpy(pat + PERIOD, pat, max_io <= PERIOD ? max_io : PERIOD);
    for (size_t i = 2 * PERIOD; i < PERIOD + max_io; i++) /* size > PERIOD */
        pat[i] = pat[i - PERIOD];

    struct result res = {.rss_before = -1, .rss_after = -1, .rss_hold = -1, .server_cpu = -1};
    struct hist *h = calloc(1, sizeof *h);
    struct cconn *cs = calloc((size_t)opt.conns, sizeof *cs);
    if (!h || !cs)
        fail("out of memory");
    res.h = h;

    if (opt.mode == M_IDLE || opt.mode == M_BURST) {
        if (opt.mode == M_IDLE && opt.server_pid)   /* a burst measures CPU, not memory */
            res.rss_before = rss_kib(opt.server_pid);
        struct dial_result dr = {.h = opt.mode == M_BURST ? h : NULL};
        double cpu0 = cpu_seconds(RUSAGE_SELF);
        double server0 = opt.mode == M_BURST && opt.server_pid ? process_cpu_seconds(opt.server_pid) : -1;
        /* idle paces its dials, 100 in flight: a unix listener refuses a
         * non-blocking dial with EAGAIN once its backlog is full (128 is a
         * common default), and idle measures memory, not accept speed.
         * burst fires them all at once on purpose. */
        run_dials(cs, opt.conns, opt.mode == M_IDLE ? SETUP_WINDOW : opt.conns,
                  opt.mode == M_BURST, &dr);
        double cpu = cpu_seconds(RUSAGE_SELF) - cpu0;
        /* burst: the server's CPU from the first dial to the last echo (the
         * dials start right after the first reading). */
        if (server0 >= 0) {
            double server1 = process_cpu_seconds(opt.server_pid);
            res.server_cpu = server1 >= 0 ? server1 - server0 : -1;
        }
        res.ops = (uint64_t)dr.ok;
        res.seconds = (double)(dr.t_last - dr.t_first) / 1e9;
        res.cpu_percent = res.seconds > 0 ? 100 * cpu / res.seconds : 0;
        res.failed = dr.failed;
        res.have_fail = 1;
        if (opt.mode == M_IDLE) {
            res.h = NULL;
            if (opt.server_pid)
                res.rss_after = rss_kib(opt.server_pid);
            struct timespec ts = {.tv_sec = (time_t)opt.hold,
                                  .tv_nsec = (long)((opt.hold - (double)(time_t)opt.hold) * 1e9)};
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
                ;
            if (opt.server_pid)
                res.rss_hold = rss_kib(opt.server_pid);
        }
        for (int i = 0; i < opt.conns; i++)
            if (cs[i].state != C_IDLE)
                close(cs[i].fd);
        print_result(&res);
        /* Some failed dials are a result (the server's backlog overflowed),
         * reported in connect_failed; none succeeding is an error. */
        if (dr.failed)
            fprintf(stderr, "loadgen: %d of %d dials failed\n", dr.failed, opt.conns);
        return dr.ok > 0 ? 0 : 1;
    }

    /* Timed modes: connect first (connrate dials in its loop), then run. */
    if (opt.mode == M_FDPASS) {
        devnull_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (devnull_fd < 0)
            fail("open /dev/null: %s", strerror(errno));
    }
    if (opt.mode != M_CONNRATE)
        for (int i = 0; i < opt.conns; i++)
            cs[i].fd = dial_blocking();
    /* connrate --idle: the held connections, open before the clock starts. */
    struct cconn *idle = opt.idle ? calloc((size_t)opt.idle, sizeof *idle) : NULL;
    if (opt.idle) {
        if (!idle)
            fail("out of memory");
        struct dial_result dr = {0};
        run_dials(idle, opt.idle, SETUP_WINDOW, 0, &dr);
    }

    struct worker *ws = calloc((size_t)opt.threads, sizeof *ws);
    if (!ws)
        fail("out of memory");
    int per = opt.conns / opt.threads, extra = opt.conns % opt.threads, at = 0;
    for (int t = 0; t < opt.threads; t++) {
        struct worker *w = &ws[t];
        w->c = &cs[at];
        w->n = per + (t < extra);
        at += w->n;
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        w->buf = malloc(max_io);
        w->ring = calloc((size_t)opt.window, sizeof *w->ring);
        if (w->epfd < 0 || !w->buf || !w->ring)
            fail("worker setup: %s", strerror(errno));
    }
    t_meas = now_ns() + (uint64_t)(opt.warmup * 1e9);
    t_end = t_meas + (uint64_t)(opt.duration * 1e9);
    for (int t = 0; t < opt.threads; t++)
        if ((errno = pthread_create(&ws[t].th, NULL, worker_main, &ws[t])) != 0)
            fail("pthread_create: %s", strerror(errno));
    /* The workers measure from t_meas to t_end; so does this thread, for the
     * server's CPU. */
    if (opt.server_pid) {
        sleep_until(t_meas);
        double server0 = process_cpu_seconds(opt.server_pid);
        sleep_until(t_end);
        double server1 = process_cpu_seconds(opt.server_pid);
        if (server0 >= 0 && server1 >= 0)
            res.server_cpu = server1 - server0;
    }
    uint64_t bytes = 0;
    double cpu = 0;
    for (int t = 0; t < opt.threads; t++) {
        pthread_join(ws[t].th, NULL);
        res.ops += ws[t].ops;
        bytes += ws[t].bytes;
        cpu += ws[t].cpu;
        for (int i = 0; i < H_BUCKETS; i++)
            h->b[i] += ws[t].h.b[i];
        h->n += ws[t].h.n;
    }
    res.seconds = opt.duration;
    res.cpu_percent = 100 * cpu / opt.duration;
    if (opt.mode == M_STREAM) {
        res.h = NULL;
        res.have_gib = 1;
        res.gib = (double)bytes / (double)(1u << 30);
    }
    if (res.ops == 0)
        fail("no %s completed in %.2f s", mode_names[opt.mode], opt.duration);
    for (int i = 0; i < opt.idle; i++)
        if (idle[i].state != C_IDLE)
            close(idle[i].fd);
    print_result(&res);
    return 0;
}
