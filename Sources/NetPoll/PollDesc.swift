// Go's pollDesc (runtime/netpoll.go): the readiness and deadline state of one registered fd.
//
// The fd is registered once, edge-triggered, so the kernel reports each readiness change once.
// Each direction remembers an edge that came while nobody waited (`ready`), so it is not lost,
// and holds at most one parked continuation (FDMutex lets only one reader and one writer in).
// Deadlines are absolute; when one passes, the direction is `expired` until it is moved or
// cleared, and every operation in that direction fails with `.timeout` (a sticky timeout, as in
// Go). Continuations are always resumed after the lock is released.
//
// Each direction keeps at most one live timer in its poller's heap. Moving a deadline later, as
// Go's idle-timeout idiom does before every read, only records it: the armed timer fires at the
// earlier time, finds the deadline moved, and re-arms once. So a deadline per operation takes
// this fd's lock, not the poller's timer lock (shared by every fd on the poller and every thread
// that sets a deadline), and the heap holds one entry per direction instead of one per call
// until its periodic compaction. Only a deadline earlier than the armed timer pushes a new one.
//
// Which poller the fd is registered with can change while it is open (Balancer moves busy fds
// between pollers, as Go's scheduler moves goroutines between threads), so the poller and the
// registration token are state under the lock, like the rest. A move and the deregistration
// before close(2) both take the lock, so a move never touches an fd number that was closed.
import Synchronization
import Syscall

