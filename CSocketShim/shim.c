// Definitions for CSocketShim.h: each line re-exports one macro, nothing more. (The constants are
// static in the header, so the compiler sees their values; SCM_CREDENTIALS needs _GNU_SOURCE.)
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

const int CSocketShim_SCM_CREDENTIALS = SCM_CREDENTIALS;
