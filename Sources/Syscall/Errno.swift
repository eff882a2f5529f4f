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
extension Errno {
    public static let EPERM = Errno(rawValue: Glibc.EPERM)
    public static let ENOENT = Errno(rawValue: Glibc.ENOENT)
    public static let EINTR = Errno(rawValue: Glibc.EINTR)
    public static let EIO = Errno(rawValue: Glibc.EIO)
    public static let EBADF = Errno(rawValue: Glibc.EBADF)
    public static let EAGAIN = Errno(rawValue: Glibc.EAGAIN)
    /// The same number as `EAGAIN` on Linux.
    public static let EWOULDBLOCK = Errno(rawValue: Glibc.EWOULDBLOCK)
    public static let ENOMEM = Errno(rawValue: Glibc.ENOMEM)
    public static let EACCES = Errno(rawValue: Glibc.EACCES)
    public static let EFAULT = Errno(rawValue: Glibc.EFAULT)
    public static let EEXIST = Errno(rawValue: Glibc.EEXIST)
    public static let ENOTDIR = Errno(rawValue: Glibc.ENOTDIR)
    public static let EISDIR = Errno(rawValue: Glibc.EISDIR)
    public static let EINVAL = Errno(rawValue: Glibc.EINVAL)
    public static let ENFILE = Errno(rawValue: Glibc.ENFILE)
    public static let EMFILE = Errno(rawValue: Glibc.EMFILE)
    public static let ENOSPC = Errno(rawValue: Glibc.ENOSPC)
    public static let EPIPE = Errno(rawValue: Glibc.EPIPE)
    public static let ENAMETOOLONG = Errno(rawValue: Glibc.ENAMETOOLONG)
    public static let ENOSYS = Errno(rawValue: Glibc.ENOSYS)
    public static let ENOTSOCK = Errno(rawValue: Glibc.ENOTSOCK)
    public static let EDESTADDRREQ = Errno(rawValue: Glibc.EDESTADDRREQ)
    public static let EMSGSIZE = Errno(rawValue: Glibc.EMSGSIZE)
    public static let EPROTOTYPE = Errno(rawValue: Glibc.EPROTOTYPE)
    public static let ENOPROTOOPT = Errno(rawValue: Glibc.ENOPROTOOPT)
    public static let EPROTONOSUPPORT = Errno(rawValue: Glibc.EPROTONOSUPPORT)
    public static let ESOCKTNOSUPPORT = Errno(rawValue: Glibc.ESOCKTNOSUPPORT)
    public static let EOPNOTSUPP = Errno(rawValue: Glibc.EOPNOTSUPP)
    public static let EAFNOSUPPORT = Errno(rawValue: Glibc.EAFNOSUPPORT)
    public static let EADDRINUSE = Errno(rawValue: Glibc.EADDRINUSE)
    public static let EADDRNOTAVAIL = Errno(rawValue: Glibc.EADDRNOTAVAIL)
    public static let ENETDOWN = Errno(rawValue: Glibc.ENETDOWN)
    public static let ENETUNREACH = Errno(rawValue: Glibc.ENETUNREACH)
    public static let ECONNABORTED = Errno(rawValue: Glibc.ECONNABORTED)
    public static let ECONNRESET = Errno(rawValue: Glibc.ECONNRESET)
    public static let ENOBUFS = Errno(rawValue: Glibc.ENOBUFS)
    public static let EISCONN = Errno(rawValue: Glibc.EISCONN)
    public static let ENOTCONN = Errno(rawValue: Glibc.ENOTCONN)
    public static let ETIMEDOUT = Errno(rawValue: Glibc.ETIMEDOUT)
    public static let ECONNREFUSED = Errno(rawValue: Glibc.ECONNREFUSED)
    public static let EHOSTUNREACH = Errno(rawValue: Glibc.EHOSTUNREACH)
    public static let EALREADY = Errno(rawValue: Glibc.EALREADY)
    public static let EINPROGRESS = Errno(rawValue: Glibc.EINPROGRESS)
}
