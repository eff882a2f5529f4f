// Creating, naming and connecting sockets: Go's syscall.Socket, Bind, Listen, Accept4, Connect...
// Each function is one system call with Go's semantics: no flag is added behind the caller's back.

/// Creates a socket and returns its descriptor: Go's `syscall.Socket`.
///
/// The descriptor is blocking and inherited across `exec` unless `type` includes
/// `SOCK_NONBLOCK` or `SOCK_CLOEXEC`; nothing is added for you.
///
/// ```swift
/// let fd = try Syscall.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)
/// defer { try? Syscall.close(fd) }
/// ```
///
/// The corresponding C function is `socket(2)`.
public func socket(_ domain: Int32, _ type: Int32, _ proto: Int32) throws(Errno) -> Int32 {
    try system_socket(domain, type, proto)
}

/// Creates a pair of connected sockets: Go's `syscall.Socketpair`.
///
/// ```swift
/// let (a, b) = try Syscall.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)
/// _ = try Syscall.write(a, Array("ping".utf8))
/// ```
///
/// The corresponding C function is `socketpair(2)`.
public func socketpair(_ domain: Int32, _ type: Int32, _ proto: Int32) throws(Errno) -> (Int32, Int32) {
    try system_socketpair(domain, type, proto)
}

/// Gives a socket its local address: Go's `syscall.Bind`.
///
/// ```swift
/// try Syscall.bind(fd, SockaddrUnix(name: "/tmp/app.sock"))
/// ```
///
/// Throws `EINVAL` before any system call if the address cannot be encoded (see ``Sockaddr/raw()``).
/// The corresponding C function is `bind(2)`.
public func bind(_ fd: Int32, _ sa: any Sockaddr) throws(Errno) {
    try sa.raw().withUnsafeBytes { (p, len) throws(Errno) in try system_bind(fd, p, len) }
}

/// Connects a socket to a remote address: Go's `syscall.Connect`.
///
/// On a non-blocking socket a TCP connect that cannot finish at once throws `EINPROGRESS`;
/// wait for it to become writable and read `SO_ERROR` for the outcome.
///
/// ```swift
/// try Syscall.connect(fd, SockaddrInet4(port: 8080, addr: [127, 0, 0, 1]))
/// ```
///
/// The corresponding C function is `connect(2)`.
public func connect(_ fd: Int32, _ sa: any Sockaddr) throws(Errno) {
    try sa.raw().withUnsafeBytes { (p, len) throws(Errno) in try system_connect(fd, p, len) }
}

/// Marks a socket as accepting connections: Go's `syscall.Listen`.
///
/// The kernel silently caps `backlog` at `/proc/sys/net/core/somaxconn`.
///
/// ```swift
/// try Syscall.listen(fd, 128)
/// ```
///
/// The corresponding C function is `listen(2)`.
public func listen(_ fd: Int32, _ backlog: Int) throws(Errno) {
    try system_listen(fd, Int32(clamping: backlog))
}

/// Accepts a connection and returns its descriptor and the peer's address: Go's `syscall.Accept`.
///
/// The new descriptor is blocking and inherited across `exec`; use ``accept4(_:_:)`` with
/// `SOCK_CLOEXEC` to close the window in which a concurrent `fork`+`exec` could inherit it.
///
/// The corresponding C function is `accept(2)`.
public func accept(_ fd: Int32) throws(Errno) -> (fd: Int32, peer: any Sockaddr) {
    var raw = RawSockaddrAny()
    let nfd = try raw.withUnsafeMutableBytes { (p, len) throws(Errno) in try system_accept(fd, p, len) }
    return try withPeer(nfd, raw)
}

