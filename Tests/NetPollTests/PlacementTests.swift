// Where accepted connections go: the policy as a table, then the pollers' registration counts
// it reads and the group's answer on this machine's pollers.
@testable import NetPoll
import Syscall
import TestSupport
import Testing

@Suite struct PlacementPolicyTests {
    static let limit = Placement.imbalanceLimit

    @Test(arguments: [
        // (accepting poller's count, every count, spare CPUs) -> choice
        (0, [0, 0], 0.0, Placement.Choice.local),                      // busy machine: stay
        (5, [5, 0], 0.0, .local),                                       // within the limit
        (limit - 1, [limit - 1, 0], 0.0, .local),                       // one short of it
        (limit, [limit, 0], 0.0, .rebalance(1)),                        // at the limit: give away
        (limit + 3, [2, limit + 3, 3], 0.0, .rebalance(0)),             // to the least loaded
        (0, [0, 0], 0.5, .leastLoaded(0)),                              // half a CPU idle: spread
        (3, [3, 1, 2], 1.8, .leastLoaded(1)),
        (0, [0, 0], 0.49, .local),
        (limit, [0, limit], 2.0, .leastLoaded(0)),                      // over the limit, but spreading anyway
        (3, [3], 2.0, .local),                                          // one poller: nothing to choose
        (3, [], 0.0, .local),
    ])
    func choice(_ local: Int, _ counts: [Int], _ spare: Double, _ expected: Placement.Choice) {
        #expect(Placement.choose(localCount: local, counts: counts, spareCPUs: spare) == expected)
    }

    /// RebalancePolicy's slack moves the limit, up to an eighth of the least loaded poller's
    /// count, and is asked for only once the plain limit is reached.
    @Test(arguments: [
        // (accepting poller's count, least loaded's count, slack) -> gives away
        (limit + 7, 0, 8, false),
        (limit + 8, 0, 8, true),
        (2 * limit - 1, 0, 1000, false),          // a small poller: the cap is the limit itself
        (2 * limit, 0, 1000, true),
        (800 + limit + 99, 800, 1000, false),     // cap: 800 / 8 = 100
        (800 + limit + 100, 800, 1000, true),
        (800 + limit + 100, 800, 0, true),
    ])
    func slackMovesTheLimit(_ local: Int, _ least: Int, _ slack: Int, _ givesAway: Bool) {
        let choice = Placement.choose(localCount: local, counts: [local, least], spareCPUs: 0) { slack }
        #expect(choice == (givesAway ? .rebalance(1) : .local))
    }

    @Test func slackIsAskedOnlyAtTheLimit() {
        var asked = 0
        _ = Placement.choose(localCount: Self.limit - 1, counts: [Self.limit - 1, 0], spareCPUs: 0) { asked += 1; return 0 }
        _ = Placement.choose(localCount: Self.limit, counts: [Self.limit, 0], spareCPUs: 1) { asked += 1; return 0 }
        #expect(asked == 0)
        _ = Placement.choose(localCount: Self.limit, counts: [Self.limit, 0], spareCPUs: 0) { asked += 1; return 0 }
        #expect(asked == 1)
    }

    /// Ties among the least loaded go to the first at or after `turn`, so they go round.
    @Test func tiesGoRound() {
        let picks = (0..<6).map { Placement.choose(localCount: 2, counts: [2, 1, 1, 1], spareCPUs: 1, turn: $0) }
        #expect(picks == [.leastLoaded(1), .leastLoaded(1), .leastLoaded(2), .leastLoaded(3), .leastLoaded(1), .leastLoaded(1)])
    }

    /// The turn counter wraps around: a negative turn still picks a poller that exists.
    @Test func aWrappedTurnStillPicksAPoller() {
        #expect(Placement.choose(localCount: 0, counts: [1, 1, 1], spareCPUs: 1, turn: Int.min) == .leastLoaded(2))
        #expect(Placement.choose(localCount: 0, counts: [1, 1, 1], spareCPUs: 1, turn: -1) == .leastLoaded(0))
    }
}

@Suite(.fdLeakCheck)
struct PlacementTests {
    @Test func registrationCountFollowsRegisterAndClose() throws {
        for poller in try PollerGroup.all() {
            let before = poller.registrationCount
            let (x, y) = try Syscall.socketpair(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_NONBLOCK | Syscall.SOCK_CLOEXEC, 0)
            let a = try PollFD(x, poller: poller)
            let b = try PollFD(y, poller: poller)
            #expect(poller.registrationCount == before + 2)
            try a.close()
            #expect(poller.registrationCount == before + 1)
            try b.close()
            #expect(poller.registrationCount == before)
        }
    }

    /// With no spare CPU a connection stays on the accepting poller until that poller holds
    /// `imbalanceLimit` more fds than the least loaded; then it goes there. With a spare CPU
    /// they go to every poller in turn. (On a one-CPU machine the one poller gets everything.)
    @Test func theGroupKeepsConnectionsLocalUntilTheLimit() throws {
        defer { SpareCPU.pretend(nil) }
        let pollers = try PollerGroup.all()
        let local = pollers.min { $0.registrationCount < $1.registrationCount }!
        SpareCPU.pretend(0)
        let first = try PollerGroup.poller(forConnectionAcceptedBy: local)
        #expect(first.poller === local && !first.rebalancing)

        // Load the accepting poller up to the limit above the least loaded other poller.
        var held: [PollFD] = []
        defer { for fd in held { try? fd.close() } }
        let othersLeast = pollers.filter { $0 !== local }.map(\.registrationCount).min() ?? Int.max
        while pollers.count > 1 && local.registrationCount < othersLeast + Placement.imbalanceLimit {
            let (x, y) = try Syscall.socketpair(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_NONBLOCK | Syscall.SOCK_CLOEXEC, 0)
            held += [try PollFD(x, poller: local), try PollFD(y, poller: local)]
        }
        // Other suites' short connections may have raised the slack: start from none.
        PollerGroup.resetRebalancing()
        let overLimit = try PollerGroup.poller(forConnectionAcceptedBy: local)
        #expect((overLimit.poller === local) == (pollers.count == 1))
        #expect(overLimit.rebalancing == (pollers.count > 1))
        for fd in held { try fd.close() }
        held = []

        SpareCPU.pretend(Double(pollers.count))
        var seen: [ObjectIdentifier] = []
        for _ in 0..<pollers.count * 2 {
            let placed = try PollerGroup.poller(forConnectionAcceptedBy: local)
            #expect(!placed.rebalancing)
            seen.append(ObjectIdentifier(placed.poller))
        }
        #expect(Set(seen).count == pollers.count, "a spare CPU spreads connections over every poller")
    }

    /// In this suite because the others here pretend: they run one at a time.
    @Test func thisMachineReportsAFigureWithinItsCPUs() async throws {
        _ = SpareCPU.current()
        try await Task.sleep(for: SpareCPU.refreshInterval + .milliseconds(50))
        let spare = SpareCPU.current()
        #expect(spare >= 0 && spare <= Double(CPUs.allowed), "\(spare) idle CPUs of \(CPUs.allowed)")
    }
}
