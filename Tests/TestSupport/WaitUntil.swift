// Waiting for a condition that another thread, or the kernel, makes true: a thread blocking in a
// system call, a background reservation finishing.
import Glibc

/// Polls `condition` every millisecond for up to `timeout`; true as soon as it holds.
///
/// ```swift
/// #expect(waitUntil { !FDTable.isReserving })
/// ```
public func waitUntil(timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(1000)
    }
    return condition()
}
