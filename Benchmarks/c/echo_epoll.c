/*
 * echo_epoll: the C baseline server of the benchmark harness (issue 4).
 *
 *   echo_epoll --network tcp|unix --address ADDR [--mode echo|fdrecv]
 *
 * One thread, one level-triggered epoll set, non-blocking sockets, no
 * allocation on the fast path: the physical baseline every other server is
 * measured against. Reads go on until EAGAIN (64 reads at most per wake-up,
 * for fairness), as a goroutine's next Read would; stopping at a short read
 * would save that last syscall (about 5% on 64-connection tcp ping-pong). Prints "listening on ADDR" (the real address: 127.0.0.1:PORT or
 * the path) once ready; runs until SIGINT/SIGTERM, then unlinks its unix path
 * and exits 0.
 *
 * Mode echo: every byte read is written back, in order.
 * Mode fdrecv (unix only): every message is 1 data byte + SCM_RIGHTS fds; the
 * fds are closed and 1 byte per message is written back as the ack.
 *
 * Why level-triggered: a connection is registered for EPOLLIN only, and for
 * EPOLLOUT only while it has unsent bytes. With edge-triggered EPOLLIN|EPOLLOUT
 * registered once, a unix socket would wake us with EPOLLOUT every time the
 * peer reads our echo (unix_write_space fires on every freed skb); level-
 * triggered with a narrow interest mask filters those wake-ups in the kernel.
 * Backpressure costs two epoll_ctl calls, the fast path none.
 *
 * Build: cc -O2 -Wall -Wextra -o echo_epoll echo_epoll.c -lpthread
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024) /* one read; a streamed 64 KiB chunk fits whole */
#define MAX_EVENTS 256
#define MAX_FDS_PER_MSG 8

/* Per-connection state, indexed by fd. Only a connection under backpressure
 * owns heap memory (its unsent tail), so an idle connection costs 16 bytes
 * here: the baseline for "memory per idle connection". */
struct conn {
    char *pend;         /* echo mode: bytes read but not yet written back */
    uint32_t pend_off;  /* first unsent byte in pend */
    uint32_t pend_len;  /* bytes in pend */
    /* fdrecv mode uses pend_len alone: the number of ack bytes owed. */
};

static struct conn *conns; /* one per possible fd, sized by RLIMIT_NOFILE */
static int nconns_max;
static int epfd;
static int fdrecv_mode;
static char buf[BUF_SIZE];      /* single thread: one read buffer serves all */
static char acks[BUF_SIZE];     /* ack bytes for fdrecv, all 'a' */
static int spare_fd = -1;       /* given up when out of fds, see on_listener */

static void die(const char *what)
{
    fprintf(stderr, "echo_epoll: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void usage(void)
{
    fprintf(stderr, "usage: echo_epoll --network tcp|unix --address ADDR [--mode echo|fdrecv]\n");
    exit(2);
}

/* Raise the soft fd limit to the hard one: the idle test opens 10,000+. */
static int raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        die("getrlimit");
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        die("setrlimit");
    return rl.rlim_cur > (1 << 22) ? (1 << 22) : (int)rl.rlim_cur;
}

static void close_conn(int fd)
{
    /* close() also removes fd from the epoll set (we never dup it). */
    free(conns[fd].pend);
    conns[fd] = (struct conn){0};
    close(fd);
}

static void set_interest(int fd, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) != 0)
        die("epoll_ctl MOD");
}

/* Write what is owed; returns 1 if all is out, 0 if still owed, -1 on error. */
static int flush_conn(int fd)
{
    struct conn *c = &conns[fd];
    while (c->pend_len > 0) {
        const char *p = fdrecv_mode ? acks : c->pend + c->pend_off;
        size_t n = c->pend_len;
        if (fdrecv_mode && n > sizeof acks)
            n = sizeof acks;
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return 0;
            return -1;
        }
        if (!fdrecv_mode)
            c->pend_off += (uint32_t)w;
        c->pend_len -= (uint32_t)w;
    }
    if (!fdrecv_mode) {
        free(c->pend); /* give the memory back: most connections are idle */
        c->pend = NULL;
        c->pend_off = 0;
    }
    return 1;
}

