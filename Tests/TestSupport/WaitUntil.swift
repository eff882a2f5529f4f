// Waiting for a condition that another thread, or the kernel, makes true: a thread blocking in a
// system call, a background reservation finishing, a task parking in a read.
import Glibc

/// Polls `condition` every millisecond for up to `timeout`; true as soon as it holds.
///
/// It blocks the calling thread between checks, so use it only for a condition that no task on
/// the cooperative pool has to make true; for that, use ``sleepUntil(timeout:_:)``.
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

/// Checks `condition` every millisecond for up to `timeout`, sleeping the task (not the thread)
/// in between; true as soon as it holds.
///
/// Another task can run on this thread meanwhile, so the condition may be one that a task has to
/// make true, such as a handler parking in its read.
///
/// ```swift
/// #expect(await sleepUntil { fd.desc.parked(.read) != .nobody })
/// ```
public func sleepUntil(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(1))
    }
    return condition()
}
