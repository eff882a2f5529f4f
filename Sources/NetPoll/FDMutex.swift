// Go's fdMutex (internal/poll/fd_mutex.go) for async Swift: it guards an fd's number against
// reuse. Every operation holds a reference while it touches the fd; reads are serialised with
// reads and writes with writes; close() marks the fd closed, wakes every waiter with `.closing`,
// and the last reference to go is the one that really closes it. So close(2) happens once, and
// never while another task is inside read(2) with the same number.
//
// As in Go, the closed bit, both locks and the reference count live in one atomic word, so an
// uncontended lock or unlock is a single compare-and-swap: every read and write takes one of
// each. Only a task that must wait touches the waiter queues, which sit behind a Mutex; a
// "someone is waiting" bit per lock in the word sends the unlock that must hand over to them
// down the slow path. Waiters suspend (they never block a thread). A task waiting for the read
// or write lock can be cancelled; it then leaves the queue at once.
//
// A noncopyable struct, stored inline in its PollFD: one allocation fewer for every fd, and no
// pointer to follow on every lock and unlock.
import Synchronization

package struct FDMutex: ~Copyable, Sendable {
    /// Which of the two serialising locks an operation takes.
    package enum Lock: Sendable { case read, write }

    // Waiter and Queues are internal, not fileprivate: swift 6.3 fails to link a fileprivate
    // type stored in a noncopyable struct that another file embeds.

    /// A task waiting for one of the locks.
    struct Waiter {
        let id: UInt64
        let continuation: UnsafeContinuation<PollError?, Never>
    }

    /// The tasks waiting for each lock, first come first served. Invariant, under the Mutex:
    /// a lock's waiting bit is set in `word` exactly while its queue is not empty (except after
    /// close, which may leave it set until it has drained the queues).
    struct Queues {
        var readWaiters: [Waiter] = []
        var writeWaiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
    }

    /// Bit 0 closed, bits 1-2 the read and write locks, bits 3-4 their waiting bits, bits 8 and
    /// up the number of references (an operation holding a lock holds one too).
    private let word = Atomic<UInt64>(0)
    private let queues = Mutex(Queues())

    private static let closed: UInt64 = 1 << 0
    private static let oneReference: UInt64 = 1 << 8

    package init() {}

    /// Whether close() has been called.
    package var isClosed: Bool { word.load(ordering: .acquiring) & Self.closed != 0 }

    /// Takes a reference for a misc operation (setsockopt, deadlines, dup). Fails once closed.
    package func incref() throws(PollError) {
        var old = word.load(ordering: .relaxed)
        while true {
            if old & Self.closed != 0 { throw .closing }
            let (done, seen) = replace(old, with: old + Self.oneReference)
            if done { return }
            old = seen
        }
    }

    /// Drops a misc reference. Returns true if the fd is closed and this was the last reference:
    /// the caller must then destroy (close(2)) the fd.
    package func decref() -> Bool {
        let (old, new) = word.wrappingSubtract(Self.oneReference, ordering: .acquiringAndReleasing)
        precondition(old >= Self.oneReference, "FDMutex: decref without incref")
        return Self.mustDestroy(new)
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
        var old = word.load(ordering: .relaxed)
        while true {
            if old & Self.closed != 0 { throw .closing }
            if old & which.lockedBit != 0 { return false }
            let (done, seen) = replace(old, with: (old | which.lockedBit) + Self.oneReference)
            if done { return true }
            old = seen
        }
    }

    private func waitForLock(_ which: Lock) async throws(PollError) {
        let id = queues.withLock { q in
            q.nextWaiterID += 1
            return q.nextWaiterID
        }
        let failure: PollError? = await withTaskCancellationHandler {
            await withUnsafeContinuation { (c: UnsafeContinuation<PollError?, Never>) in
                let now: PollError?? = queues.withLock { q in
                    let cancelled = Task.isCancelled
                    var old = word.load(ordering: .relaxed)
                    while true {
                        if old & Self.closed != 0 { return .some(.closing) }
                        if cancelled { return .some(.canceled) }
                        let free = old & which.lockedBit == 0
                        let new = free ? (old | which.lockedBit) + Self.oneReference : old | which.waitingBit
                        let (done, seen) = replace(old, with: new)
                        if done {
                            if free { return .some(nil) }
                            q.append(Waiter(id: id, continuation: c), to: which)
                            return nil
                        }
                        old = seen
                    }
                }
                if let result = now { c.resume(returning: result) }
            }
        } onCancel: {
            let waiter = queues.withLock { q in
                let waiter = q.removeWaiter(id, from: which)
                if waiter != nil && q.isEmpty(which) {
                    word.bitwiseAnd(~which.waitingBit, ordering: .acquiringAndReleasing)
                }
                return waiter
            }
            waiter?.continuation.resume(returning: .canceled)
        }
        if let failure { throw failure }
    }

    /// Releases the read or write lock and its reference, handing the lock straight to the next
    /// waiter. Returns true if the caller must destroy the fd (closed, and the last reference).
    package func unlock(_ which: Lock) -> Bool {
        var old = word.load(ordering: .relaxed)
        while old & which.waitingBit == 0 {
            precondition(old & which.lockedBit != 0 && old >= Self.oneReference, "FDMutex: unlock without lock")
            let new = (old & ~which.lockedBit) - Self.oneReference
            let (done, seen) = replace(old, with: new)
            if done { return Self.mustDestroy(new) }
            old = seen
        }
        return unlockWithWaiters(which)
    }

    /// The slow half of `unlock`: someone waits. Under the queues' Mutex, so no waiter comes or
    /// goes meanwhile.
    private func unlockWithWaiters(_ which: Lock) -> Bool {
        let (next, destroy) = queues.withLock { q -> (Waiter?, Bool) in
            var old = word.load(ordering: .relaxed)
            while true {
                precondition(old & which.lockedBit != 0 && old >= Self.oneReference, "FDMutex: unlock without lock")
                let new: UInt64
                let handOver = old & Self.closed == 0 && !q.isEmpty(which)
                if handOver {
                    // The lock passes to the first waiter with our reference: it stays locked.
                    new = q.count(which) == 1 ? old & ~which.waitingBit : old
                } else {
                    // Closed (close wakes the waiters), or the last waiter was cancelled.
                    new = (old & ~which.lockedBit & (q.isEmpty(which) ? ~which.waitingBit : ~0)) - Self.oneReference
                }
                let (done, seen) = replace(old, with: new)
                if done { return handOver ? (q.popFirst(which), false) : (nil, Self.mustDestroy(new)) }
                old = seen
            }
        }
        next?.continuation.resume(returning: nil)
        return destroy
    }

    /// Marks the fd closed and wakes every lock waiter with `.closing`. Returns false if it was
    /// already closed. Holds a reference on success: call `decref()` after waking the poller's
    /// waiters, and destroy the fd if that returns true.
    package func increfAndClose() -> Bool {
        var old = word.load(ordering: .relaxed)
        while true {
            if old & Self.closed != 0 { return false }
            let (done, seen) = replace(old, with: (old | Self.closed) + Self.oneReference)
            if done { break }
            old = seen
        }
        let waiters = queues.withLock { q in
            let all = q.readWaiters + q.writeWaiters
            q.readWaiters = []
            q.writeWaiters = []
            word.bitwiseAnd(~(Lock.read.waitingBit | Lock.write.waitingBit), ordering: .acquiringAndReleasing)
            return all
        }
        for w in waiters { w.continuation.resume(returning: .closing) }
        return true
    }

    /// One compare-and-swap of the word from `old` to `new`: whether it was made, and the word
    /// as found. Nothing to change (a waiter joining a queue that already has its bit) is done
    /// without one.
    @inline(__always)
    private func replace(_ old: UInt64, with new: UInt64) -> (done: Bool, seen: UInt64) {
        if new == old { return (true, old) }
        let (done, seen) = word.compareExchange(expected: old, desired: new, ordering: .acquiringAndReleasing)
        return (done, seen)
    }

    /// How many tasks wait for `which`: lets tests queue waiters in a known order.
    func waiterCount(_ which: Lock) -> Int { queues.withLock { $0.count(which) } }

    /// Closed, and no reference left: whoever made the word so must close(2) the fd.
    private static func mustDestroy(_ word: UInt64) -> Bool {
        word & closed != 0 && word < oneReference
    }
}

extension FDMutex.Lock {
    fileprivate var lockedBit: UInt64 { self == .read ? 1 << 1 : 1 << 2 }
    fileprivate var waitingBit: UInt64 { self == .read ? 1 << 3 : 1 << 4 }
}

extension FDMutex.Queues {
    func isEmpty(_ which: FDMutex.Lock) -> Bool { which == .read ? readWaiters.isEmpty : writeWaiters.isEmpty }

    func count(_ which: FDMutex.Lock) -> Int { which == .read ? readWaiters.count : writeWaiters.count }

    mutating func append(_ w: FDMutex.Waiter, to which: FDMutex.Lock) {
        if which == .read { readWaiters.append(w) } else { writeWaiters.append(w) }
    }

    mutating func popFirst(_ which: FDMutex.Lock) -> FDMutex.Waiter {
        which == .read ? readWaiters.removeFirst() : writeWaiters.removeFirst()
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
