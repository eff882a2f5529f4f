// Socket constants as plain `Int32` (epoll bits as `UInt32`), under their C names, as Go's
// `syscall` exports them. Glibc imports some of these as C enum values (`__socket_type`,
// `EPOLL_EVENTS`) or as `Int`; CSocketShim re-exports those as plain ints, and this file
// gives every one a single Swift type so `Syscall.socket(AF_UNIX, SOCK_STREAM, 0)` just works.
//
// Computed and `@inlinable`, not stored: a public stored global is initialised lazily, so every
// use from another module would call its addressor and pass a `swift_once` check (six of them
// in the poller's event dispatch, one in every send). Inlined, each is a literal at its use.
public import CSocketShim   // public: the @inlinable constants below name its values
public import Glibc

// Address families.
@inlinable public var AF_UNSPEC: Int32 { Int32(Glibc.AF_UNSPEC) }
@inlinable public var AF_UNIX: Int32 { Int32(Glibc.AF_UNIX) }
@inlinable public var AF_INET: Int32 { Int32(Glibc.AF_INET) }
@inlinable public var AF_INET6: Int32 { Int32(Glibc.AF_INET6) }

// Socket types and socket(2)/accept4(2) flags.
@inlinable public var SOCK_STREAM: Int32 { CSocketShim_SOCK_STREAM }
@inlinable public var SOCK_DGRAM: Int32 { CSocketShim_SOCK_DGRAM }
@inlinable public var SOCK_RAW: Int32 { CSocketShim_SOCK_RAW }
@inlinable public var SOCK_SEQPACKET: Int32 { CSocketShim_SOCK_SEQPACKET }
@inlinable public var SOCK_NONBLOCK: Int32 { CSocketShim_SOCK_NONBLOCK }
@inlinable public var SOCK_CLOEXEC: Int32 { CSocketShim_SOCK_CLOEXEC }

// Protocols.
@inlinable public var IPPROTO_IP: Int32 { Int32(Glibc.IPPROTO_IP) }
@inlinable public var IPPROTO_IPV6: Int32 { Int32(Glibc.IPPROTO_IPV6) }
@inlinable public var IPPROTO_TCP: Int32 { Int32(Glibc.IPPROTO_TCP) }
@inlinable public var IPPROTO_UDP: Int32 { Int32(Glibc.IPPROTO_UDP) }
@inlinable public var IPPROTO_ICMP: Int32 { Int32(Glibc.IPPROTO_ICMP) }
@inlinable public var IPPROTO_ICMPV6: Int32 { Int32(Glibc.IPPROTO_ICMPV6) }

// Socket-level options (socket(7)).
@inlinable public var SOL_SOCKET: Int32 { Int32(Glibc.SOL_SOCKET) }
@inlinable public var SO_ACCEPTCONN: Int32 { Int32(Glibc.SO_ACCEPTCONN) }
@inlinable public var SO_BROADCAST: Int32 { Int32(Glibc.SO_BROADCAST) }
@inlinable public var SO_DOMAIN: Int32 { Int32(Glibc.SO_DOMAIN) }
@inlinable public var SO_ERROR: Int32 { Int32(Glibc.SO_ERROR) }
@inlinable public var SO_KEEPALIVE: Int32 { Int32(Glibc.SO_KEEPALIVE) }
@inlinable public var SO_LINGER: Int32 { Int32(Glibc.SO_LINGER) }
@inlinable public var SO_PASSCRED: Int32 { Int32(Glibc.SO_PASSCRED) }
@inlinable public var SO_PEERCRED: Int32 { Int32(Glibc.SO_PEERCRED) }
@inlinable public var SO_PROTOCOL: Int32 { Int32(Glibc.SO_PROTOCOL) }
@inlinable public var SO_RCVBUF: Int32 { Int32(Glibc.SO_RCVBUF) }
@inlinable public var SO_RCVTIMEO: Int32 { Int32(Glibc.SO_RCVTIMEO) }
@inlinable public var SO_REUSEADDR: Int32 { Int32(Glibc.SO_REUSEADDR) }
@inlinable public var SO_REUSEPORT: Int32 { Int32(Glibc.SO_REUSEPORT) }
@inlinable public var SO_SNDBUF: Int32 { Int32(Glibc.SO_SNDBUF) }
@inlinable public var SO_SNDTIMEO: Int32 { Int32(Glibc.SO_SNDTIMEO) }
@inlinable public var SO_TYPE: Int32 { Int32(Glibc.SO_TYPE) }

// TCP and IP options (tcp(7), ipv6(7)).
@inlinable public var TCP_NODELAY: Int32 { Int32(Glibc.TCP_NODELAY) }
@inlinable public var TCP_KEEPIDLE: Int32 { Int32(Glibc.TCP_KEEPIDLE) }
@inlinable public var TCP_KEEPINTVL: Int32 { Int32(Glibc.TCP_KEEPINTVL) }
@inlinable public var TCP_KEEPCNT: Int32 { Int32(Glibc.TCP_KEEPCNT) }
@inlinable public var IPV6_V6ONLY: Int32 { Int32(Glibc.IPV6_V6ONLY) }

