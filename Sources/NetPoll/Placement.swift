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
//
// A connection outlives the moment it was placed: a busy spell must not leave every long-lived
// connection on one thread once CPUs free up again, nor an idle moment leave them spread over
// pollers that then share the CPUs. Balancer corrects both later, by moving the busy ones.
// (An imbalance limit that gave connections away by count at accept did this job before; it sent
// short connections across for nothing, and would undo every consolidation.)
import Synchronization

package enum Placement {
    /// Idle CPU (in CPUs) from which another poller counts as having a CPU to run on.
    static let spareThreshold = 0.5

    enum Choice: Equatable {
        /// The accepting poller.
        case local
        /// The poller at this index, the least loaded: a CPU is spare.
        case leastLoaded(Int)
    }

    /// Where a connection accepted now goes, given every poller's count of registrations and
    /// the spare CPU. Among pollers equally loaded, the first at or after index `turn` (mod the
    /// count) is least loaded, so ties go round. `counts` is any collection indexed from 0, so
    /// the accept path can pass a lazy view of the pollers' counters instead of allocating an
    /// array per connection.
    static func choose<Counts: RandomAccessCollection<Int>>(
        counts: Counts, spareCPUs: Double, turn: Int = 0
    ) -> Choice where Counts.Index == Int {
        let n = counts.count
        guard n > 1, spareCPUs >= spareThreshold else { return .local }
        // The turn counter may wrap around to negative numbers: take it as unsigned.
        let start = Int(UInt(bitPattern: turn) % UInt(n))
        var least = start
        var leastCount = counts[start]
        for step in 1..<n {
            let i = (start + step) % n
            let count = counts[i]
            if count < leastCount { (least, leastCount) = (i, count) }
        }
        return .leastLoaded(least)
    }
}

extension PollerGroup {
    /// Where the search for the least loaded poller starts, moved on by every placement.
    private static let acceptTurn = Atomic<Int>(0)

    /// Where a connection that `listener`'s poller accepted is registered: that poller itself
    /// while no CPU is spare, else the least loaded (see Placement).
    package static func poller(forConnectionAcceptedBy listener: Poller) throws(PollError) -> Poller {
        let pollers = try all()
        guard pollers.count > 1 else { return listener }
        let spare = SpareCPU.current()
        guard spare >= Placement.spareThreshold else { return listener }
        let turn = acceptTurn.wrappingAdd(1, ordering: .relaxed).oldValue
        switch Placement.choose(counts: pollers.lazy.map(\.registrationCount), spareCPUs: spare, turn: turn) {
        case .local: return listener
        case .leastLoaded(let i): return pollers[i]
        }
    }
}
