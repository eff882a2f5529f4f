// Which poller an accepted connection's fd joins.
//
// The accept loop runs on its listener's poller. A connection registered with that same poller
// starts its handler right there, on a thread already running; one given to another poller costs
// a queue under a lock, an eventfd write and the wake-up of a thread that is likely asleep, which
// takes tens of microseconds on a VM. With short connections that hand-off is most of the
// server's work: unix connect+echo+close with 2 pollers on the 2-CPU VM ran at 34k conns/s
// spread in turn, 55k kept on the accepting poller; over TCP 16k against 29k.
//
// Spreading pays only when the other poller's thread gets a CPU of its own. When every CPU is
// busy, a second thread just shares one with whatever runs there (the clients, say) and the
// cross-CPU wake-ups are pure cost; the kernel's own wake_affine reasons the same way when it
// places a woken thread. So:
//
// - With a spare CPU (at least half a CPU idle lately), connections are spread: each goes to the
//   poller holding the fewest fds. (Not simply the next in turn: that counter is shared with
//   dials, and a process that dials one connection per accept, a proxy or a test, would see its
//   accepts all land on every other poller.)
// - Without one, they stay on the accepting poller.
// - Either way, a poller never holds `imbalanceLimit` more registrations than the least loaded
//   one: a connection outlives the moment it was placed, and a busy spell must not leave every
//   long-lived connection on one thread once CPUs free up again. Unless the connections given
//   away for that keep closing at once: then RebalancePolicy tolerates more (at most an eighth
//   of the least loaded poller's count), for a while.
import Synchronization

package enum Placement {
    /// How many more registrations than the least loaded poller the accepting one may hold
    /// before it gives new connections away regardless of spare CPU.
    static let imbalanceLimit = 16
    /// Idle CPU (in CPUs) from which another poller counts as having a CPU to run on.
    static let spareThreshold = 0.5

    enum Choice: Equatable {
        /// The accepting poller.
        case local
        /// The poller at this index, the least loaded: a CPU is spare.
        case leastLoaded(Int)
        /// The poller at this index, the least loaded: the accepting one is over the limit.
        case rebalance(Int)
    }

    /// The most slack RebalancePolicy may add to the limit when the least loaded poller holds
    /// `leastCount` fds: an eighth of it (and at least the limit itself).
    static func slackCap(leastCount: Int) -> Int {
        Swift.max(imbalanceLimit, leastCount / 8)
    }

    /// Where a connection accepted on the poller holding `localCount` registrations goes, given
    /// every poller's count (the accepting one's included) and the spare CPU. Among pollers
    /// equally loaded, the first at or after index `turn` (mod the count) is least loaded, so
    /// ties go round. `counts` is any collection indexed from 0, so the accept path can pass a
    /// lazy view of the pollers' counters instead of allocating an array per connection.
    /// `slack` is RebalancePolicy's extra tolerance, asked only when the limit is reached.
    static func choose<Counts: RandomAccessCollection<Int>>(
        localCount: Int, counts: Counts, spareCPUs: Double, turn: Int = 0, slack: () -> Int = { 0 }
    ) -> Choice where Counts.Index == Int {
        let n = counts.count
        guard n > 1 else { return .local }
        // The turn counter may wrap around to negative numbers: take it as unsigned.
        let start = Int(UInt(bitPattern: turn) % UInt(n))
        var least = start
        var leastCount = counts[start]
        for step in 1..<n {
            let i = (start + step) % n
            let count = counts[i]
            if count < leastCount { (least, leastCount) = (i, count) }
        }
        if spareCPUs >= spareThreshold { return .leastLoaded(least) }
        guard localCount >= leastCount + imbalanceLimit else { return .local }
        let tolerated = Swift.min(slack(), slackCap(leastCount: leastCount))
        return localCount >= leastCount + imbalanceLimit + tolerated ? .rebalance(least) : .local
    }
}

extension PollerGroup {
    /// Where the search for the least loaded poller starts, moved on by every placement.
    private static let acceptTurn = Atomic<Int>(0)

    /// Whether giving connections away to even out the pollers has been paying off.
    private static let rebalancing = Mutex(RebalancePolicy())

    /// Where a connection that `listener`'s poller accepted is registered: that poller itself
    /// while no CPU is spare, else the least loaded (see Placement). `rebalancing` says the
    /// limit sent it away: its registration then reports how long it lived (`rebalancedClosed`).
    package static func poller(forConnectionAcceptedBy listener: Poller) throws(PollError) -> (poller: Poller, rebalancing: Bool) {
        let pollers = try all()
        guard pollers.count > 1 else { return (listener, false) }
        let counts = pollers.lazy.map(\.registrationCount)
        let turn = acceptTurn.wrappingAdd(1, ordering: .relaxed).oldValue
        let choice = Placement.choose(localCount: listener.registrationCount, counts: counts, spareCPUs: SpareCPU.current(), turn: turn) {
            rebalancing.withLock { $0.slack(at: .now) }
        }
        switch choice {
        case .local: return (listener, false)
        case .leastLoaded(let i): return (pollers[i], false)
        case .rebalance(let i): return (pollers[i], true)
        }
    }

    /// A connection the limit sent away closed after `lifetime`.
    static func rebalancedClosed(after lifetime: Duration) {
        rebalancing.withLock { $0.givenAwayClosed(after: lifetime, at: .now) }
    }

    /// Forgets what rebalancing has seen, for tests that check the limit itself.
    package static func resetRebalancing() {
        rebalancing.withLock { $0 = RebalancePolicy() }
    }
}
