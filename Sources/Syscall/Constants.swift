// Socket constants as plain `Int32` (epoll bits as `UInt32`), under their C names, as Go's
// `syscall` exports them. Glibc imports some of these as C enum values (`__socket_type`,
// `EPOLL_EVENTS`) or as `Int`; CSocketShim re-exports those as plain ints, and this file
// gives every one a single Swift type so `Syscall.socket(AF_UNIX, SOCK_STREAM, 0)` just works.
import CSocketShim
import Glibc

// Address families.
public let AF_UNSPEC = Int32(Glibc.AF_UNSPEC)
public let AF_UNIX = Int32(Glibc.AF_UNIX)
public let AF_INET = Int32(Glibc.AF_INET)
public let AF_INET6 = Int32(Glibc.AF_INET6)

// Socket types and socket(2)/accept4(2) flags.
public let SOCK_STREAM = CSocketShim_SOCK_STREAM
public let SOCK_DGRAM = CSocketShim_SOCK_DGRAM
public let SOCK_RAW = CSocketShim_SOCK_RAW
public let SOCK_SEQPACKET = CSocketShim_SOCK_SEQPACKET
public let SOCK_NONBLOCK = CSocketShim_SOCK_NONBLOCK
public let SOCK_CLOEXEC = CSocketShim_SOCK_CLOEXEC

// Protocols.
public let IPPROTO_IP = Int32(Glibc.IPPROTO_IP)
public let IPPROTO_IPV6 = Int32(Glibc.IPPROTO_IPV6)
public let IPPROTO_TCP = Int32(Glibc.IPPROTO_TCP)
public let IPPROTO_UDP = Int32(Glibc.IPPROTO_UDP)
public let IPPROTO_ICMP = Int32(Glibc.IPPROTO_ICMP)
public let IPPROTO_ICMPV6 = Int32(Glibc.IPPROTO_ICMPV6)

// Socket-level options (socket(7)).
public let SOL_SOCKET = Int32(Glibc.SOL_SOCKET)
public let SO_ACCEPTCONN = Int32(Glibc.SO_ACCEPTCONN)
public let SO_BROADCAST = Int32(Glibc.SO_BROADCAST)
public let SO_DOMAIN = Int32(Glibc.SO_DOMAIN)
public let SO_ERROR = Int32(Glibc.SO_ERROR)
public let SO_KEEPALIVE = Int32(Glibc.SO_KEEPALIVE)
public let SO_LINGER = Int32(Glibc.SO_LINGER)
public let SO_PASSCRED = Int32(Glibc.SO_PASSCRED)
public let SO_PEERCRED = Int32(Glibc.SO_PEERCRED)
public let SO_PROTOCOL = Int32(Glibc.SO_PROTOCOL)
public let SO_RCVBUF = Int32(Glibc.SO_RCVBUF)
public let SO_RCVTIMEO = Int32(Glibc.SO_RCVTIMEO)
public let SO_REUSEADDR = Int32(Glibc.SO_REUSEADDR)
public let SO_REUSEPORT = Int32(Glibc.SO_REUSEPORT)
public let SO_SNDBUF = Int32(Glibc.SO_SNDBUF)
public let SO_SNDTIMEO = Int32(Glibc.SO_SNDTIMEO)
public let SO_TYPE = Int32(Glibc.SO_TYPE)

// TCP and IP options (tcp(7), ipv6(7)).
public let TCP_NODELAY = Int32(Glibc.TCP_NODELAY)
public let TCP_KEEPIDLE = Int32(Glibc.TCP_KEEPIDLE)
public let TCP_KEEPINTVL = Int32(Glibc.TCP_KEEPINTVL)
public let TCP_KEEPCNT = Int32(Glibc.TCP_KEEPCNT)
public let IPV6_V6ONLY = Int32(Glibc.IPV6_V6ONLY)

// shutdown(2).
public let SHUT_RD = CSocketShim_SHUT_RD
public let SHUT_WR = CSocketShim_SHUT_WR
public let SHUT_RDWR = CSocketShim_SHUT_RDWR

// send(2)/recv(2)/recvmsg(2) flags.
public let MSG_OOB = CSocketShim_MSG_OOB
public let MSG_PEEK = CSocketShim_MSG_PEEK
public let MSG_DONTWAIT = CSocketShim_MSG_DONTWAIT
public let MSG_WAITALL = CSocketShim_MSG_WAITALL
public let MSG_TRUNC = CSocketShim_MSG_TRUNC
public let MSG_CTRUNC = CSocketShim_MSG_CTRUNC
public let MSG_NOSIGNAL = CSocketShim_MSG_NOSIGNAL
public let MSG_CMSG_CLOEXEC = CSocketShim_MSG_CMSG_CLOEXEC

// Control message types (unix(7)).
public let SCM_RIGHTS = CSocketShim_SCM_RIGHTS
public let SCM_CREDENTIALS = CSocketShim_SCM_CREDENTIALS

// fcntl(2) and open(2).
public let F_GETFD = Int32(Glibc.F_GETFD)
public let F_SETFD = Int32(Glibc.F_SETFD)
public let F_GETFL = Int32(Glibc.F_GETFL)
public let F_SETFL = Int32(Glibc.F_SETFL)
public let F_DUPFD_CLOEXEC = Int32(Glibc.F_DUPFD_CLOEXEC)
public let FD_CLOEXEC = Int32(Glibc.FD_CLOEXEC)
public let O_RDONLY = Int32(Glibc.O_RDONLY)
public let O_WRONLY = Int32(Glibc.O_WRONLY)
public let O_RDWR = Int32(Glibc.O_RDWR)
public let O_CREAT = Int32(Glibc.O_CREAT)
public let O_TRUNC = Int32(Glibc.O_TRUNC)
public let O_APPEND = Int32(Glibc.O_APPEND)
public let O_NONBLOCK = Int32(Glibc.O_NONBLOCK)
public let O_CLOEXEC = Int32(Glibc.O_CLOEXEC)
public let SEEK_SET = Int32(Glibc.SEEK_SET)
public let SEEK_CUR = Int32(Glibc.SEEK_CUR)
public let SEEK_END = Int32(Glibc.SEEK_END)

// epoll(7) and eventfd(2).
public let EPOLLIN = CSocketShim_EPOLLIN
public let EPOLLOUT = CSocketShim_EPOLLOUT
public let EPOLLPRI = CSocketShim_EPOLLPRI
public let EPOLLERR = CSocketShim_EPOLLERR
public let EPOLLHUP = CSocketShim_EPOLLHUP
public let EPOLLRDHUP = CSocketShim_EPOLLRDHUP
public let EPOLLET = CSocketShim_EPOLLET
public let EPOLLONESHOT = CSocketShim_EPOLLONESHOT
public let EPOLL_CLOEXEC = CSocketShim_EPOLL_CLOEXEC
public let EPOLL_CTL_ADD = CSocketShim_EPOLL_CTL_ADD
public let EPOLL_CTL_MOD = CSocketShim_EPOLL_CTL_MOD
public let EPOLL_CTL_DEL = CSocketShim_EPOLL_CTL_DEL
public let EFD_CLOEXEC = CSocketShim_EFD_CLOEXEC
public let EFD_NONBLOCK = CSocketShim_EFD_NONBLOCK
public let EFD_SEMAPHORE = CSocketShim_EFD_SEMAPHORE

/// The size of `sun_path` in `struct sockaddr_un`: 108 on Linux. A path needs one byte for its
/// terminating NUL; an abstract name (`@name`) may use all of it.
public let sunPathMax = Int(CSocketShim_SUN_PATH_MAX)
