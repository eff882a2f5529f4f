import Glibc

/// An error number returned by a system call: Go's `syscall.Errno`.
///
/// Every function in `Syscall` throws exactly this type. Its description is Go's own lower-case
/// text for Linux, not `strerror(3)`, so an error printed by SwiftNet reads as Go prints it:
///
/// ```swift
/// do {
///     try Syscall.connect(fd, SockaddrUnix(name: "/no/such.sock"))
/// } catch {
///     print(error)              // no such file or directory
///     print(error == .ENOENT)   // true
/// }
/// ```
///
/// `timeout` and `temporary` classify the error as Go's `Errno.Timeout()` and `Temporary()` do.
public struct Errno: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw error number, as in `errno(3)`.
    public let rawValue: Int32

    /// Wraps a raw error number.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Go's text for this error: `"connection refused"`, or `"errno N"` for numbers Go does not name.
    public var description: String {
        let index = Int(rawValue)
        if index > 0 && index < goErrnoTexts.count { return goErrnoTexts[index] }
        return "errno \(rawValue)"
    }

    /// Whether this error means an operation timed out: EAGAIN, EWOULDBLOCK and ETIMEDOUT, as in Go.
    public var timeout: Bool {
        self == .EAGAIN || self == .EWOULDBLOCK || self == .ETIMEDOUT
    }

    /// Whether retrying may succeed: EINTR, EMFILE, ENFILE and every timeout, as Go's
    /// `Errno.Temporary()` says (Go 1.19's table: errno 4, 11, 23, 24 and 110).
    public var temporary: Bool {
        self == .EINTR || self == .EMFILE || self == .ENFILE || timeout
    }

    /// The calling thread's current `errno`.
    static var current: Errno { Errno(rawValue: errno) }
}

// The errors a socket program meets, under their C names (Go's `syscall.EAGAIN` and so on).
// Computed, not stored: a stored static is initialised lazily, so every use would pay a
// `swift_once` check, and EAGAIN is compared after every read that finds no data.
extension Errno {
    public static var EPERM: Errno { Errno(rawValue: Glibc.EPERM) }
    public static var ENOENT: Errno { Errno(rawValue: Glibc.ENOENT) }
    public static var EINTR: Errno { Errno(rawValue: Glibc.EINTR) }
    public static var EIO: Errno { Errno(rawValue: Glibc.EIO) }
    public static var EBADF: Errno { Errno(rawValue: Glibc.EBADF) }
    public static var EAGAIN: Errno { Errno(rawValue: Glibc.EAGAIN) }
    /// The same number as `EAGAIN` on Linux.
    public static var EWOULDBLOCK: Errno { Errno(rawValue: Glibc.EWOULDBLOCK) }
    public static var ENOMEM: Errno { Errno(rawValue: Glibc.ENOMEM) }
    public static var EACCES: Errno { Errno(rawValue: Glibc.EACCES) }
    public static var EFAULT: Errno { Errno(rawValue: Glibc.EFAULT) }
    public static var EEXIST: Errno { Errno(rawValue: Glibc.EEXIST) }
    public static var ENOTDIR: Errno { Errno(rawValue: Glibc.ENOTDIR) }
    public static var EISDIR: Errno { Errno(rawValue: Glibc.EISDIR) }
    public static var EINVAL: Errno { Errno(rawValue: Glibc.EINVAL) }
    public static var ENFILE: Errno { Errno(rawValue: Glibc.ENFILE) }
    public static var EMFILE: Errno { Errno(rawValue: Glibc.EMFILE) }
    public static var ENOSPC: Errno { Errno(rawValue: Glibc.ENOSPC) }
    public static var EPIPE: Errno { Errno(rawValue: Glibc.EPIPE) }
    public static var ENAMETOOLONG: Errno { Errno(rawValue: Glibc.ENAMETOOLONG) }
    public static var ENOSYS: Errno { Errno(rawValue: Glibc.ENOSYS) }
    public static var ENOTSOCK: Errno { Errno(rawValue: Glibc.ENOTSOCK) }
    public static var EDESTADDRREQ: Errno { Errno(rawValue: Glibc.EDESTADDRREQ) }
    public static var EMSGSIZE: Errno { Errno(rawValue: Glibc.EMSGSIZE) }
    public static var EPROTOTYPE: Errno { Errno(rawValue: Glibc.EPROTOTYPE) }
    public static var ENOPROTOOPT: Errno { Errno(rawValue: Glibc.ENOPROTOOPT) }
    public static var EPROTONOSUPPORT: Errno { Errno(rawValue: Glibc.EPROTONOSUPPORT) }
    public static var ESOCKTNOSUPPORT: Errno { Errno(rawValue: Glibc.ESOCKTNOSUPPORT) }
    public static var EOPNOTSUPP: Errno { Errno(rawValue: Glibc.EOPNOTSUPP) }
    public static var EAFNOSUPPORT: Errno { Errno(rawValue: Glibc.EAFNOSUPPORT) }
    public static var EADDRINUSE: Errno { Errno(rawValue: Glibc.EADDRINUSE) }
    public static var EADDRNOTAVAIL: Errno { Errno(rawValue: Glibc.EADDRNOTAVAIL) }
    public static var ENETDOWN: Errno { Errno(rawValue: Glibc.ENETDOWN) }
    public static var ENETUNREACH: Errno { Errno(rawValue: Glibc.ENETUNREACH) }
    public static var ECONNABORTED: Errno { Errno(rawValue: Glibc.ECONNABORTED) }
    public static var ECONNRESET: Errno { Errno(rawValue: Glibc.ECONNRESET) }
    public static var ENOBUFS: Errno { Errno(rawValue: Glibc.ENOBUFS) }
    public static var EISCONN: Errno { Errno(rawValue: Glibc.EISCONN) }
    public static var ENOTCONN: Errno { Errno(rawValue: Glibc.ENOTCONN) }
    public static var ETIMEDOUT: Errno { Errno(rawValue: Glibc.ETIMEDOUT) }
    public static var ECONNREFUSED: Errno { Errno(rawValue: Glibc.ECONNREFUSED) }
    public static var EHOSTUNREACH: Errno { Errno(rawValue: Glibc.EHOSTUNREACH) }
    public static var EALREADY: Errno { Errno(rawValue: Glibc.EALREADY) }
    public static var EINPROGRESS: Errno { Errno(rawValue: Glibc.EINPROGRESS) }
}
