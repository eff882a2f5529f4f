// The connection handlers `serve` has started and not yet seen finish: what a task group would
// track, without a task group's cost. Swift's task group keeps its children in a singly linked
// list and removing a finished child walks it from the oldest (swift 6.3), under the serving
// task's status lock. A server holding 10,000 long-lived connections would walk all of them each
// time a short one closed, and every poller finishing a handler would queue on that one lock.
// Here a handler's start and finish are O(1): its id is a slot in an array, reused once the
// handler has both finished and been recorded (a dictionary keyed by a counter, as before, cost
// about 500 instructions per connection in hashing and probing).
import NetPoll
import Synchronization

final class HandlerTasks: Sendable {
    /// Where one handler is between `start` and the later of `record` and `finish`.
    private enum Slot {
        case free
        /// Started; its task is not recorded yet.
        case started
        /// Running, with the handle `cancelAll` needs and the fd whose waits the task covers.
        case recorded(Task<Void, any Error>, cover: PollDesc?)
        /// Finished before its handle was recorded (a handler can run to the end on another
        /// poller's thread before `record` is called).
        case finishedUnrecorded
    }

    private struct State {
        var slots: [Slot] = []
        /// Indices of `.free` slots, reused last in, first out.
        var free: [Int] = []
        /// Handlers started and not yet finished.
        var running = 0
        var cancelled = false
        var drained: UnsafeContinuation<Void, Never>?

        mutating func release(_ id: Int) {
            slots[id] = .free
            free.append(id)
        }
    }

    private let state = Mutex(State())

    /// Counts a handler as running before its task exists, so `waitForAll` cannot return
    /// between the task's start and `record`. Returns the handler's id.
    func start() -> Int {
        state.withLock { s in
            s.running += 1
            if let id = s.free.popLast() {
                s.slots[id] = .started
                return id
            }
            s.slots.append(.started)
            return s.slots.count - 1
        }
    }

    /// Records the handler's task, so `cancelAll` reaches it; cancels it at once if every
    /// handler was already cancelled. `cover` is the fd whose waits the task covers
    /// (`PollDesc.beginCovering`): its cancellation wakes them, as the task has no handler that
    /// would.
    func record(_ id: Int, _ task: Task<Void, any Error>, cover: PollDesc?) {
        let cancelNow = state.withLock { s -> Bool in
            if case .finishedUnrecorded = s.slots[id] {
                s.release(id)
                return false
            }
            s.slots[id] = .recorded(task, cover: cover)
            return s.cancelled
        }
        if cancelNow { Self.cancel(task, cover) }
    }

    /// Called by the handler's task as its last step.
    func finish(_ id: Int) {
        let drained = state.withLock { s -> UnsafeContinuation<Void, Never>? in
            if case .recorded = s.slots[id] {
                s.release(id)
            } else {
                s.slots[id] = .finishedUnrecorded
            }
            s.running -= 1
            guard s.running == 0, let c = s.drained else { return nil }
            s.drained = nil
            return c
        }
        drained?.resume()
    }

    /// How many handles are held: running handlers whose task has been recorded. For tests.
    var recordedCount: Int {
        state.withLock { s in
            s.slots.count { slot in
                if case .recorded = slot { return true }
                return false
            }
        }
    }

    /// Cancels every running handler, and any recorded later.
    func cancelAll() {
        let tasks = state.withLock { s -> [(Task<Void, any Error>, PollDesc?)] in
            s.cancelled = true
            return s.slots.compactMap { slot in
                if case .recorded(let task, let cover) = slot { return (task, cover) }
                return nil
            }
        }
        for (task, cover) in tasks { Self.cancel(task, cover) }
    }

    /// Cancels a handler's task, then wakes its covered wait: in this order, a wait parking
    /// meanwhile sees the task cancelled.
    private static func cancel(_ task: Task<Void, any Error>, _ cover: PollDesc?) {
        task.cancel()
        cover?.cancelCoveredWaits()
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