/* Echo mode: read until EAGAIN, writing each read straight back. A short
 * write parks the rest in conn.pend and switches interest to EPOLLOUT; we
 * stop reading until it is flushed, so the client's stream backs up in the
 * kernel (TCP/unix flow control) instead of in our memory. After MAX_READS
 * full reads we yield to the other connections; level-triggered epoll brings
 * us back to this one. */
#define MAX_READS 64
static void on_echo_readable(int fd)
{
    for (int reads = 0; reads < MAX_READS; reads++) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                close_conn(fd); /* ECONNRESET and friends: the peer is gone */
            return;
        }
        if (n == 0) {
            close_conn(fd); /* EOF; nothing is pending while we read */
            return;
        }
        ssize_t w;
        do
            w = send(fd, buf, (size_t)n, MSG_NOSIGNAL);
        while (w < 0 && errno == EINTR);
        if (w < 0 && errno != EAGAIN) {
            close_conn(fd);
            return;
        }
        if (w < 0)
            w = 0;
        if (w < n) {
            struct conn *c = &conns[fd];
            c->pend = malloc((size_t)(n - w));
            if (!c->pend)
                die("malloc");
            memcpy(c->pend, buf + w, (size_t)(n - w));
            c->pend_off = 0;
            c->pend_len = (uint32_t)(n - w);
            set_interest(fd, EPOLLOUT);
            return;
        }
    }
}

/* Fdrecv mode: one recvmsg per message (the kernel does not merge unix stream
 * messages that carry fds), close every received fd, count one ack byte per
 * data byte and send the acks in one write once the socket is drained. */
static void on_fdrecv_readable(int fd)
{
    struct conn *c = &conns[fd];
    char data[64];
    union { /* aligned control buffer for up to 8 fds */
        char buf[CMSG_SPACE(MAX_FDS_PER_MSG * sizeof(int))];
        struct cmsghdr align;
    } ctl;
    for (;;) {
        struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
        ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN) {
                close_conn(fd);
                return;
            }
            break;
        }
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
                continue;
            int nfds = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            int *fds = (int *)CMSG_DATA(cm);
            for (int i = 0; i < nfds; i++) {
                int rfd;
                memcpy(&rfd, &fds[i], sizeof rfd); /* CMSG_DATA may be unaligned */
                close(rfd);
            }
        }
        if (msg.msg_flags & MSG_CTRUNC)
            fprintf(stderr, "echo_epoll: control data truncated (more than %d fds)\n", MAX_FDS_PER_MSG);
        if (n == 0) {
            close_conn(fd);
            return;
        }
        c->pend_len += (uint32_t)n;
    }
    int r = flush_conn(fd);
    if (r < 0)
        close_conn(fd);
    else if (r == 0)
        set_interest(fd, EPOLLOUT);
}

static void on_writable(int fd)
{
    int r = flush_conn(fd);
    if (r < 0) {
        close_conn(fd);
    } else if (r == 1) {
        set_interest(fd, EPOLLIN);
        /* Data may have queued while we only watched EPOLLOUT; level-
         * triggered epoll would report it next round, reading now saves it. */
        if (fdrecv_mode)
            on_fdrecv_readable(fd);
        else
            on_echo_readable(fd);
    }
}

static void on_listener(int lfd, int is_tcp)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EAGAIN)
                return;
            if ((errno == EMFILE || errno == ENFILE) && spare_fd >= 0) {
                /* Out of fds: the listener stays readable and level-
                 * triggered epoll would spin on it. Free the spare fd to
                 * accept and drop one connection, then take it back. */
                static int warned;
                if (!warned++)
                    fprintf(stderr, "echo_epoll: out of file descriptors, dropping connections\n");
                close(spare_fd);
                int drop = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                if (drop >= 0)
                    close(drop);
                spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (drop < 0)
                    return; /* EMFILE comes before the queue is looked at:
                             * the backlog may well be empty */
                continue;
            }
            perror("echo_epoll: accept4");
            return;
        }
        if (fd >= nconns_max) { /* cannot happen below RLIMIT_NOFILE */
            close(fd);
            continue;
        }
        if (is_tcp) {
            /* As Go does by default: a small echo must not wait for an ACK. */
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
            die("epoll_ctl ADD");
    }
}

