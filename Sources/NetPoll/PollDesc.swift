// Go's pollDesc (runtime/netpoll.go): the readiness and deadline state of one registered fd.
//
// The fd is registered once, edge-triggered, so the kernel reports each readiness change once.
// Each direction remembers an edge that came while nobody waited (`ready`), so it is not lost,
// and holds at most one parked continuation (FDMutex lets only one reader and one writer in).
// Deadlines are absolute; when one passes, the direction is `expired` until it is moved or
// cleared, and every operation in that direction fails with `.timeout` (a sticky timeout, as in
// Go). Continuations are always resumed after the lock is released.
import Synchronization
import Syscall

package final class PollDesc: Sendable {
    /// The direction an operation waits in.
    package enum Direction: Sendable { case read, write }

    /// Why a parked operation was resumed.
    enum Wake: Sendable { case ready, closing, timeout, canceled }

    fileprivate struct Side {
        var ready = false
        var waiter: UnsafeContinuation<Wake, Never>?
        var waiterID: UInt64 = 0
        var deadline: ContinuousClock.Instant?
        var expired = false
        /// Bumped whenever the deadline changes, so a timer armed for an old deadline is ignored.
        var sequence: UInt64 = 0
    }

    fileprivate struct State {
        var read = Side()
        var write = Side()
        var closing = false

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

    private let state = Mutex(State())
    private let flags = Atomic<UInt8>(0)
    /// Numbers each wait, so a cancellation handler resumes only the wait it was installed
    /// for. An atomic counter: a park then takes the state lock once, not twice.
    private let nextWaiterID = Atomic<UInt64>(0)

    /// The poller this fd is registered with, and its registration token.
    package let poller: Poller
    let slot: UInt32
    let generation: UInt32

    init(poller: Poller, slot: UInt32, generation: UInt32) {
        self.poller = poller
        self.slot = slot
        self.generation = generation
    }

    /// Fails at once if the fd is closing or the direction's deadline has passed: Go's
    /// `prepareRead`/`prepareWrite`. One atomic load, no lock.
    package func check(_ d: Direction) throws(PollError) {
        let f = flags.load(ordering: .acquiring)
        if f & Self.closingBit != 0 { throw .closing }
        if f & Self.expiredBit(d) != 0 { throw .timeout }
    }

    /// Parks until the direction is ready, then returns; throws `.closing`, `.timeout` or
    /// `.canceled` instead if that happens first. Returns at once if an edge came since the
    /// last wait.
    ///
    /// At most one task waits in each direction: callers hold the FDMutex lock for it.
    @inline(__always)   // into the I/O loop: one frame, and one executor check on resume, fewer
    package func wait(_ d: Direction) async throws(PollError) {
        let id = nextWaiterID.wrappingAdd(1, ordering: .relaxed).newValue
        let wake = await withTaskCancellationHandler {
            await withUnsafeContinuation { (c: UnsafeContinuation<Wake, Never>) in
                let now: Wake? = state.withLock { s in
                    if s.closing { return .closing }
                    if s[d].expired { return .timeout }
                    if s[d].ready {
                        s[d].ready = false
                        return .ready
                    }
                    if Task.isCancelled { return .canceled }
                    s[d].waiter = c
                    s[d].waiterID = id
                    return nil
                }
                if let now { c.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> UnsafeContinuation<Wake, Never>? in
                guard s[d].waiterID == id, let w = s[d].waiter else { return nil }
                s[d].waiter = nil
                return w
            }
            waiter?.resume(returning: .canceled)
        }
        switch wake {
        case .ready: return
        case .closing: throw .closing
        case .timeout: throw .timeout
        case .canceled: throw .canceled
        }
    }

    /// Delivers an epoll event: wakes the reader on in/rdhup/hup/err and the writer on
    /// out/hup/err, or remembers the edge for the next wait. Called by the poller thread.
    func notify(_ events: UInt32) {
        let readEvents = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR | EPOLLPRI
        let writeEvents = EPOLLOUT | EPOLLHUP | EPOLLERR
        let (r, w) = state.withLock { s in
            (events & readEvents != 0 ? Self.markReady(&s.read) : nil,
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
            publishExpiry(s)
            return (r, w)
        }
        r?.resume(returning: .closing)
        w?.resume(returning: .closing)
    }

    /// Sets, moves or clears (nil) the deadline of each direction in `directions`. A deadline
    /// at or before now fails the waiter and every later operation with `.timeout`; a future
    /// one arms a poller timer; moving or clearing it makes the direction usable again.
    package func setDeadline(_ deadline: ContinuousClock.Instant?, _ directions: [Direction]) {
        let now = ContinuousClock.now
        var resume: [UnsafeContinuation<Wake, Never>] = []
        var timers: [(ContinuousClock.Instant, Direction, UInt64)] = []
        state.withLock { s in
            for d in directions {
                s[d].sequence &+= 1
                s[d].deadline = deadline
                s[d].expired = false
                guard let deadline else { continue }
                if deadline <= now {
                    s[d].expired = true
                    if let w = s[d].waiter {
                        s[d].waiter = nil
                        resume.append(w)
                    }
                } else {
                    timers.append((deadline, d, s[d].sequence))
                }
            }
            publishExpiry(s)
        }
        for (when, d, sequence) in timers { poller.addTimer(at: when, for: self, d, sequence) }
        for w in resume { w.resume(returning: .timeout) }
    }

    /// A poller timer fired: expire the direction if its deadline is still the one the timer
    /// was armed for.
    func timerFired(_ d: Direction, _ sequence: UInt64) {
        let waiter = state.withLock { s -> UnsafeContinuation<Wake, Never>? in
            guard s[d].sequence == sequence, !s[d].expired else { return nil }
            s[d].expired = true
            publishExpiry(s)
            let w = s[d].waiter
            s[d].waiter = nil
            return w
        }
        waiter?.resume(returning: .timeout)
    }

    /// Whether a timer armed with `sequence` still matters (used to drop stale timers).
    func timerIsCurrent(_ d: Direction, _ sequence: UInt64) -> Bool {
        state.withLock { s in s[d].sequence == sequence && !s[d].expired }
    }

    /// Copies the expired bits into `flags`; called with the lock held so the bits never go
    /// backwards relative to the state.
    private func publishExpiry(_ s: State) {
        var bits: UInt8 = s.closing ? Self.closingBit : 0
        if s.read.expired { bits |= Self.readExpiredBit }
        if s.write.expired { bits |= Self.writeExpiredBit }
        flags.store(bits, ordering: .releasing)
    }

    private static func expiredBit(_ d: Direction) -> UInt8 {
        d == .read ? readExpiredBit : writeExpiredBit
    }
}
