// PollDesc.coveringWaits: one cancellation handler for a task's waits on an fd, instead of one
// per parked operation. Only the covering task's own waits may rely on it; every other task's
// wait, and the covering task's waits once the cover ends, must still wake on its own
// cancellation. Each check that a wait is covered (or not) reads the parked waiter, so a cover
// that silently never applied fails here, not only in a benchmark.
import Glibc
@testable import NetPoll
import Syscall
import TestSupport
import Testing

@Suite(.fdLeakCheck)
struct CoveredWaitTests {
    /// Waits until `fd` has a reader parked, and returns whether it is covered.
    private func parkedReaderIsCovered(_ fd: PollFD) async throws -> Bool {
        try #require(await parks(fd, .read), "no reader parked")
        return fd.desc.parked(.read) == .covered
    }

    @Test func cancellingTheCoveringTaskWakesItsParkedRead() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let owner = failureOf { try await a.desc.coveringWaits { _ = try await a.read(1) } }
        #expect(try await parkedReaderIsCovered(a))
        owner.cancel()
        #expect(await failureWithin(owner, closingAfter2s: a) == .canceled)
        // The fd still works, for a task that does not cover it.
        try await b.write([9])
        #expect(try await a.read(1) == [9])
    }

    @Test func cancellingTheCoveringTaskWakesItsParkedWrite() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let big = [UInt8](repeating: 0x61, count: 8 << 20)   // more than any socket buffer
        let owner = failureOf { try await a.desc.coveringWaits { try await a.write(big) } }
        try #require(await parks(a, .write), "no writer parked")
        #expect(a.desc.parked(.write) == .covered)
        owner.cancel()
        #expect(await failureWithin(owner, closingAfter2s: a) == .canceled)
    }

    /// A task the covering task starts is not covered: cancelling it alone wakes its read.
    @Test func anotherTasksWaitOnACoveredFDWakesOnItsOwnCancellation() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let release = AsyncStream<Void>.makeStream()
        let owner = Task {
            try await a.desc.coveringWaits { () async throws in
                let reader = failureOf { _ = try await a.read(1) }
                #expect(try await parkedReaderIsCovered(a) == false)
                reader.cancel()
                #expect(await failureWithin(reader, closingAfter2s: a) == .canceled)
                for await _ in release.stream { break }
            }
        }
        release.continuation.yield()
        try await owner.value
    }

    /// Once `coveringWaits` returns, the task's waits install their own handler again, and
    /// another task may cover the fd.
    @Test func theCoverEndsWithItsBody() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        try await a.desc.coveringWaits {}
        let reader = failureOf { _ = try await a.read(1) }
        #expect(try await parkedReaderIsCovered(a) == false)
        reader.cancel()
        #expect(await failureWithin(reader, closingAfter2s: a) == .canceled)

        let second = failureOf { try await a.desc.coveringWaits { _ = try await a.read(1) } }
        #expect(try await parkedReaderIsCovered(a))
        second.cancel()
        #expect(await failureWithin(second, closingAfter2s: a) == .canceled)
    }

    /// While one task covers the fd, another's `coveringWaits` just runs its body uncovered.
    @Test func aSecondCoverWhileTheFirstHoldsRunsUncovered() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let (c, d) = try pollPair()
        defer { try? c.close(); try? d.close() }
        let first = failureOf { try await a.desc.coveringWaits { _ = try await c.read(1) } }   // holds the cover
        try #require(await parks(c, .read), "the first task did not park")
        let second = failureOf { try await a.desc.coveringWaits { _ = try await a.read(1) } }
        #expect(try await parkedReaderIsCovered(a) == false)
        second.cancel()
        #expect(await failureWithin(second, closingAfter2s: a) == .canceled)
        first.cancel()
        #expect(await failureWithin(first, closingAfter2s: c) == .canceled)
    }

    /// A covering task cancelled before it waits fails at once, without parking.
    @Test func aCoveredWaitInACancelledTaskFailsAtOnce() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let owner = failureOf {
            while !Task.isCancelled { await Task.yield() }
            try await a.desc.coveringWaits { _ = try await a.read(1) }
        }
        owner.cancel()
        #expect(await failureWithin(owner, closingAfter2s: a) == .canceled)
    }
}

/// Whether an operation parks in `direction` on `fd` within 5 s.
private func parks(_ fd: PollFD, _ direction: PollDesc.Direction) async -> Bool {
    await sleepUntil { fd.desc.parked(direction) != .nobody }
}

/// The task's result, or `.closing` if cancellation did not wake its wait: after 2 s `fd` is
/// closed, which does.
private func failureWithin(_ task: Task<PollError?, Never>, closingAfter2s fd: PollFD) async -> PollError? {
    await closing(fd, after: .seconds(2)) { await task.value }
}
