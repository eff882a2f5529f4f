@testable import NetPoll
import Testing

@Suite struct SpinPolicyTests {
    /// Counts the idle periods in which the policy declines to spin before it spins again.
    private func pauseLength(_ policy: inout SpinPolicy) -> Int {
        var skipped = 0
        while !policy.shouldSpin() { skipped += 1 }
        return skipped
    }

    /// One idle period in which the policy must choose to spin, and the spin's outcome.
    private func spin(_ policy: inout SpinPolicy, catching: Bool) {
        let spins = policy.shouldSpin()
        #expect(spins)
        if catching { policy.caught() } else { policy.missed() }
    }

    private func missRun(_ policy: inout SpinPolicy) {
        for _ in 0..<SpinPolicy.missesBeforePause { spin(&policy, catching: false) }
    }

    @Test func spinsWhileSpinningCatchesWork() {
        var policy = SpinPolicy()
        for _ in 0..<1000 { spin(&policy, catching: true) }
    }

    @Test func aFewMissesAmongCatchesDoNotPause() {
        var policy = SpinPolicy()
        for _ in 0..<100 {
            for _ in 0..<(SpinPolicy.missesBeforePause - 1) { spin(&policy, catching: false) }
            spin(&policy, catching: true)
        }
    }

    @Test func aRunOfMissesPausesAndRetriesThatKeepMissingPauseLonger() {
        var policy = SpinPolicy()
        var expected = SpinPolicy.firstPause
        for _ in 0..<12 {
            missRun(&policy)
            let paused = pauseLength(&policy)
            #expect(paused == expected)
            expected = min(expected * 2, SpinPolicy.longestPause)
        }
        #expect(expected == SpinPolicy.longestPause)
    }

    @Test func aCatchAfterRetryingMakesTheNextPauseShortAgain() {
        var policy = SpinPolicy()
        missRun(&policy)
        _ = pauseLength(&policy)
        missRun(&policy)
        let doubled = pauseLength(&policy)
        #expect(doubled == SpinPolicy.firstPause * 2)
        policy.caught()
        missRun(&policy)
        let reset = pauseLength(&policy)
        #expect(reset == SpinPolicy.firstPause)
    }
}
