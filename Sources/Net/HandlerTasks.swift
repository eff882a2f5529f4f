// The connection handlers `serve` has started and not yet seen finish: what a task group would
// track, without a task group's cost. Swift's task group keeps its children in a singly linked
// list and removing a finished child walks it from the oldest (swift 6.3), under the serving
// task's status lock. A server holding 10,000 long-lived connections would walk all of them each
// time a short one closed, and every poller finishing a handler would queue on that one lock.
// Here a handler's start and finish are O(1), and the lock is held for a dictionary update.
import Synchronization

final class HandlerTasks: Sendable {
    private struct State {
        var nextID: UInt64 = 0
        /// Handlers started and not yet finished.
        var running = 0
        /// The handle of each running handler, for cancelling them all.
        var tasks: [UInt64: Task<Void, any Error>] = [:]
        /// Handlers that finished before their handle was recorded (a handler can run to the end
        /// on another poller's thread before `record` is called).
        var finishedUnrecorded: Set<UInt64> = []
        var cancelled = false
        var drained: UnsafeContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Counts a handler as running before its task exists, so `waitForAll` cannot return
    /// between the task's start and `record`. Returns the handler's id.
    func start() -> UInt64 {
        state.withLock { s in
            s.nextID += 1
            s.running += 1
            return s.nextID
        }
    }

    /// Records the handler's task, so `cancelAll` reaches it; cancels it at once if every
    /// handler was already cancelled.
    func record(_ id: UInt64, _ task: Task<Void, any Error>) {
        let cancelNow = state.withLock { s -> Bool in
            if s.finishedUnrecorded.remove(id) != nil { return false }
            s.tasks[id] = task
            return s.cancelled
        }
        if cancelNow { task.cancel() }
    }

    /// Called by the handler's task as its last step.
    func finish(_ id: UInt64) {
        let drained = state.withLock { s -> UnsafeContinuation<Void, Never>? in
            if s.tasks.removeValue(forKey: id) == nil { s.finishedUnrecorded.insert(id) }
            s.running -= 1
            guard s.running == 0, let c = s.drained else { return nil }
            s.drained = nil
            return c
        }
        drained?.resume()
    }

    /// How many handles are held: running handlers whose task has been recorded.
    var recordedCount: Int { state.withLock { $0.tasks.count } }

    /// Cancels every running handler, and any recorded later.
    func cancelAll() {
        let tasks = state.withLock { s -> [Task<Void, any Error>] in
            s.cancelled = true
            return Array(s.tasks.values)
        }
        for task in tasks { task.cancel() }
    }

    /// Returns once every started handler has finished. Not cancellable, as a task group's
    /// wait for its children is not: a cancelled server still waits for its handlers to end.
    func waitForAll() async {
        await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.running == 0 { return true }
                s.drained = c
                return false
            }
            if now { c.resume() }
        }
    }
}
