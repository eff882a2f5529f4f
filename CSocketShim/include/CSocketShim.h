// CSocketShim: the few socket facilities Swift cannot import from Glibc.
//
// Why this exists: CMSG_FIRSTHDR, CMSG_NXTHDR, CMSG_DATA, CMSG_LEN, CMSG_SPACE and SUN_LEN are
// function-like macros, which the Clang importer drops; and glibc declares SOCK_STREAM, SOCK_CLOEXEC,
// SHUT_RD, MSG_NOSIGNAL and the EPOLL* flags as enumerators of C enums, so Swift sees them as
// `__socket_type`, `Int` or `EPOLL_EVENTS` values instead of plain `int`; and Glibc's Swift module
// leaves out <sys/epoll.h> and <sys/eventfd.h>, which this header includes. And syscall(2), through
// which the read and write calls below skip glibc's cancellation points, is variadic. This header only
// re-exports them as functions and int constants. It holds no logic: every decision is made in Swift.
#ifndef CSOCKETSHIM_H
#define CSOCKETSHIM_H

#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <unistd.h>

// Ancillary data (cmsg(3)).
struct cmsghdr *CSocketShim_CMSG_FIRSTHDR(const struct msghdr *msg);
struct cmsghdr *CSocketShim_CMSG_NXTHDR(struct msghdr *msg, struct cmsghdr *cmsg);
unsigned char *CSocketShim_CMSG_DATA(struct cmsghdr *cmsg);
size_t CSocketShim_CMSG_LEN(size_t length);
size_t CSocketShim_CMSG_SPACE(size_t length);

// accept4(2) and pipe2(2) are GNU extensions that Glibc's Swift module does not declare.
int CSocketShim_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int CSocketShim_pipe2(int fds[2], int flags);

// read(2), write(2), send(2), recv(2), sendmsg(2) and recvmsg(2) made through syscall(2), which
// is variadic, so Swift cannot call it. glibc's own wrappers are pthread cancellation points:
// each switches the thread to asynchronous cancellation before the call and back after it, two
// atomic updates of the thread's cancel state that cost more than the rest of the wrapper.
// Nothing in Swift cancels threads, and Go's syscall package makes the raw call too. Static
// inline, so the Swift call site compiles down to glibc's syscall(). -1 and errno on failure.
static inline ssize_t CSocketShim_read(int fd, void *buf, size_t count) {
    return syscall(SYS_read, fd, buf, count);
}
static inline ssize_t CSocketShim_write(int fd, const void *buf, size_t count) {
    return syscall(SYS_write, fd, buf, count);
}
static inline ssize_t CSocketShim_send(int fd, const void *buf, size_t count, int flags) {
    return syscall(SYS_sendto, fd, buf, count, flags, NULL, 0);
}
static inline ssize_t CSocketShim_recv(int fd, void *buf, size_t count, int flags) {
    return syscall(SYS_recvfrom, fd, buf, count, flags, NULL, NULL);
}
static inline ssize_t CSocketShim_sendmsg(int fd, const struct msghdr *msg, int flags) {
    return syscall(SYS_sendmsg, fd, msg, flags);
}
static inline ssize_t CSocketShim_recvmsg(int fd, struct msghdr *msg, int flags) {
    return syscall(SYS_recvmsg, fd, msg, flags);
}

// unix(7): the length of a sockaddr_un whose sun_path holds a NUL-terminated path.
size_t CSocketShim_SUN_LEN(const struct sockaddr_un *addr);
// sizeof(((struct sockaddr_un *)0)->sun_path): 108 on Linux.
static const int CSocketShim_SUN_PATH_MAX = (int)sizeof(((struct sockaddr_un *)0)->sun_path);

// socket(2) types and flags, as plain ints.
static const int CSocketShim_SOCK_STREAM = SOCK_STREAM;
static const int CSocketShim_SOCK_DGRAM = SOCK_DGRAM;
static const int CSocketShim_SOCK_RAW = SOCK_RAW;
static const int CSocketShim_SOCK_SEQPACKET = SOCK_SEQPACKET;
static const int CSocketShim_SOCK_NONBLOCK = SOCK_NONBLOCK;
static const int CSocketShim_SOCK_CLOEXEC = SOCK_CLOEXEC;

// shutdown(2).
static const int CSocketShim_SHUT_RD = SHUT_RD;
static const int CSocketShim_SHUT_WR = SHUT_WR;
static const int CSocketShim_SHUT_RDWR = SHUT_RDWR;

// send(2)/recv(2) flags.
static const int CSocketShim_MSG_OOB = MSG_OOB;
static const int CSocketShim_MSG_PEEK = MSG_PEEK;
static const int CSocketShim_MSG_DONTWAIT = MSG_DONTWAIT;
static const int CSocketShim_MSG_WAITALL = MSG_WAITALL;
static const int CSocketShim_MSG_TRUNC = MSG_TRUNC;
static const int CSocketShim_MSG_CTRUNC = MSG_CTRUNC;
static const int CSocketShim_MSG_NOSIGNAL = MSG_NOSIGNAL;
static const int CSocketShim_MSG_CMSG_CLOEXEC = MSG_CMSG_CLOEXEC;

// Control message types and levels.
static const int CSocketShim_SCM_RIGHTS = SCM_RIGHTS;
// Defined in shim.c: glibc declares SCM_CREDENTIALS only under _GNU_SOURCE, which this header
// does not get when Swift imports it.
extern const int CSocketShim_SCM_CREDENTIALS;

// epoll(7) event bits, as plain unsigned ints.
static const unsigned int CSocketShim_EPOLLIN = EPOLLIN;
static const unsigned int CSocketShim_EPOLLOUT = EPOLLOUT;
static const unsigned int CSocketShim_EPOLLPRI = EPOLLPRI;
static const unsigned int CSocketShim_EPOLLERR = EPOLLERR;
static const unsigned int CSocketShim_EPOLLHUP = EPOLLHUP;
static const unsigned int CSocketShim_EPOLLRDHUP = EPOLLRDHUP;
static const unsigned int CSocketShim_EPOLLET = EPOLLET;
static const unsigned int CSocketShim_EPOLLONESHOT = EPOLLONESHOT;
static const int CSocketShim_EPOLL_CLOEXEC = EPOLL_CLOEXEC;
static const int CSocketShim_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
static const int CSocketShim_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
static const int CSocketShim_EPOLL_CTL_DEL = EPOLL_CTL_DEL;
static const int CSocketShim_EFD_CLOEXEC = EFD_CLOEXEC;
static const int CSocketShim_EFD_NONBLOCK = EFD_NONBLOCK;
static const int CSocketShim_EFD_SEMAPHORE = EFD_SEMAPHORE;

#endif