// shutdown(2).
@inlinable public var SHUT_RD: Int32 { CSocketShim_SHUT_RD }
@inlinable public var SHUT_WR: Int32 { CSocketShim_SHUT_WR }
@inlinable public var SHUT_RDWR: Int32 { CSocketShim_SHUT_RDWR }

// send(2)/recv(2)/recvmsg(2) flags.
@inlinable public var MSG_OOB: Int32 { CSocketShim_MSG_OOB }
@inlinable public var MSG_PEEK: Int32 { CSocketShim_MSG_PEEK }
@inlinable public var MSG_DONTWAIT: Int32 { CSocketShim_MSG_DONTWAIT }
@inlinable public var MSG_WAITALL: Int32 { CSocketShim_MSG_WAITALL }
@inlinable public var MSG_TRUNC: Int32 { CSocketShim_MSG_TRUNC }
@inlinable public var MSG_CTRUNC: Int32 { CSocketShim_MSG_CTRUNC }
@inlinable public var MSG_NOSIGNAL: Int32 { CSocketShim_MSG_NOSIGNAL }
@inlinable public var MSG_CMSG_CLOEXEC: Int32 { CSocketShim_MSG_CMSG_CLOEXEC }

// Control message types (unix(7)).
@inlinable public var SCM_RIGHTS: Int32 { CSocketShim_SCM_RIGHTS }
public var SCM_CREDENTIALS: Int32 { CSocketShim_SCM_CREDENTIALS }

// fcntl(2) and open(2).
@inlinable public var F_GETFD: Int32 { Int32(Glibc.F_GETFD) }
@inlinable public var F_SETFD: Int32 { Int32(Glibc.F_SETFD) }
@inlinable public var F_GETFL: Int32 { Int32(Glibc.F_GETFL) }
@inlinable public var F_SETFL: Int32 { Int32(Glibc.F_SETFL) }
@inlinable public var F_DUPFD_CLOEXEC: Int32 { Int32(Glibc.F_DUPFD_CLOEXEC) }
@inlinable public var FD_CLOEXEC: Int32 { Int32(Glibc.FD_CLOEXEC) }
@inlinable public var O_RDONLY: Int32 { Int32(Glibc.O_RDONLY) }
@inlinable public var O_WRONLY: Int32 { Int32(Glibc.O_WRONLY) }
@inlinable public var O_RDWR: Int32 { Int32(Glibc.O_RDWR) }
@inlinable public var O_CREAT: Int32 { Int32(Glibc.O_CREAT) }
@inlinable public var O_TRUNC: Int32 { Int32(Glibc.O_TRUNC) }
@inlinable public var O_APPEND: Int32 { Int32(Glibc.O_APPEND) }
@inlinable public var O_NONBLOCK: Int32 { Int32(Glibc.O_NONBLOCK) }
@inlinable public var O_CLOEXEC: Int32 { Int32(Glibc.O_CLOEXEC) }
@inlinable public var SEEK_SET: Int32 { Int32(Glibc.SEEK_SET) }
@inlinable public var SEEK_CUR: Int32 { Int32(Glibc.SEEK_CUR) }
@inlinable public var SEEK_END: Int32 { Int32(Glibc.SEEK_END) }

// getrlimit(2) and setrlimit(2).
@inlinable public var RLIMIT_NOFILE: Int32 { Int32(Glibc.RLIMIT_NOFILE.rawValue) }
/// No limit: a limit's value when it is unlimited.
@inlinable public var RLIM_INFINITY: UInt64 { UInt64.max }

// epoll(7) and eventfd(2).
@inlinable public var EPOLLIN: UInt32 { CSocketShim_EPOLLIN }
@inlinable public var EPOLLOUT: UInt32 { CSocketShim_EPOLLOUT }
@inlinable public var EPOLLPRI: UInt32 { CSocketShim_EPOLLPRI }
@inlinable public var EPOLLERR: UInt32 { CSocketShim_EPOLLERR }
@inlinable public var EPOLLHUP: UInt32 { CSocketShim_EPOLLHUP }
@inlinable public var EPOLLRDHUP: UInt32 { CSocketShim_EPOLLRDHUP }
@inlinable public var EPOLLET: UInt32 { CSocketShim_EPOLLET }
@inlinable public var EPOLLONESHOT: UInt32 { CSocketShim_EPOLLONESHOT }
@inlinable public var EPOLL_CLOEXEC: Int32 { CSocketShim_EPOLL_CLOEXEC }
@inlinable public var EPOLL_CTL_ADD: Int32 { CSocketShim_EPOLL_CTL_ADD }
@inlinable public var EPOLL_CTL_MOD: Int32 { CSocketShim_EPOLL_CTL_MOD }
@inlinable public var EPOLL_CTL_DEL: Int32 { CSocketShim_EPOLL_CTL_DEL }
@inlinable public var EFD_CLOEXEC: Int32 { CSocketShim_EFD_CLOEXEC }
@inlinable public var EFD_NONBLOCK: Int32 { CSocketShim_EFD_NONBLOCK }
@inlinable public var EFD_SEMAPHORE: Int32 { CSocketShim_EFD_SEMAPHORE }

/// The size of `sun_path` in `struct sockaddr_un`: 108 on Linux. A path needs one byte for its
/// terminating NUL; an abstract name (`@name`) may use all of it.
@inlinable public var sunPathMax: Int { Int(CSocketShim_SUN_PATH_MAX) }
