// When Balancer moves busy fds from one poller to another, and which way.
//
// Placement decides once, when a connection is accepted, from how busy the machine was just then;
// a connection outlives that moment. Two mistakes follow, and each has its move:
//
// - Consolidate. Connections spread while the machine was idle, and now every CPU is busy: the
//   two pollers of a 2-CPU VM share two CPUs with a local load generator, so each queues for a
//   CPU, handles fewer events per wake-up and wakes the other's peers across CPUs. 64-byte
//   ping-pong over 64 unix connections ran at 164k-192k round trips/s with the connections
//   32/32, 253k-266k with all on one poller (3.8 against 6-7.5 µs of server CPU per round
//   trip). The sign is in the pollers' own schedstat: two busy pollers spending a good share of
//   the time runnable but not running, while no CPU is idle. Then the less busy poller's busy
//   fds move to the busier one.
// - Spread. Connections stayed on one poller while no CPU was spare (Placement keeps them local
//   then), and now that poller runs flat out beside an idle CPU: a server whose clients are on
//   other machines would be held to one CPU for the life of its connections. Then half of the
//   saturated poller's busy fds move to the least busy poller.
//
// A move must be wanted on two ticks in a row, so one odd period moves nothing; after a move
// nothing moves for a while, so the loads settle before they are read again; and a move that
// undoes the one before doubles that while (up to half a minute), so two states that each
// look better from the other do not alternate. Pure, for tests: Balancer feeds it readings.

struct BalancePolicy {
    /// One poller's CPU over the last period: 1.0 is a whole CPU.
    struct Load: Equatable {
        /// The share it ran.
        var running: Double
        /// The share it was runnable but waiting for a CPU.
        var waiting: Double
    }

    /// What to do: move busy fds between pollers (indices into the readings).
    enum Move: Equatable {
        case none
        /// Every busy fd of `from` to `into`.
        case consolidate(from: Int, into: Int)
        /// Half of the busy fds of `from` to `to`.
        case spread(from: Int, to: Int)
    }

    /// A poller running less than this is idle: it has nothing worth moving.
    static let busyShare = 0.1
    /// Busy pollers that together waited this long for a CPU are sharing CPUs with each other or
    /// with other threads. (Two pollers alone on two CPUs wait about 0.01; beside a load
    /// generator that keeps a CPU busy, 0.4.)
    static let queuedShare = 0.15
    /// A poller running this much has no time to spare.
    static let saturatedShare = 0.85
    /// A poller running less than this can take over work.
    static let lightShare = 0.5
    /// Ticks in a row that must want the same move.
    static let ticksToAgree = 2
    /// After a move, how long nothing else moves.
    static let settle: Duration = .seconds(1)
    /// The longest that gets after moves that undo each other.
    static let longestSettle: Duration = .seconds(32)

    private var candidate = Move.none
    private var agreed = 0
    private var lastMove = Move.none
    private var lastMoveAt: PollTime?
    private(set) var settling = Self.settle

    /// The move to make at `now`, given each poller's load over the last period and the idle
    /// CPUs of the machine (SpareCPU). Counts the move as made.
    mutating func decide(_ loads: [Load], spareCPUs: Double, at now: PollTime) -> Move {
        if let last = lastMoveAt, last.duration(to: now) < settling {
            (candidate, agreed) = (.none, 0)
            return .none
        }
        let wanted = Self.wanted(loads, spareCPUs: spareCPUs)
        if wanted == candidate {
            agreed += 1
        } else {
            (candidate, agreed) = (wanted, 1)
        }
        guard wanted != .none, agreed >= Self.ticksToAgree else { return .none }
        if let last = lastMoveAt, Self.undoes(wanted, lastMove), last.duration(to: now) < settling * 4 {
            settling = Swift.min(settling * 2, Self.longestSettle)
        } else {
            settling = Self.settle
        }
        (lastMove, lastMoveAt, candidate, agreed) = (wanted, now, .none, 0)
        return wanted
    }

    /// The move these readings call for, without regard to history.
    static func wanted(_ loads: [Load], spareCPUs: Double) -> Move {
        guard loads.count > 1, spareCPUs.isFinite else { return .none }
        let busy = loads.indices.filter { loads[$0].running >= busyShare }
        let spare = spareCPUs >= Placement.spareThreshold
        if !spare, busy.count >= 2, busy.reduce(0, { $0 + loads[$1].waiting }) >= queuedShare {
            let into = busy.max { loads[$0].running < loads[$1].running }!
            let from = busy.filter { $0 != into }.min { loads[$0].running < loads[$1].running }!
            return .consolidate(from: from, into: into)
        }
        if spare,
           let hot = loads.indices.max(by: { loads[$0].running < loads[$1].running }),
           loads[hot].running >= saturatedShare,
           let cold = loads.indices.min(by: { loads[$0].running < loads[$1].running }),
           cold != hot, loads[cold].running < lightShare {
            return .spread(from: hot, to: cold)
        }
        return .none
    }

    /// Whether `move` sends fds back the way `previous` sent them.
    static func undoes(_ move: Move, _ previous: Move) -> Bool {
        switch (move, previous) {
        case (.spread, .consolidate), (.consolidate, .spread): return true
        default: return false
        }
    }
}
