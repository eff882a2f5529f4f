@testable import NetPoll
import Testing

@Suite struct CPUsTests {
    @Test(arguments: [
        ("0", [0]), ("0-1", [0, 1]), ("0-3,6", [0, 1, 2, 3, 6]), ("0,2,4-7", [0, 2, 4, 5, 6, 7]), ("", []),
        (" 1-2\t", [1, 2]), ("3-1", []),
    ])
    func cpuListsAreRead(_ list: String, _ cpus: [Int]) {
        #expect(CPUs.cpus(in: list[...]) == cpus)
    }

    @Test func theAffinityMaskBoundsThePollers() throws {
        #expect(CPUs.allowed >= 1)
        #expect(CPUs.allowedList.count == CPUs.allowed)
        #expect(try PollerGroup.all().count == CPUs.allowed)
    }
}
