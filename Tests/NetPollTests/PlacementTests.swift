// Where accepted connections go: the policy as a table, then the pollers' registration counts
// it reads and the group's answer on this machine's pollers.
@testable import NetPoll
import Syscall
import TestSupport
import Testing

@Suite struct PlacementPolicyTests {
    @Test(arguments: [
        // (every poller's count, spare CPUs) -> choice
        ([0, 0], 0.0, Placement.Choice.local),                 // busy machine: stay
        ([500, 0], 0.0, .local),                               // however uneven: Balancer's job
        ([0, 0], 0.5, .leastLoaded(0)),                        // half a CPU idle: spread
        ([3, 1, 2], 1.8, .leastLoaded(1)),
        ([0, 0], 0.49, .local),
        ([3], 2.0, .local),                                    // one poller: nothing to choose
        ([], 0.0, .local),
    ])
    func choice(_ counts: [Int], _ spare: Double, _ expected: Placement.Choice) {
        #expect(Placement.choose(counts: counts, spareCPUs: spare) == expected)
    }

    /// Ties among the least loaded go to the first at or after `turn`, so they go round.
    @Test func tiesGoRound() {
        let picks = (0..<6).map { Placement.choose(counts: [2, 1, 1, 1], spareCPUs: 1, turn: $0) }
        #expect(picks == [.leastLoaded(1), .leastLoaded(1), .leastLoaded(2), .leastLoaded(3), .leastLoaded(1), .leastLoaded(1)])
    }

    /// The turn counter wraps around: a negative turn still picks a poller that exists.
    @Test func aWrappedTurnStillPicksAPoller() {
        #expect(Placement.choose(counts: [1, 1, 1], spareCPUs: 1, turn: Int.min) == .leastLoaded(2))
        #expect(Placement.choose(counts: [1, 1, 1], spareCPUs: 1, turn: -1) == .leastLoaded(0))
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

    /// With no spare CPU a connection stays on the accepting poller, however many more fds it
    /// holds than the others (moving busy ones later is Balancer's job); with a spare CPU they
    /// go to every poller in turn. (On a one-CPU machine the one poller gets everything.)
    @Test func theGroupKeepsConnectionsLocalWithoutSpareCPU() throws {
        defer { SpareCPU.pretend(nil) }
        let pollers = try PollerGroup.all()
        let local = pollers.min { $0.registrationCount < $1.registrationCount }!
        SpareCPU.pretend(0)
        #expect(try PollerGroup.poller(forConnectionAcceptedBy: local) === local)

        // Load the accepting poller well above every other.
        var held: [PollFD] = []
        defer { for fd in held { try? fd.close() } }
        let othersMost = pollers.filter { $0 !== local }.map(\.registrationCount).max() ?? 0
        while local.registrationCount < othersMost + 40 {
            let (x, y) = try Syscall.socketpair(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_NONBLOCK | Syscall.SOCK_CLOEXEC, 0)
            held += [try PollFD(x, poller: local), try PollFD(y, poller: local)]
        }
        #expect(try PollerGroup.poller(forConnectionAcceptedBy: local) === local)
        for fd in held { try fd.close() }
        held = []

        SpareCPU.pretend(Double(pollers.count))
        var seen: [ObjectIdentifier] = []
        for _ in 0..<pollers.count * 2 {
            seen.append(ObjectIdentifier(try PollerGroup.poller(forConnectionAcceptedBy: local)))
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
