// A new OS thread for work that must not run on a thread of Swift's cooperative pool: a poller's
// loop, a blocking C library call, a system call that may wait for the kernel.
import Glibc
package import Syscall

/// Runs `body` on a new detached thread, which ends when `body` returns. Throws `EAGAIN` (from
/// pthread_create(3)) if no thread can be made; `body` has not run then.
///
/// ```swift
/// try startDetachedThread { blockingCall() }
/// ```
package func startDetachedThread(_ body: @escaping @Sendable () -> Void) throws(Errno) {
    // Passed to the thread retained; the thread releases it when body returns.
    let box = Unmanaged.passRetained(ThreadBody(body))
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { arg in
        Unmanaged<ThreadBody>.fromOpaque(arg!).takeRetainedValue().run()
        return nil
    }, box.toOpaque())
    guard rc == 0 else {
        box.release()
        throw Errno(rawValue: rc)
    }
    pthread_detach(thread)
}

private final class ThreadBody: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
