// Descriptor flags and the few file calls the socket programs need: Go's syscall.SetNonblock,
// CloseOnExec, Open, Seek, Pipe2, Dup, Unlink, Lstat.

/// Turns `O_NONBLOCK` on or off: Go's `syscall.SetNonblock`.
///
/// ```swift
/// try Syscall.setNonblock(fd, true)   // reads now throw EAGAIN instead of waiting
/// ```
///
/// The corresponding C function is `fcntl(2)` with `F_GETFL` and `F_SETFL`.
public func setNonblock(_ fd: Int32, _ nonblocking: Bool) throws(Errno) {
    let flags = try system_fcntl(fd, F_GETFL, 0)
    let wanted = nonblocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
    if wanted != flags { _ = try system_fcntl(fd, F_SETFL, wanted) }
}

/// Whether `O_NONBLOCK` is set.
///
/// The corresponding C function is `fcntl(2)` with `F_GETFL`.
public func isNonblock(_ fd: Int32) throws(Errno) -> Bool {
    try system_fcntl(fd, F_GETFL, 0) & O_NONBLOCK != 0
}

/// Sets close-on-exec: Go's `syscall.CloseOnExec`.
///
/// Prefer the atomic flags (`SOCK_CLOEXEC`, `O_CLOEXEC`): between creating an fd and this call,
/// another thread's `fork`+`exec` can inherit it.
///
/// The corresponding C function is `fcntl(2)` with `F_SETFD`.
public func closeOnExec(_ fd: Int32) throws(Errno) {
    let flags = try system_fcntl(fd, F_GETFD, 0)
    _ = try system_fcntl(fd, F_SETFD, flags | FD_CLOEXEC)
}

/// Whether close-on-exec is set.
///
/// The corresponding C function is `fcntl(2)` with `F_GETFD`.
public func isCloseOnExec(_ fd: Int32) throws(Errno) -> Bool {
    try system_fcntl(fd, F_GETFD, 0) & FD_CLOEXEC != 0
}

/// Duplicates a descriptor onto the lowest free number, with close-on-exec set atomically.
///
/// The corresponding C function is `fcntl(2)` with `F_DUPFD_CLOEXEC`.
public func dupCloseOnExec(_ fd: Int32) throws(Errno) -> Int32 {
    try system_fcntl(fd, F_DUPFD_CLOEXEC, 0)
}

/// Runs `fcntl(2)` with an integer argument: Go's `syscall.fcntl`.
public func fcntl(_ fd: Int32, _ cmd: Int32, _ arg: Int32) throws(Errno) -> Int32 {
    try system_fcntl(fd, cmd, arg)
}

/// Opens a file: Go's `syscall.Open`.
///
/// ```swift
/// let fd = try Syscall.open("/etc/hostname", O_RDONLY | O_CLOEXEC, 0)
/// ```
///
/// The corresponding C function is `open(2)`.
public func open(_ path: String, _ flags: Int32, _ perm: UInt32) throws(Errno) -> Int32 {
    try system_open(path, flags, perm)
}

/// Moves a file offset: Go's `syscall.Seek`. `whence` is `SEEK_SET`, `SEEK_CUR` or `SEEK_END`.
///
/// The corresponding C function is `lseek(2)`.
public func seek(_ fd: Int32, _ offset: Int64, _ whence: Int32) throws(Errno) -> Int64 {
    try system_lseek(fd, offset, whence)
}

/// Creates a pipe: Go's `syscall.Pipe2`. Returns the read end and the write end.
///
/// The corresponding C function is `pipe2(2)`.
public func pipe2(_ flags: Int32) throws(Errno) -> (read: Int32, write: Int32) {
    let fds = try system_pipe2(flags)
    return (fds.0, fds.1)
}

/// Changes the permission bits of an open file: Go's `syscall.Fchmod`.
///
/// On Linux, calling it on a unix socket before `bind(2)` sets the mode the socket file is
/// created with (still masked by the umask), so the file is never more open than wanted.
///
/// The corresponding C function is `fchmod(2)`.
public func fchmod(_ fd: Int32, _ mode: UInt32) throws(Errno) {
    try system_fchmod(fd, mode)
}

/// Changes the permission bits of a file by path: Go's `syscall.Chmod`.
///
/// The corresponding C function is `chmod(2)`.
public func chmod(_ path: String, _ mode: UInt32) throws(Errno) {
    try system_chmod(path, mode)
}

/// Removes a name from the filesystem: Go's `syscall.Unlink`.
///
/// The corresponding C function is `unlink(2)`.
public func unlink(_ path: String) throws(Errno) {
    try system_unlink(path)
}

/// What `stat(2)` says about a file: the fields the socket programs need.
public struct Stat: Sendable, Hashable {
    /// A description built from its fields.
    public init(mode: UInt32, size: Int64, dev: UInt64, ino: UInt64) {
        self.mode = mode
        self.size = size
        self.dev = dev
        self.ino = ino
    }

    /// `st_mode`: the file type bits and the permission bits.
    public var mode: UInt32
    /// `st_size` in bytes.
    public var size: Int64
    /// `st_dev` and `st_ino`: together they name the file, so a path can be checked to
    /// still hold the same socket that was bound there.
    public var dev: UInt64
    public var ino: UInt64

    /// Whether the file is a socket (`S_IFSOCK`).
    public var isSocket: Bool { mode & 0o170000 == 0o140000 }
    /// Whether the file is a regular file (`S_IFREG`).
    public var isRegular: Bool { mode & 0o170000 == 0o100000 }
    /// The permission bits (`mode & 0o7777`).
    public var permissions: UInt32 { mode & 0o7777 }
}

/// Describes a path without following a final symbolic link: Go's `syscall.Lstat`.
///
/// The corresponding C function is `lstat(2)`.
public func lstat(_ path: String) throws(Errno) -> Stat {
    try system_lstat(path)
}

/// Describes an open descriptor: Go's `syscall.Fstat`.
///
/// The corresponding C function is `fstat(2)`.
public func fstat(_ fd: Int32) throws(Errno) -> Stat {
    try system_fstat(fd)
}