/// Accepts a connection with flags for the new descriptor: Go's `syscall.Accept4`.
///
/// `flags` may hold `SOCK_CLOEXEC` and `SOCK_NONBLOCK`, applied atomically.
///
/// ```swift
/// let (conn, peer) = try Syscall.accept4(listener, SOCK_CLOEXEC)
/// print("connection from \(peer)")
/// ```
///
/// The corresponding C function is `accept4(2)`.
public func accept4(_ fd: Int32, _ flags: Int32) throws(Errno) -> (fd: Int32, peer: any Sockaddr) {
    var raw = RawSockaddrAny()
    let nfd = try accept4(fd, flags, peer: &raw)
    return try withPeer(nfd, raw)
}

/// Accepts a connection and leaves the peer's address as the kernel wrote it, for a caller that
/// reads it itself: ``accept4(_:_:)`` without the `Sockaddr` (whose existential box and the
/// casts to read it back cost more than the rest of an accept's address work).
///
/// `peer` must arrive with its whole capacity as its length, as a fresh `RawSockaddrAny()`
/// has; the kernel sets the length to the address's. Its family is not checked: it may be one
/// that ``anyToSockaddr(_:)`` rejects.
///
/// ```swift
/// var peer = RawSockaddrAny()
/// let conn = try Syscall.accept4(listener, SOCK_CLOEXEC, peer: &peer)
/// if peer.family == AF_UNIX { print(SockaddrUnix(peer)) }
/// ```
///
/// The corresponding C function is `accept4(2)`.
public func accept4(_ fd: Int32, _ flags: Int32, peer: inout RawSockaddrAny) throws(Errno) -> Int32 {
    try peer.withUnsafeMutableBytes { (p, len) throws(Errno) in try system_accept4(fd, p, len, flags) }
}

/// Pairs an accepted fd with its peer address; closes the fd if the address is of an unknown
/// family, as Go does, so an error never leaks a descriptor.
private func withPeer(_ nfd: Int32, _ raw: RawSockaddrAny) throws(Errno) -> (fd: Int32, peer: any Sockaddr) {
    do {
        return (nfd, try anyToSockaddr(raw))
    } catch {
        try? system_close(nfd)
        throw error
    }
}

/// Shuts down part of a full-duplex connection: Go's `syscall.Shutdown`.
///
/// `how` is `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`. `SHUT_WR` sends end-of-stream (FIN) while
/// the other direction stays open. `SHUT_RD` on a listening socket wakes a thread blocked in
/// `accept`, which then fails with `EINVAL`: a clean way to stop an accept loop.
///
/// The corresponding C function is `shutdown(2)`.
public func shutdown(_ fd: Int32, _ how: Int32) throws(Errno) {
    try system_shutdown(fd, how)
}

/// Closes a descriptor: Go's `syscall.Close`.
///
/// Never retried on `EINTR`: on Linux the descriptor is released even then, and a retry could
/// close a descriptor another thread has just received.
///
/// The corresponding C function is `close(2)`.
public func close(_ fd: Int32) throws(Errno) {
    try system_close(fd)
}

/// The local address of a socket: Go's `syscall.Getsockname`.
///
/// ```swift
/// try Syscall.bind(fd, SockaddrInet4(port: 0, addr: [127, 0, 0, 1]))
/// let port = (try Syscall.getsockname(fd) as! SockaddrInet4).port
/// ```
///
/// The corresponding C function is `getsockname(2)`.
public func getsockname(_ fd: Int32) throws(Errno) -> any Sockaddr {
    var raw = RawSockaddrAny()
    try raw.withUnsafeMutableBytes { (p, len) throws(Errno) in try system_getsockname(fd, p, len) }
    return try anyToSockaddr(raw)
}

/// The address of the connected peer: Go's `syscall.Getpeername`.
///
/// Throws `ENOTCONN` on a socket that is not connected.
/// The corresponding C function is `getpeername(2)`.
public func getpeername(_ fd: Int32) throws(Errno) -> any Sockaddr {
    var raw = RawSockaddrAny()
    try raw.withUnsafeMutableBytes { (p, len) throws(Errno) in try system_getpeername(fd, p, len) }
    return try anyToSockaddr(raw)
}
