// Resource limits: Go's syscall.Getrlimit and syscall.Setrlimit. The one sockets meet is
// RLIMIT_NOFILE, the number of fds a process may hold: past its soft limit, socket(2), accept4(2)
// and every other call that makes an fd fail with EMFILE.

/// A resource limit: Go's `syscall.Rlimit`. `cur` is the soft limit, which the kernel enforces;
/// `max` is the hard limit, the ceiling an unprivileged process may raise `cur` to.
/// ``RLIM_INFINITY`` means no limit.
public struct Rlimit: Equatable, Sendable {
    /// The soft limit.
    public var cur: UInt64
    /// The hard limit.
    public var max: UInt64

    public init(cur: UInt64, max: UInt64) {
        self.cur = cur
        self.max = max
    }
}

/// Reads a resource limit: Go's `syscall.Getrlimit`.
///
/// ```swift
/// let files = try Syscall.getrlimit(RLIMIT_NOFILE)
/// print("may hold \(files.cur) fds, or \(files.max) after raising the soft limit")
/// ```
///
/// The corresponding C function is `getrlimit(2)`.
public func getrlimit(_ resource: Int32) throws(Errno) -> Rlimit {
    try system_getrlimit(resource)
}

/// Sets a resource limit: Go's `syscall.Setrlimit`. An unprivileged process may lower either
/// limit and raise the soft one up to the hard one; raising the hard limit takes
/// `CAP_SYS_RESOURCE` (`EPERM` otherwise), and a soft limit above the hard one is `EINVAL`.
///
/// ```swift
/// var files = try Syscall.getrlimit(RLIMIT_NOFILE)
/// files.cur = files.max       // what Go's os package does at start since Go 1.19
/// try Syscall.setrlimit(RLIMIT_NOFILE, files)
/// ```
///
/// The corresponding C function is `setrlimit(2)`.
public func setrlimit(_ resource: Int32, _ limit: Rlimit) throws(Errno) {
    try system_setrlimit(resource, limit)
}