package final class PollDesc: Sendable {
    /// The direction an operation waits in.
    package enum Direction: Sendable { case read, write }

    /// A set of directions, for deadlines: `.read`, `.write` or `.both`. A bit set, so setting
    /// a deadline allocates nothing. (Pass the constants: an array literal such as `[.read]`
    /// goes through OptionSet's generic initialiser, unspecialised across modules, which cost
    /// more than the rest of the call.)
    package struct Directions: OptionSet, Sendable {
        package let rawValue: UInt8
        package init(rawValue: UInt8) { self.rawValue = rawValue }
        package static let read = Directions(rawValue: 1)
        package static let write = Directions(rawValue: 2)
        package static let both = Directions(rawValue: 3)
    }

    /// Why a parked operation was resumed.
    enum Wake: Sendable { case ready, closing, timeout, canceled }

    fileprivate struct Side {
        var ready = false
        var waiter: UnsafeContinuation<Wake, Never>?
        var waiterID: UInt64 = 0
        var deadline: PollTime?
        var expired = false
        /// When this direction's live timer fires; nil when none is in the heap. It may be
        /// earlier than `deadline` (the deadline moved later since), never later.
        var armedAt: PollTime?
        /// Bumped whenever a new timer replaces the live one, so the replaced entry, still in
        /// the heap, is ignored when it comes due.
        var sequence: UInt64 = 0
    }

    /// Where the fd is registered: the poller and the token of its slot there.
    fileprivate struct Home {
        var poller: Poller
        var slot: UInt32
        var generation: UInt32
        /// False once deregistered (just before close(2)): the fd number may be gone.
        var registered = true
    }

    fileprivate struct State {
        var read = Side()
        var write = Side()
        var home: Home
        var closing = false
        /// epoll has reported a condition at which a read stops short with more to return:
        /// urgent or out-of-band data, end of stream, or an error. Never cleared.
        var readsStopShort = false

        subscript(_ d: Direction) -> Side {
            get { d == .read ? read : write }
            set { if d == .read { read = newValue } else { write = newValue } }
        }
    }

    // Bits of `flags`, a lock-free mirror of the sticky conditions, so the fast path of every
    // operation can check them without taking the lock.
    private static let closingBit: UInt8 = 1
    private static let readExpiredBit: UInt8 = 2
    private static let writeExpiredBit: UInt8 = 4
    private static let readsStopShortBit: UInt8 = 8

    private let state: Mutex<State>
    private let flags = Atomic<UInt8>(0)
    /// The Balancer epoch of the last event epoll reported for the fd: whether it is busy
    /// (declared here, like `fd`, to sit in the padding after `flags`).
    private let lastEventEpoch = Atomic<UInt8>(0)
    /// The registered fd. Used only by a move, under the lock, while registered.
    let fd: Int32
    /// Numbers each wait, so a cancellation handler resumes only the wait it was installed
    /// for. An atomic counter: a park then takes the state lock once, not twice.
    private let nextWaiterID = Atomic<UInt64>(0)
    /// The task that covers this fd's waits (`beginCovering`), as its address; 0 when none.
    private let coveringTask = Atomic<UInt>(0)

    init(fd: Int32, poller: Poller, slot: UInt32, generation: UInt32) {
        self.fd = fd
        state = Mutex(State(home: Home(poller: poller, slot: slot, generation: generation)))
    }

    /// The poller this fd is registered with now. A task that prefers it as its executor is
    /// resumed on that poller's thread with no hop.
    package var poller: Poller { state.withLock { $0.home.poller } }

    /// Whether epoll reported an event for the fd in Balancer epoch `epoch` or the one before.
    func busy(inEpoch epoch: UInt8) -> Bool {
        epoch &- lastEventEpoch.load(ordering: .relaxed) <= 1
    }

    /// Fails at once if the fd is closing or the direction's deadline has passed: Go's
    /// `prepareRead`/`prepareWrite`. One atomic load, no lock.
    package func check(_ d: Direction) throws(PollError) {
        let f = flags.load(ordering: .acquiring)
        if f & Self.closingBit != 0 { throw .closing }
        if f & Self.expiredBit(d) != 0 { throw .timeout }
    }

    /// Whether the fd is closing (`evict` has run). One atomic load.
    package var isClosing: Bool { flags.load(ordering: .acquiring) & Self.closingBit != 0 }

    /// Whether epoll has ever reported a condition at which a read returns less than is there
    /// to return, so a short read no longer says the next one would find nothing
    /// (EmptyReadHint): urgent or out-of-band data (EPOLLPRI: the read stops at the mark), end
    /// of stream (EPOLLRDHUP, EPOLLHUP: the data comes first, the 0 on the next read) or an
    /// error (EPOLLERR: likewise the data, then the error). Each of these holds from when it
    /// happens until it is read, so an edge harvested before a short read reports it, and one
    /// harvested after marks the read side ready; either way the next read does not park on it.
    /// One atomic load.
    var readsStopShort: Bool { flags.load(ordering: .acquiring) & Self.readsStopShortBit != 0 }

    /// Parks until the direction is ready, then returns; throws `.closing`, `.timeout` or
    /// `.canceled` instead if that happens first. Returns at once if an edge came since the
    /// last wait.
    ///
    /// At most one task waits in each direction: callers hold the FDMutex lock for it.
    ///
    /// A wait installs a cancellation handler for as long as it is parked, unless the waiting
    /// task covers the fd's waits (`beginCovering`: a served connection's handler), whose
    /// canceller wakes them instead. Adding and removing a handler each take the task's status
    /// lock in the runtime, a mutex; a covered wait parks without either, and without the
    /// handler's closure, whose entry is one more executor check.
    ///
    /// The standard library's `_unsafeInheritExecutor_` forms run on the caller's executor
    /// without checking it: this is called only from nonsending functions, which check once
    /// after the wait, on resumption (the check each of the isolated forms makes before and
    /// after its body costs a look at the task's preferred executor, under the same lock).
    @inline(__always)   // into the I/O loop: one frame, and one executor check on resume, fewer
    package func wait(_ d: Direction) async throws(PollError) {
        let wake: Wake
        if coversCurrentTask {
            wake = await _unsafeInheritExecutor_withUnsafeContinuation { (c: UnsafeContinuation<Wake, Never>) in
                park(c, d, id: Self.coveredWaiterID)
            }
        } else {
            let id = nextWaiterID.wrappingAdd(1, ordering: .relaxed).newValue
            wake = await _unsafeInheritExecutor_withTaskCancellationHandler {
                await _unsafeInheritExecutor_withUnsafeContinuation { (c: UnsafeContinuation<Wake, Never>) in
                    park(c, d, id: id)
                }
            } onCancel: {
                resumeWaiters(.canceled, ifID: id)
            }
        }
        switch wake {
        case .ready: return
        case .closing: throw .closing
        case .timeout: throw .timeout
        case .canceled: throw .canceled
        }
    }

    /// The waiter ID of a covered wait: `nextWaiterID` hands out 1 and up, so a wait's own
    /// cancellation handler never takes a covered waiter.
    private static let coveredWaiterID: UInt64 = 0

    /// Stores `c` as the direction's waiter, or resumes it at once if the wait is already over
    /// (closing, expired, an edge came, or the task is cancelled).
    @inline(__always)
    private func park(_ c: UnsafeContinuation<Wake, Never>, _ d: Direction, id: UInt64) {
        let now: Wake? = state.withLock { s in
            if s.closing { return .closing }
            if s[d].expired { return .timeout }
            if s[d].ready {
                s[d].ready = false
                return .ready
            }
            // Under the lock: cancellation sets the task's flag before it runs handlers, and a
            // handler takes this lock to find the waiter, so one of the two sees the other.
            if Task.isCancelled { return .canceled }
            s[d].waiter = c
            s[d].waiterID = id
            return nil
        }
        if let now { c.resume(returning: now) }
    }

    /// Resumes the parked waiters whose ID is `id` with `wake`.
    private func resumeWaiters(_ wake: Wake, ifID id: UInt64) {
        let (r, w) = state.withLock { s in
            func take(_ side: inout Side) -> UnsafeContinuation<Wake, Never>? {
                guard side.waiterID == id, let w = side.waiter else { return nil }
                side.waiter = nil
                return w
            }
            return (take(&s.read), take(&s.write))
        }
        r?.resume(returning: wake)
        w?.resume(returning: wake)
    }

    // MARK: covered waits

    /// Covers this fd's waits by the current task: until `endCovering()`, they park with no
    /// cancellation handler each (see `wait`), and whoever cancels the task must call
    /// `cancelCoveredWaits()` after `Task.cancel()`. Only for a task whose handle is the sole
    /// way to cancel it: an unstructured task whose creator keeps the handle, as `serve` keeps
    /// its handlers'. Cancelled any other way, its covered waits would sleep through it (until
    /// close, a deadline or readiness). Waits by other tasks, and this task's waits on other
    /// fds, install their own handler as usual.
    ///
    /// Returns false, covering nothing, outside a task or if another task covers the fd; if it
    /// returns true, `endCovering()` must follow.
    ///
    /// Why not `withTaskCancellationHandler` around the task's body: that adds and removes a
    /// status record under the task's lock, and keeps four async frames on the task's stack for
    /// its life (about 430 bytes of a served connection's, the difference between one
    /// task-allocator slab and two).
    package func beginCovering() -> Bool {
        let me = Self.currentTaskBits
        return me != 0 && coveringTask.compareExchange(expected: 0, desired: me, ordering: .relaxed).exchanged
    }

    /// Ends the cover `beginCovering()` began: the task's waits install their own handler again.
    package func endCovering() {
        coveringTask.store(0, ordering: .relaxed)
    }

    /// Wakes the covering task's parked wait, if any, with `.canceled`. Call it after the task
    /// is cancelled: a wait that parks later sees the task's flag under the same lock (`park`).
    package func cancelCoveredWaits() {
        resumeWaiters(.canceled, ifID: Self.coveredWaiterID)
    }

    /// Who would wake the direction's parked waiter on cancellation, if one is parked. For tests.
    enum Parked: Equatable { case nobody, withOwnHandler, covered }
    func parked(_ d: Direction) -> Parked {
        state.withLock { s in
            guard s[d].waiter != nil else { return .nobody }
            return s[d].waiterID == Self.coveredWaiterID ? .covered : .withOwnHandler
        }
    }

    /// Whether the current task covers this fd's waits. Only that task stores its own bits
    /// here, so a relaxed load suffices: any other task reads 0 or bits that are not its own.
    private var coversCurrentTask: Bool {
        let covering = coveringTask.load(ordering: .relaxed)
        return covering != 0 && covering == Self.currentTaskBits
    }

    /// The current task's address, as an identity; 0 outside a task. A running task is not
    /// freed, so no other task has the same address while it covers an fd.
    private static var currentTaskBits: UInt {
        withUnsafeCurrentTask { task in
            task.map { unsafeBitCast($0, to: UInt.self) } ?? 0   // one reference, the task's
        }
    }

    /// Delivers an epoll event: wakes the reader on in/rdhup/hup/err and the writer on
    /// out/hup/err, or remembers the edge for the next wait. Called by the poller thread, which
    /// passes the Balancer epoch it last saw.
    func notify(_ events: UInt32, epoch: UInt8) {
        lastEventEpoch.store(epoch, ordering: .relaxed)
        let readEvents = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR | EPOLLPRI
        let writeEvents = EPOLLOUT | EPOLLHUP | EPOLLERR
        let (r, w) = state.withLock { s in
            if events & (EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR) != 0, !s.readsStopShort {
                s.readsStopShort = true
                publishFlags(s)
            }
            return (events & readEvents != 0 ? Self.markReady(&s.read) : nil,
                    events & writeEvents != 0 ? Self.markReady(&s.write) : nil)
        }
        r?.resume(returning: .ready)
        w?.resume(returning: .ready)
    }

    private static func markReady(_ side: inout Side) -> UnsafeContinuation<Wake, Never>? {
        if let w = side.waiter {
            side.waiter = nil
            return w
        }
        side.ready = true
        return nil
    }

    /// Marks the fd closing and resumes both waiters with `.closing`: Go's `evict`.
    package func evict() {
        let (r, w) = state.withLock { s in
            s.closing = true
            let r = s.read.waiter
            let w = s.write.waiter
            s.read.waiter = nil
            s.write.waiter = nil
            publishFlags(s)
            return (r, w)
        }
        r?.resume(returning: .closing)
        w?.resume(returning: .closing)
    }

    /// Sets, moves or clears (nil) the deadline of each direction in `directions`. A deadline
    /// at or before now fails the waiter and every later operation with `.timeout`; a future
    /// one is met by a poller timer; moving or clearing it makes the direction usable again.
    package func setDeadline(_ instant: ContinuousClock.Instant?, _ directions: Directions) {
        let deadline = instant.map(PollTime.init)
        let now = PollTime.now
        // At most one of each per direction: fixed slots, no arrays.
        var (readWaiter, writeWaiter): (UnsafeContinuation<Wake, Never>?, UnsafeContinuation<Wake, Never>?) = (nil, nil)
        var (readTimer, writeTimer): (UInt64?, UInt64?) = (nil, nil)
        let poller = state.withLock { s in
            func set(_ side: inout Side) -> (waiter: UnsafeContinuation<Wake, Never>?, timer: UInt64?) {
                side.deadline = deadline
                side.expired = false
                guard let deadline else { return (nil, nil) }   // a live timer finds nothing to do
                if deadline <= now {
                    side.expired = true
                    defer { side.waiter = nil }
                    return (side.waiter, nil)
                }
                // A timer due at or before the deadline re-arms for it when it fires.
                if let armedAt = side.armedAt, armedAt <= deadline { return (nil, nil) }
                side.sequence &+= 1   // any later timer still in the heap is now stale
                side.armedAt = deadline
                return (nil, side.sequence)
            }
            if directions.contains(.read) { (readWaiter, readTimer) = set(&s.read) }
            if directions.contains(.write) { (writeWaiter, writeTimer) = set(&s.write) }
            publishFlags(s)
            return s.home.poller
        }
        if let deadline {
            if let sequence = readTimer { poller.addTimer(at: deadline, for: self, .read, sequence) }
            if let sequence = writeTimer { poller.addTimer(at: deadline, for: self, .write, sequence) }
        }
        readWaiter?.resume(returning: .timeout)
        writeWaiter?.resume(returning: .timeout)
    }

    /// A poller timer fired. If it is the direction's live timer: expire the direction if its
    /// deadline has passed, or re-arm for the deadline if that moved later meanwhile.
    func timerFired(_ d: Direction, _ sequence: UInt64) {
        let now = PollTime.now
        var rearm: (PollTime, Poller)?
        let waiter = state.withLock { s -> UnsafeContinuation<Wake, Never>? in
            guard s[d].sequence == sequence else { return nil }   // replaced by an earlier timer
            s[d].armedAt = nil
            guard let deadline = s[d].deadline, !s[d].expired, !s.closing else { return nil }
            if deadline > now {
                s[d].armedAt = deadline
                rearm = (deadline, s.home.poller)
                return nil
            }
            s[d].expired = true
            publishFlags(s)
            let w = s[d].waiter
            s[d].waiter = nil
            return w
        }
        if let (at, poller) = rearm { poller.addTimer(at: at, for: self, d, sequence) }
        waiter?.resume(returning: .timeout)
    }

    /// Whether a timer armed with `sequence` still matters: the heap drops the rest when it
    /// compacts. A closing fd's timers do not, so a closed connection is not kept in memory
    /// until its deadline.
    func timerIsCurrent(_ d: Direction, _ sequence: UInt64) -> Bool {
        state.withLock { s in s[d].sequence == sequence && !s.closing }
    }

    // MARK: registration

    /// Removes the registration before the fd is closed (PollFD's destroy); see
    /// `Poller.unregister` for `removeFromEpoll`. After this, a move leaves the fd alone.
    func deregister(removeFromEpoll: Bool) {
        state.withLock { s in
            guard s.home.registered else { return }
            s.home.registered = false
            s.home.poller.unregister(fd, slot: s.home.slot, removeFromEpoll: removeFromEpoll)
        }
    }

    /// Moves the registration to `target`: adds the fd to its epoll set, then removes it from
    /// the current one. The add reports the fd's present readiness, so an edge that came in
    /// between is not lost; an event the old poller had already taken is delivered as well,
    /// which costs at most a try that finds EAGAIN. Parked operations stay parked and are woken
    /// by the new poller. Returns false, and changes nothing, if the fd is closing or already
    /// with `target`, or if the add fails.
    @discardableResult
    func move(to target: Poller) -> Bool {
        state.withLock { s in
            guard s.home.registered, !s.closing, s.home.poller !== target else { return false }
            guard let token = target.adopt(fd, self) else { return false }
            s.home.poller.unregister(fd, slot: s.home.slot, removeFromEpoll: true)
            s.home = Home(poller: target, slot: token.slot, generation: token.generation)
            return true
        }
    }

    /// Copies the sticky conditions into `flags`; called with the lock held so the bits never
    /// go backwards relative to the state.
    private func publishFlags(_ s: State) {
        var bits: UInt8 = s.closing ? Self.closingBit : 0
        if s.readsStopShort { bits |= Self.readsStopShortBit }
        if s.read.expired { bits |= Self.readExpiredBit }
        if s.write.expired { bits |= Self.writeExpiredBit }
        flags.store(bits, ordering: .releasing)
    }

    private static func expiredBit(_ d: Direction) -> UInt8 {
        d == .read ? readExpiredBit : writeExpiredBit
    }
}
