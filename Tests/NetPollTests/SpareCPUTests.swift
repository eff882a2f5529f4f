// Reading idle CPU from /proc/stat.
@testable import NetPoll
import Testing

@Suite struct SpareCPUTests {
    static let sample = """
        cpu  1096637 0 1022528 2855700 18647 0 145771 1251 0 0
        cpu0 548000 0 511000 1427000 9000 0 72000 600 7 0
        cpu1 548637 0 511528 1428700 9647 0 73771 651 5 0
        intr 123456 1 2 3
        ctxt 987654
        """

    @Test func idleIsIdlePlusIOWaitAndTotalStopsAtSteal() {
        // guest (7 and 5) is already counted in user, so it is not added again.
        let cpu0 = SpareCPU.Ticks(idle: 1_427_000 + 9000, total: 548_000 + 511_000 + 1_427_000 + 9000 + 72000 + 600, cpus: 1)
        #expect(SpareCPU.ticks(inProcStat: Self.sample, cpus: [0]) == cpu0)
        let both = SpareCPU.ticks(inProcStat: Self.sample, cpus: [0, 1])
        #expect(both?.cpus == 2)
        #expect(both?.idle == 1_427_000 + 9000 + 1_428_700 + 9647)
    }

    @Test func cpusOutsideTheMaskOrMissingAreNotCounted() {
        #expect(SpareCPU.ticks(inProcStat: Self.sample, cpus: [1, 7])?.cpus == 1)
        #expect(SpareCPU.ticks(inProcStat: Self.sample, cpus: [5]) == nil)
        #expect(SpareCPU.ticks(inProcStat: Self.sample, cpus: []) == nil)
        #expect(SpareCPU.ticks(inProcStat: "garbage\n", cpus: [0]) == nil)
    }

    /// The cpu lines come first: a parse that stops at the first other line finds none after it.
    @Test func theParseStopsAtTheFirstLineThatIsNotACPU() {
        let late = Self.sample + "\ncpu9 1 0 1 1 0 0 0 0 0 0"
        #expect(SpareCPU.ticks(inProcStat: late, cpus: [9]) == nil)
        #expect(SpareCPU.ticks(inProcStat: late, cpus: [0, 1, 9])?.cpus == 2)
    }

    @Test func spareIsTheIdleShareTimesTheCPUs() {
        let earlier = SpareCPU.Ticks(idle: 100, total: 1000, cpus: 2)
        // 20 ticks passed, 5 of them idle: a quarter of two CPUs.
        #expect(SpareCPU.spareCPUs(from: earlier, to: .init(idle: 105, total: 1020, cpus: 2)) == 0.5)
        #expect(SpareCPU.spareCPUs(from: earlier, to: .init(idle: 120, total: 1020, cpus: 2)) == 2)
        #expect(SpareCPU.spareCPUs(from: earlier, to: earlier) == nil)
        #expect(SpareCPU.spareCPUs(from: earlier, to: .init(idle: 90, total: 1020, cpus: 2)) == nil)
    }
}