/* "host:port" with a numeric or resolvable IPv4 host; empty host = any. */
static void parse_tcp(const char *addr, struct sockaddr_in *sa)
{
    const char *colon = strrchr(addr, ':');
    if (!colon)
        usage();
    char host[256];
    size_t hl = (size_t)(colon - addr);
    if (hl >= sizeof host)
        usage();
    memcpy(host, addr, hl);
    host[hl] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        usage();
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (hl == 0) {
        sa->sin_addr.s_addr = htonl(INADDR_ANY);
    } else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
        if (getaddrinfo(host, NULL, &hints, &res) != 0) {
            fprintf(stderr, "echo_epoll: cannot resolve %s\n", host);
            exit(1);
        }
        sa->sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
        freeaddrinfo(res);
    }
}

int main(int argc, char **argv)
{
    const char *network = NULL, *address = NULL, *mode = "echo";
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        if (!strcmp(argv[i], "--network"))
            network = argv[++i];
        else if (!strcmp(argv[i], "--address"))
            address = argv[++i];
        else if (!strcmp(argv[i], "--mode"))
            mode = argv[++i];
        else
            usage();
    }
    if (!network || !address)
        usage();
    int is_tcp = !strcmp(network, "tcp");
    if (!is_tcp && strcmp(network, "unix"))
        usage();
    if (!strcmp(mode, "fdrecv"))
        fdrecv_mode = 1;
    else if (strcmp(mode, "echo"))
        usage();
    if (fdrecv_mode && is_tcp) {
        fprintf(stderr, "echo_epoll: --mode fdrecv needs --network unix\n");
        exit(2);
    }
    memset(acks, 'a', sizeof acks);
    spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

    nconns_max = raise_nofile();
    conns = calloc((size_t)nconns_max, sizeof *conns); /* untouched pages cost no RSS */
    if (!conns)
        die("calloc");

    /* Signals arrive as a readable fd, so the loop needs no async-signal care. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &sigs, NULL) != 0)
        die("sigprocmask");
    int sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0)
        die("signalfd");
    signal(SIGPIPE, SIG_IGN); /* belt and braces: every send has MSG_NOSIGNAL */

    int lfd;
    char real[sizeof(((struct sockaddr_un *)0)->sun_path) + 32];
    if (is_tcp) {
        struct sockaddr_in sa;
        parse_tcp(address, &sa);
        lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (lfd < 0)
            die("socket");
        int one = 1;
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0)
            die("bind");
        socklen_t sl = sizeof sa;
        if (getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0)
            die("getsockname");
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
        snprintf(real, sizeof real, "%s:%u", ip, ntohs(sa.sin_port));
    } else {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(address) >= sizeof sa.sun_path) {
            fprintf(stderr, "echo_epoll: unix path too long: %s\n", address);
            exit(2);
        }
        strcpy(sa.sun_path, address);
        unlink(address); /* a stale socket file from an earlier run */
        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (lfd < 0)
            die("socket");
        if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0)
            die("bind");
        snprintf(real, sizeof real, "%s", address);
    }
    /* The kernel caps the backlog at net.core.somaxconn (4096 here); ask for
     * the most so a burst of 1,000 dials is never refused by us. */
    if (listen(lfd, 65535) != 0)
        die("listen");

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1");
    /* The listener and the signalfd are told apart from connections by fd. */
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) != 0)
        die("epoll_ctl listener");
    ev.data.fd = sfd;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev) != 0)
        die("epoll_ctl signalfd");

    printf("listening on %s\n", real);
    fflush(stdout);

    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            uint32_t e = events[i].events;
            if (fd == sfd)
                goto done;
            if (fd == lfd) {
                on_listener(lfd, is_tcp);
            } else if (conns[fd].pend_len > 0) {
                /* Only EPOLLOUT is watched while bytes are owed; EPOLLERR or
                 * EPOLLHUP also land here and make the send fail. */
                on_writable(fd);
            } else if (e & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                /* Errors surface as a failed read, which closes the conn. */
                if (fdrecv_mode)
                    on_fdrecv_readable(fd);
                else
                    on_echo_readable(fd);
            }
        }
    }
done:
    if (!is_tcp)
        unlink(address);
    return 0;
}
