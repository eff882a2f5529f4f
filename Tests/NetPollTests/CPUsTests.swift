@testable import NetPoll
import Testing

@Suite struct CPUsTests {
    @Test(arguments: [("0", 1), ("0-1", 2), ("0-3,6", 5), ("0,2,4-7", 6), ("", 0)])
    func cpuListsAreCounted(_ list: String, _ count: Int) {
        #expect(CPUs.countCPUs(in: list[...]) == count)
    }

    @Test func theAffinityMaskBoundsThePollers() throws {
        #expect(CPUs.allowed >= 1)
        #expect(try PollerGroup.all().count == CPUs.allowed)
    }
}
