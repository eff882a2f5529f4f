// Blocking C library calls (getaddrinfo(3), reading /etc/services) on a thread of their own, so
// that no thread of Swift's cooperative pool ever waits in one (DESIGN.md, Concurrency).
//
// Go does the same for cgo lookups: a goroutine that calls getaddrinfo holds an OS thread of its
// own while it waits (src/net/cgo_unix.go, acquireThread). Here each call gets a new detached
// pthread, which returns its result through a continuation. A cancelled task does not wait for
// the thread: it throws CancellationError at once, and the thread finishes its call on its own
// and drops the result, so whatever the call holds (an addrinfo list) is still freed.
import NetPoll
import Synchronization
import struct Syscall.Errno

/// Runs a blocking call on a new thread of its own and returns its result, without blocking
/// a thread of the cooperative pool.
///
/// `work` runs to the end whatever happens to the calling task, so it must free what it
/// allocates itself and hand back only plain values. If the task is cancelled before or while
/// `work` runs, this throws `CancellationError` at once and the result is dropped when it comes.
/// Throws ``Errno`` if the thread cannot be created (pthread_create(3): `EAGAIN`).
///
/// ```swift
/// let table = try await runOnDedicatedThread { readServices("/etc/services") }
/// ```
func runOnDedicatedThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
    try Task.checkCancellation()
    let call = ThreadCall<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            guard call.install(continuation) else { return }  // cancelled already, and resumed
            do {
                try startDetachedThread { call.finish(.success(work())) }
            } catch {
                call.finish(.failure(error))
            }
        }
    } onCancel: {
        call.cancel()
    }
}

/// One call's continuation, resumed exactly once: by the thread's result or by cancellation,
/// whichever comes first. Continuations are resumed after the lock is released.
private final class ThreadCall<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var cancelled = false
    }
    private let state = Mutex(State())

    /// Stores the continuation; false (and the continuation resumed with CancellationError) if
    /// the task was cancelled first.
    func install(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        let cancelled = state.withLock { s -> Bool in
            if s.cancelled { return true }
            s.continuation = continuation
            return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    /// The thread's result; dropped if the task was cancelled meanwhile.
    func finish(_ result: Result<T, any Error>) {
        let continuation = state.withLock { s in s.continuation.take() }
        continuation?.resume(with: result)
    }

    /// The task was cancelled: resume the waiter now, if it is still waiting.
    func cancel() {
        let continuation = state.withLock { s -> CheckedContinuation<T, any Error>? in
            s.cancelled = true
            return s.continuation.take()
        }
        continuation?.resume(throwing: CancellationError())
    }
}
