// Moves busy fds between pollers after Placement has placed them (BalancePolicy says when).
//
// It ticks on whichever poller thread first finds a period passed, after that thread's events
// are delivered: no thread of its own, and nothing at all while every poller sleeps, when there
// is nothing to balance either. Each tick reads every poller thread's schedstat (ThreadLoad)
// and the machine's idle CPUs (SpareCPU), and moves an epoch on: each fd records the epoch of
// its last event, so the busy fds of a poller, the ones worth moving, are those with an event
// in this period or the last. A move is PollDesc.move: EPOLL_CTL_ADD on the new poller, DEL on
// the old, two system calls per fd.
import Synchronization

package enum Balancer {
    /// How often the loads are read.
    static let period: Duration = .milliseconds(200)

    private struct Tick {
        var policy = BalancePolicy()
        var readings: [ThreadLoad?] = []
        var readAt = PollTime.now
    }

    private static let ticks = Mutex(Tick())
    private static let epochCounter = Atomic<UInt8>(0)
    /// When the next tick is due, in PollTime nanoseconds: a plain load for every poller loop.
    private static let nextTickAt = Atomic<Int64>(0)
    /// Above 0 while tests that check where fds are placed run.
    private static let pauses = Atomic<Int>(0)

    /// The current epoch, moved on by every tick.
    static var epoch: UInt8 { epochCounter.load(ordering: .relaxed) }

    /// Called by each poller thread after it delivered its events: ticks if a period has passed
    /// since the last tick (and no other thread is ticking).
    static func tickIfDue(_ now: PollTime) {
        let due = nextTickAt.load(ordering: .relaxed)
        guard now.nanoseconds >= due,
              nextTickAt.compareExchange(expected: due, desired: (now + period).nanoseconds, ordering: .relaxed).exchanged
        else { return }
        tick(now)
    }

    private static func tick(_ now: PollTime) {
        // Paused, the epoch stays too: a test's fds stay busy until it moves the epoch itself.
        guard pauses.load(ordering: .relaxed) == 0, let pollers = try? PollerGroup.all(), pollers.count > 1 else { return }
        nextEpoch()
        let readings = pollers.map { ThreadLoad.read(thread: $0.threadIDForLoad) }
        let spare = SpareCPU.current()
        let move = ticks.withLock { t -> BalancePolicy.Move in
            defer { (t.readings, t.readAt) = (readings, now) }
            let interval = t.readAt.duration(to: now)
            // A reading missing, or from long ago (every poller slept): nothing to compare.
            guard t.readings.count == readings.count, interval < period * 3 else { return .none }
            var loads: [BalancePolicy.Load] = []
            for (earlier, later) in zip(t.readings, readings) {
                guard let earlier, let later else { return .none }
                loads.append(later.shares(since: earlier, over: interval))
            }
            return t.policy.decide(loads, spareCPUs: spare, at: now)
        }
        perform(move, among: pollers)
    }

    /// Moves the epoch on: an fd whose last event is two epochs old is no longer busy.
    static func nextEpoch() {
        epochCounter.wrappingAdd(1, ordering: .relaxed)
    }

    /// Makes `move` among `pollers`; returns how many fds moved.
    @discardableResult
    static func perform(_ move: BalancePolicy.Move, among pollers: [Poller]) -> Int {
        switch move {
        case .none:
            return 0
        case let .consolidate(from, into):
            return pollers[from].busyDescs(inEpoch: epoch).reduce(0) { $0 + ($1.move(to: pollers[into]) ? 1 : 0) }
        case let .spread(from, to):
            let busy = pollers[from].busyDescs(inEpoch: epoch)
            return stride(from: 1, to: busy.count, by: 2).reduce(0) { $0 + (busy[$1].move(to: pollers[to]) ? 1 : 0) }
        }
    }

    /// Runs `body` with automatic moves paused, for tests that check which poller an fd is on.
    package static func paused<R>(_ body: () async throws -> R) async rethrows -> R {
        pauses.add(1, ordering: .relaxed)
        defer { pauses.subtract(1, ordering: .relaxed) }
        return try await body()
    }
}
