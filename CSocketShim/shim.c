// Definitions for CSocketShim.h: each line re-exports one macro or constant, nothing more.
#include "CSocketShim.h"

#include <unistd.h>


struct cmsghdr *CSocketShim_CMSG_FIRSTHDR(const struct msghdr *msg) { return CMSG_FIRSTHDR(msg); }
struct cmsghdr *CSocketShim_CMSG_NXTHDR(struct msghdr *msg, struct cmsghdr *cmsg) { return CMSG_NXTHDR(msg, cmsg); }
unsigned char *CSocketShim_CMSG_DATA(struct cmsghdr *cmsg) { return CMSG_DATA(cmsg); }
size_t CSocketShim_CMSG_LEN(size_t length) { return CMSG_LEN(length); }
size_t CSocketShim_CMSG_SPACE(size_t length) { return CMSG_SPACE(length); }

int CSocketShim_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) { return accept4(fd, addr, len, flags); }
int CSocketShim_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

size_t CSocketShim_SUN_LEN(const struct sockaddr_un *addr) { return SUN_LEN(addr); }
const int CSocketShim_SUN_PATH_MAX = (int)sizeof(((struct sockaddr_un *)0)->sun_path);

const int CSocketShim_SOCK_STREAM = SOCK_STREAM;
const int CSocketShim_SOCK_DGRAM = SOCK_DGRAM;
const int CSocketShim_SOCK_RAW = SOCK_RAW;
const int CSocketShim_SOCK_SEQPACKET = SOCK_SEQPACKET;
const int CSocketShim_SOCK_NONBLOCK = SOCK_NONBLOCK;
const int CSocketShim_SOCK_CLOEXEC = SOCK_CLOEXEC;

const int CSocketShim_SHUT_RD = SHUT_RD;
const int CSocketShim_SHUT_WR = SHUT_WR;
const int CSocketShim_SHUT_RDWR = SHUT_RDWR;

const int CSocketShim_MSG_OOB = MSG_OOB;
const int CSocketShim_MSG_PEEK = MSG_PEEK;
const int CSocketShim_MSG_DONTWAIT = MSG_DONTWAIT;
const int CSocketShim_MSG_WAITALL = MSG_WAITALL;
const int CSocketShim_MSG_TRUNC = MSG_TRUNC;
const int CSocketShim_MSG_CTRUNC = MSG_CTRUNC;
const int CSocketShim_MSG_NOSIGNAL = MSG_NOSIGNAL;
const int CSocketShim_MSG_CMSG_CLOEXEC = MSG_CMSG_CLOEXEC;

const int CSocketShim_SCM_RIGHTS = SCM_RIGHTS;
const int CSocketShim_SCM_CREDENTIALS = SCM_CREDENTIALS;

const unsigned int CSocketShim_EPOLLIN = EPOLLIN;
const unsigned int CSocketShim_EPOLLOUT = EPOLLOUT;
const unsigned int CSocketShim_EPOLLPRI = EPOLLPRI;
const unsigned int CSocketShim_EPOLLERR = EPOLLERR;
const unsigned int CSocketShim_EPOLLHUP = EPOLLHUP;
const unsigned int CSocketShim_EPOLLRDHUP = EPOLLRDHUP;
const unsigned int CSocketShim_EPOLLET = EPOLLET;
const unsigned int CSocketShim_EPOLLONESHOT = EPOLLONESHOT;
const int CSocketShim_EPOLL_CLOEXEC = EPOLL_CLOEXEC;
const int CSocketShim_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
const int CSocketShim_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
const int CSocketShim_EPOLL_CTL_DEL = EPOLL_CTL_DEL;
const int CSocketShim_EFD_CLOEXEC = EFD_CLOEXEC;
const int CSocketShim_EFD_NONBLOCK = EFD_NONBLOCK;
const int CSocketShim_EFD_SEMAPHORE = EFD_SEMAPHORE;
