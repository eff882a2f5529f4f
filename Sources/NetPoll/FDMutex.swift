// Go's fdMutex (internal/poll/fd_mutex.go) for async Swift: it guards an fd's number against
// reuse. Every operation holds a reference while it touches the fd; reads are serialised with
// reads and writes with writes; close() marks the fd closed, wakes every waiter with `.closing`,
// and the last reference to go is the one that really closes it. So close(2) happens once, and
// never while another task is inside read(2) with the same number.
//
// Waiters suspend (they never block a thread). A task waiting for the read or write lock can be
// cancelled; it then leaves the queue at once.
import Synchronization

package final class FDMutex: Sendable {
    /// Which of the two serialising locks an operation takes.
    package enum Lock: Sendable { case read, write }

    fileprivate struct Waiter {
        let id: UInt64
        let continuation: UnsafeContinuation<PollError?, Never>
    }

    fileprivate struct State {
        var closed = false
        var references = 0
        var readLocked = false
        var writeLocked = false
        var readWaiters: [Waiter] = []
        var writeWaiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// Whether close() has been called.
    package var isClosed: Bool { state.withLock { $0.closed } }

    /// Takes a reference for a misc operation (setsockopt, deadlines, dup). Fails once closed.
    package func incref() throws(PollError) {
        let ok = state.withLock { s -> Bool in
            if s.closed { return false }
            s.references += 1
            return true
        }
        if !ok { throw .closing }
    }

    /// Drops a misc reference. Returns true if the fd is closed and this was the last reference:
    /// the caller must then destroy (close(2)) the fd.
    package func decref() -> Bool {
        state.withLock { s in
            precondition(s.references > 0, "FDMutex: decref without incref")
            s.references -= 1
            return s.closed && s.references == 0
        }
    }

    /// Takes a reference and the read or write lock, waiting (suspended) while another task
    /// holds that lock. Fails with `.closing` if the fd is or becomes closed, `.canceled` if the
    /// task is cancelled while it waits.
    ///
    /// Inlined into its callers (the I/O loops): an uncontended lock, the usual case, then
    /// costs no async frame; only a wait for the lock calls into an async function.
    @inline(__always)
    package func lock(_ which: Lock) async throws(PollError) {
        if try tryLock(which) { return }
        try await waitForLock(which)
    }

    /// The uncontended path of `lock`, without suspending: takes a reference and the lock and
    /// returns true, or returns false if another task holds the lock.
    package func tryLock(_ which: Lock) throws(PollError) -> Bool {
        try state.withLock { (s) throws(PollError) -> Bool in
            if s.closed { throw .closing }
            if s.isLocked(which) { return false }
            s.setLocked(which, true)
            s.references += 1
            return true
        }
    }

    private func waitForLock(_ which: Lock) async throws(PollError) {
        let id = state.withLock { s in
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        let failure: PollError? = await withTaskCancellationHandler {
            await withUnsafeContinuation { (c: UnsafeContinuation<PollError?, Never>) in
                let now: PollError?? = state.withLock { s in
                    if s.closed { return .some(.closing) }
                    if Task.isCancelled { return .some(.canceled) }
                    if !s.isLocked(which) {
                        s.setLocked(which, true)
                        s.references += 1
                        return .some(nil)
                    }
                    s.append(Waiter(id: id, continuation: c), to: which)
                    return nil
                }
                if let result = now { c.resume(returning: result) }
            }
        } onCancel: {
            let waiter = state.withLock { s in s.removeWaiter(id, from: which) }
            waiter?.continuation.resume(returning: .canceled)
        }
        if let failure { throw failure }
    }

    /// Releases the read or write lock and its reference, handing the lock straight to the next
    /// waiter. Returns true if the caller must destroy the fd (closed, and the last reference).
    package func unlock(_ which: Lock) -> Bool {
        let (next, destroy) = state.withLock { s -> (Waiter?, Bool) in
            precondition(s.isLocked(which) && s.references > 0, "FDMutex: unlock without lock")
            s.references -= 1
            if !s.closed, let next = s.popFirst(which) {
                // The lock passes to `next` with its reference; it stays locked.
                s.references += 1
                return (next, false)
            }
            s.setLocked(which, false)
            return (nil, s.closed && s.references == 0)
        }
        next?.continuation.resume(returning: nil)
        return destroy
    }

    /// Marks the fd closed and wakes every lock waiter with `.closing`. Returns false if it was
    /// already closed. Holds a reference on success: call `decref()` after waking the poller's
    /// waiters, and destroy the fd if that returns true.
    package func increfAndClose() -> Bool {
        let waiters = state.withLock { s -> [Waiter]? in
            if s.closed { return nil }
            s.closed = true
            s.references += 1
            let all = s.readWaiters + s.writeWaiters
            s.readWaiters = []
            s.writeWaiters = []
            return all
        }
        guard let waiters else { return false }
        for w in waiters { w.continuation.resume(returning: .closing) }
        return true
    }
}

extension FDMutex.State {
    func isLocked(_ which: FDMutex.Lock) -> Bool { which == .read ? readLocked : writeLocked }

    mutating func setLocked(_ which: FDMutex.Lock, _ value: Bool) {
        if which == .read { readLocked = value } else { writeLocked = value }
    }

    mutating func append(_ w: FDMutex.Waiter, to which: FDMutex.Lock) {
        if which == .read { readWaiters.append(w) } else { writeWaiters.append(w) }
    }

    mutating func popFirst(_ which: FDMutex.Lock) -> FDMutex.Waiter? {
        if which == .read {
            return readWaiters.isEmpty ? nil : readWaiters.removeFirst()
        }
        return writeWaiters.isEmpty ? nil : writeWaiters.removeFirst()
    }

    mutating func removeWaiter(_ id: UInt64, from which: FDMutex.Lock) -> FDMutex.Waiter? {
        if which == .read {
            guard let i = readWaiters.firstIndex(where: { $0.id == id }) else { return nil }
            return readWaiters.remove(at: i)
        }
        guard let i = writeWaiters.firstIndex(where: { $0.id == id }) else { return nil }
        return writeWaiters.remove(at: i)
    }
}
