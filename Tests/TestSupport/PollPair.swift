// Registered socketpairs for tests of NetPoll and of the Net code built on it, and a watchdog
// that turns a wait nothing ends into a failure instead of a hung run.
package import NetPoll
import Syscall

/// A connected non-blocking socketpair, each end owned by a PollFD.
///
/// ```swift
/// let (a, b) = try pollPair()
/// defer { try? a.close(); try? b.close() }
/// ```
package func pollPair(_ type: Int32 = Syscall.SOCK_STREAM, on poller: Poller? = nil) throws -> (PollFD, PollFD) {
    let (a, b) = try Syscall.socketpair(Syscall.AF_UNIX, type | Syscall.SOCK_NONBLOCK | Syscall.SOCK_CLOEXEC, 0)
    return (try PollFD(a, poller: poller), try PollFD(b, poller: poller))
}

/// Runs `body`; if it has not returned after `limit`, closes `fd`, which wakes whatever is
/// parked on it with `.closing`. A wait that nothing else ends then fails its test instead of
/// hanging the run.
package func closing<R>(_ fd: PollFD, after limit: Duration, _ body: () async -> R) async -> R {
    let watchdog = Task {
        do { try await Task.sleep(for: limit) } catch { return }   // cancelled: body returned
        try? fd.close()
    }
    defer { watchdog.cancel() }
    return await body()
}
