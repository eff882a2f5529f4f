// What NetPoll operations throw. Go's internal/poll returns a bare errno or one of its two
// sentinels (ErrNetClosing, ErrDeadlineExceeded); Net adds the syscall name and the OpError.
package import Syscall

/// Why a NetPoll operation failed.
package enum PollError: Error, Equatable, Sendable {
    /// The fd was closed, before or during the operation: Go's `ErrNetClosing`
    /// ("use of closed network connection").
    case closing
    /// The direction's deadline passed: Go's `ErrDeadlineExceeded` ("i/o timeout").
    case timeout
    /// The waiting task was cancelled.
    case canceled
    /// The system call failed.
    case errno(Errno)

    init(_ errno: Errno) { self = .errno(errno) }
}
