// When the imbalance limit tolerates more: runs of connections it gave away that closed at once
// raise a slack, which wears off by half every half-life.
@testable import NetPoll
import Testing

@Suite struct RebalancePolicyTests {
    static let limit = Placement.imbalanceLimit
    static let short = RebalancePolicy.shortLifetime / 10
    static let long = RebalancePolicy.shortLifetime

    /// Reports `count` connections given away that lived `lifetime`, all at `now`.
    private func closed(_ policy: inout RebalancePolicy, _ count: Int, after lifetime: Duration, at now: PollTime) {
        for _ in 0..<count { policy.givenAwayClosed(after: lifetime, at: now) }
    }

    @Test func aRunOfShortLivedOnesRaisesTheSlackAndRunsDoubleIt() {
        var policy = RebalancePolicy()
        let now = PollTime.now
        #expect(policy.slack(at: now) == 0)
        closed(&policy, RebalancePolicy.shortInARow - 1, after: Self.short, at: now)
        #expect(policy.slack(at: now) == 0, "fewer than a run: noise")
        closed(&policy, 1, after: Self.short, at: now)
        #expect(policy.slack(at: now) == Self.limit)
        closed(&policy, RebalancePolicy.shortInARow, after: Self.short, at: now)
        #expect(policy.slack(at: now) == 3 * Self.limit)
        closed(&policy, RebalancePolicy.shortInARow, after: Self.short, at: now)
        #expect(policy.slack(at: now) == 7 * Self.limit)
    }

    /// One that stayed breaks the run: connections given away are paying off.
    @Test func aLongLivedOneBreaksTheRun() {
        var policy = RebalancePolicy()
        let now = PollTime.now
        for _ in 0..<50 {
            closed(&policy, RebalancePolicy.shortInARow - 1, after: Self.short, at: now)
            closed(&policy, 1, after: Self.long, at: now)
        }
        #expect(policy.slack(at: now) == 0)
    }

    @Test func theSlackHalvesEachHalfLife() {
        var policy = RebalancePolicy()
        let start = PollTime.now
        for _ in 0..<3 { closed(&policy, RebalancePolicy.shortInARow, after: Self.short, at: start) }
        #expect(policy.slack(at: start) == 7 * Self.limit)
        let half = RebalancePolicy.halfLife
        #expect(policy.slack(at: start + half / 2) == 7 * Self.limit)
        #expect(policy.slack(at: start + half) == 7 * Self.limit / 2)
        #expect(policy.slack(at: start + half * 2 + half / 2) == 7 * Self.limit / 4)
        #expect(policy.slack(at: start + half * 100) == 0)
    }

    /// A run after some decay doubles what is left, not what there was.
    @Test func aRunAfterDecayDoublesWhatIsLeft() {
        var policy = RebalancePolicy()
        let start = PollTime.now
        for _ in 0..<2 { closed(&policy, RebalancePolicy.shortInARow, after: Self.short, at: start) }
        let later = start + RebalancePolicy.halfLife
        closed(&policy, RebalancePolicy.shortInARow, after: Self.short, at: later)
        #expect(policy.slack(at: later) == (3 * Self.limit / 2) * 2 + Self.limit)
    }

    @Test func theSlackStopsGrowingBeforeItOverflows() {
        var policy = RebalancePolicy()
        let now = PollTime.now
        for _ in 0..<100 { closed(&policy, RebalancePolicy.shortInARow, after: Self.short, at: now) }
        #expect(policy.slack(at: now) == RebalancePolicy.largestSlack)
    }

    @Test func stampsMeasureSpansToTheMillisecond() {
        // Clear of the origin's first millisecond, whose stamp 0 is taken as 1.
        let start = PollTime.now + .seconds(5)
        #expect(start.stamp != 0)
        #expect((start + .milliseconds(1234)).stampDistance(from: start.stamp) == .milliseconds(1234))
        #expect((start + .milliseconds(1234) + .microseconds(999)).stampDistance(from: start.stamp) <= .milliseconds(1235))
    }
}
