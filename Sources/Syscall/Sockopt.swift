// Socket options: Go's syscall.SetsockoptInt, GetsockoptInt, SetsockoptLinger,
// SetsockoptTimeval and GetsockoptUcred.

/// Sets an integer socket option: Go's `syscall.SetsockoptInt`.
///
/// ```swift
/// try Syscall.setsockoptInt(fd, SOL_SOCKET, SO_REUSEADDR, 1)
/// try Syscall.setsockoptInt(fd, IPPROTO_TCP, TCP_NODELAY, 1)
/// ```
///
/// The corresponding C function is `setsockopt(2)` with an `int` value.
public func setsockoptInt(_ fd: Int32, _ level: Int32, _ opt: Int32, _ value: Int) throws(Errno) {
    var v = Int32(truncatingIfNeeded: value)
    try withUnsafeBytes(of: &v) { (p) throws(Errno) in
        try system_setsockopt(fd, level, opt, p.baseAddress!, UInt32(p.count))
    }
}

/// Reads an integer socket option: Go's `syscall.GetsockoptInt`.
///
/// ```swift
/// let type = try Syscall.getsockoptInt(fd, SOL_SOCKET, SO_TYPE)   // SOCK_STREAM
/// let pending = try Syscall.getsockoptInt(fd, SOL_SOCKET, SO_ERROR)   // a connect's outcome
/// ```
///
/// The corresponding C function is `getsockopt(2)` with an `int` value.
public func getsockoptInt(_ fd: Int32, _ level: Int32, _ opt: Int32) throws(Errno) -> Int {
    var v: Int32 = 0
    try getsockopt(fd, level, opt, &v)
    return Int(v)
}

/// `struct linger` for `SO_LINGER`: Go's `syscall.Linger`.
public struct Linger: Sendable, Hashable {
    /// Nonzero to linger on close.
    public var onoff: Int32
    /// How long to linger, in seconds. With `onoff` set and 0 here, close sends a reset (RST).
    public var linger: Int32

    /// A linger setting.
    public init(onoff: Int32, linger: Int32) {
        self.onoff = onoff
        self.linger = linger
    }
}

/// Sets `SO_LINGER`: Go's `syscall.SetsockoptLinger`.
///
/// ```swift
/// // Reset the connection on close instead of the orderly FIN handshake.
/// try Syscall.setsockoptLinger(fd, SOL_SOCKET, SO_LINGER, Linger(onoff: 1, linger: 0))
/// ```
///
/// The corresponding C function is `setsockopt(2)` with a `struct linger`.
public func setsockoptLinger(_ fd: Int32, _ level: Int32, _ opt: Int32, _ l: Linger) throws(Errno) {
    var v = l
    try withUnsafeBytes(of: &v) { (p) throws(Errno) in
        try system_setsockopt(fd, level, opt, p.baseAddress!, UInt32(p.count))
    }
}

/// Reads `SO_LINGER`.
///
/// The corresponding C function is `getsockopt(2)` with a `struct linger`.
public func getsockoptLinger(_ fd: Int32, _ level: Int32, _ opt: Int32) throws(Errno) -> Linger {
    var v = Linger(onoff: 0, linger: 0)
    try getsockopt(fd, level, opt, &v)
    return v
}

/// `struct timeval` for `SO_RCVTIMEO` and `SO_SNDTIMEO`: Go's `syscall.Timeval`.
public struct Timeval: Sendable, Hashable {
    /// Whole seconds.
    public var sec: Int
    /// Microseconds, 0 to 999,999.
    public var usec: Int

    /// A time interval.
    public init(sec: Int, usec: Int) {
        self.sec = sec
        self.usec = usec
    }
}

/// Sets a `struct timeval` option: Go's `syscall.SetsockoptTimeval`.
///
/// ```swift
/// // A blocking read gives up with EAGAIN after 2.5 s.
/// try Syscall.setsockoptTimeval(fd, SOL_SOCKET, SO_RCVTIMEO, Timeval(sec: 2, usec: 500_000))
/// ```
///
/// The corresponding C function is `setsockopt(2)` with a `struct timeval`.
public func setsockoptTimeval(_ fd: Int32, _ level: Int32, _ opt: Int32, _ tv: Timeval) throws(Errno) {
    var v = tv
    try withUnsafeBytes(of: &v) { (p) throws(Errno) in
        try system_setsockopt(fd, level, opt, p.baseAddress!, UInt32(p.count))
    }
}

/// Reads a `struct timeval` option.
///
/// The corresponding C function is `getsockopt(2)` with a `struct timeval`.
public func getsockoptTimeval(_ fd: Int32, _ level: Int32, _ opt: Int32) throws(Errno) -> Timeval {
    var v = Timeval(sec: 0, usec: 0)
    try getsockopt(fd, level, opt, &v)
    return v
}

/// `struct ucred`: a process's credentials, as `SO_PEERCRED` and `SCM_CREDENTIALS` carry them.
/// Go's `syscall.Ucred`.
public struct Ucred: Sendable, Hashable {
    /// Process id.
    public var pid: Int32
    /// User id.
    public var uid: UInt32
    /// Group id.
    public var gid: UInt32

    /// Credentials.
    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

/// Reads a `struct ucred` option: Go's `syscall.GetsockoptUcred`.
///
/// On a connected unix socket, `SO_PEERCRED` tells who is on the other end, as the kernel
/// recorded it at `connect` (or `socketpair`) time; the peer cannot forge it.
///
/// ```swift
/// let peer = try Syscall.getsockoptUcred(conn, SOL_SOCKET, SO_PEERCRED)
/// guard peer.uid == 0 else { /* refuse */ }
/// ```
///
/// The corresponding C function is `getsockopt(2)` with a `struct ucred`.
public func getsockoptUcred(_ fd: Int32, _ level: Int32, _ opt: Int32) throws(Errno) -> Ucred {
    var v = Ucred(pid: 0, uid: 0, gid: 0)
    try getsockopt(fd, level, opt, &v)
    return v
}

/// getsockopt(2) into a plain C-layout value; the kernel's length must be the value's size.
private func getsockopt<T>(_ fd: Int32, _ level: Int32, _ opt: Int32, _ value: inout T) throws(Errno) {
    var len = UInt32(MemoryLayout<T>.size)
    try withUnsafeMutableBytes(of: &value) { (p) throws(Errno) in
        try system_getsockopt(fd, level, opt, p.baseAddress!, &len)
    }
}
