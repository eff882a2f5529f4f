// When Balancer moves fds, as a table of pollers' loads, then its memory: two ticks must agree,
// a move is followed by a settling time, and moves that undo each other settle longer.
@testable import NetPoll
import TestSupport
import Testing

@Suite struct BalancePolicyTests {
    typealias Load = BalancePolicy.Load

    static func l(_ running: Double, _ waiting: Double = 0) -> Load { Load(running: running, waiting: waiting) }

    @Test(arguments: [
        // (loads, spare CPUs) -> move
        // Two pollers sharing CPUs with a load generator (measured: 0.57/0.22 and 0.64/0.20).
        ([l(0.57, 0.22), l(0.64, 0.20)], 0.1, BalancePolicy.Move.consolidate(from: 0, into: 1)),
        ([l(0.64, 0.20), l(0.57, 0.22)], 0.1, .consolidate(from: 1, into: 0)),
        ([l(0.6, 0.1), l(0.6, 0.1)], 0.0, .consolidate(from: 1, into: 0)),    // a tie still picks two
        // Two pollers alone on two CPUs: they do not queue, so they stay spread.
        ([l(0.95, 0.01), l(0.95, 0.01)], 0.05, .none),
        // A CPU idle: no consolidation, however much they waited.
        ([l(0.57, 0.22), l(0.64, 0.20)], 0.8, .none),
        // Only one poller busy: nothing to consolidate (one connection, or churn beside idle ones).
        ([l(0.95, 0.3), l(0.02, 0.0)], 0.0, .none),
        // One poller flat out beside an idle CPU: spread to the idle poller.
        ([l(0.99, 0.0), l(0.01, 0.0)], 0.9, .spread(from: 0, to: 1)),
        ([l(0.2), l(0.9), l(0.3)], 1.0, .spread(from: 1, to: 0)),
        // Not saturated, or no CPU spare, or the other poller busy too: no spread.
        ([l(0.8, 0.0), l(0.01, 0.0)], 0.9, .none),
        ([l(0.99, 0.0), l(0.01, 0.0)], 0.3, .none),
        ([l(0.99, 0.0), l(0.6, 0.0)], 0.9, .none),
        // One poller, or no figure yet for the machine.
        ([l(0.9, 0.5)], 0.0, .none),
        ([l(0.57, 0.22), l(0.64, 0.20)], .infinity, .none),
    ])
    func wanted(_ loads: [Load], _ spare: Double, _ expected: BalancePolicy.Move) {
        #expect(BalancePolicy.wanted(loads, spareCPUs: spare) == expected)
    }

    static let sharing = [l(0.57, 0.22), l(0.64, 0.20)]
    static let saturatedBesideIdle = [l(0.99), l(0.01)]
    static let quiet = [l(0.01), l(0.01)]
    static let tick = Duration.milliseconds(200)

    @Test func aMoveNeedsTwoTicksInARow() {
        var policy = BalancePolicy()
        var now = PollTime.now
        #expect(policy.decide(Self.sharing, spareCPUs: 0, at: now) == .none)
        now = now + Self.tick
        #expect(policy.decide(Self.quiet, spareCPUs: 0, at: now) == .none, "interrupted")
        now = now + Self.tick
        #expect(policy.decide(Self.sharing, spareCPUs: 0, at: now) == .none)
        now = now + Self.tick
        #expect(policy.decide(Self.sharing, spareCPUs: 0, at: now) == .consolidate(from: 0, into: 1))
    }

    @Test func nothingMovesWhileSettling() {
        var policy = BalancePolicy()
        var now = PollTime.now
        _ = policy.decide(Self.sharing, spareCPUs: 0, at: now)
        now = now + Self.tick
        #expect(policy.decide(Self.sharing, spareCPUs: 0, at: now) != .none)
        let moved = now
        while moved.duration(to: now) < BalancePolicy.settle - Self.tick {
            now = now + Self.tick
            #expect(policy.decide(Self.sharing, spareCPUs: 0, at: now) == .none)
        }
        now = moved + BalancePolicy.settle
        _ = policy.decide(Self.sharing, spareCPUs: 0, at: now)
        now = now + Self.tick
        #expect(policy.decide(Self.sharing, spareCPUs: 0, at: now) != .none, "settled: it moves again")
    }

    /// Consolidate, spread, consolidate... each soon after the last: the settling time doubles
    /// each time, up to its longest; a move long after the last starts it over.
    @Test func movesThatUndoEachOtherSettleLonger() {
        var policy = BalancePolicy()
        var now = PollTime.now
        var expected = BalancePolicy.settle
        func move(_ loads: [Load], _ spare: Double) -> BalancePolicy.Move {
            _ = policy.decide(loads, spareCPUs: spare, at: now)
            now = now + Self.tick
            return policy.decide(loads, spareCPUs: spare, at: now)
        }
        #expect(move(Self.sharing, 0) == .consolidate(from: 0, into: 1))
        #expect(policy.settling == expected)
        for round in 0..<8 {
            now = now + policy.settling
            let wanted = round % 2 == 0 ? move(Self.saturatedBesideIdle, 0.9) : move(Self.sharing, 0)
            #expect(wanted != .none)
            expected = min(expected * 2, BalancePolicy.longestSettle)
            #expect(policy.settling == expected)
        }
        now = now + BalancePolicy.longestSettle * 5
        #expect(move(Self.saturatedBesideIdle, 0.9) != .none)
        #expect(policy.settling == BalancePolicy.settle)
    }
}

@Suite struct ThreadLoadTests {
    @Test func parsesSchedstat() {
        #expect(ThreadLoad.parse(schedstat: "1234 567 89\n") == ThreadLoad(running: 1234, waiting: 567))
        #expect(ThreadLoad.parse(schedstat: "") == nil)
        #expect(ThreadLoad.parse(schedstat: "12\n") == nil)
        #expect(ThreadLoad.parse(schedstat: "x 1 2\n") == nil)
    }

    @Test func sharesAreFractionsOfACPU() {
        let earlier = ThreadLoad(running: 1_000_000_000, waiting: 0)
        let later = ThreadLoad(running: 1_100_000_000, waiting: 40_000_000)
        let load = later.shares(since: earlier, over: .milliseconds(200))
        #expect(abs(load.running - 0.5) < 1e-9 && abs(load.waiting - 0.2) < 1e-9)
        #expect(earlier.shares(since: later, over: .milliseconds(200)) == BalancePolicy.Load(running: 0, waiting: 0), "backwards: nothing")
    }

    /// Every poller thread's schedstat can be read (CI's kernel has CONFIG_SCHED_INFO), and a
    /// poller that ran shows it.
    @Test func pollerThreadsCanBeRead() throws {
        for poller in try PollerGroup.all() {
            #expect(waitUntil { poller.threadIDForLoad > 0 })
            let load = try #require(ThreadLoad.read(thread: poller.threadIDForLoad))
            #expect(load.running > 0)
        }
    }
}
