// PollDesc.beginCovering: a task's waits on an fd park with no cancellation handler, and the
// task's canceller wakes them (cancelCoveredWaits), as serve does for its handlers. Only the
// covering task's own waits may rely on it; every other task's wait, and the covering task's
// waits once the cover ends, must still wake on its own cancellation. Each check that a wait is
// covered (or not) reads the parked waiter, so a cover that silently never applied fails here,
// not only in a benchmark.
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
        let owner = CoveringTask(a) { _ = try await a.read(1) }
        #expect(try await parkedReaderIsCovered(a))
        owner.cancel()
        #expect(await failureWithin(owner.task, closingAfter2s: a) == .canceled)
        // The fd still works, for a task that does not cover it.
        try await b.write([9])
        #expect(try await a.read(1) == [9])
    }

    @Test func cancellingTheCoveringTaskWakesItsParkedWrite() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let big = [UInt8](repeating: 0x61, count: 8 << 20)   // more than any socket buffer
        let owner = CoveringTask(a) { try await a.write(big) }
        try #require(await parks(a, .write), "no writer parked")
        #expect(a.desc.parked(.write) == .covered)
        owner.cancel()
        #expect(await failureWithin(owner.task, closingAfter2s: a) == .canceled)
    }

    /// Cancellation alone does not wake a covered wait: the canceller's `cancelCoveredWaits`
    /// does. (The cover is only for tasks whose handle is the one way to cancel them.)
    @Test func aCoveredWaitIsWokenByTheCancellerNotByTheFlag() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let owner = CoveringTask(a) { _ = try await a.read(1) }
        #expect(try await parkedReaderIsCovered(a))
        owner.task.cancel()
        try await Task.sleep(for: .milliseconds(50))
        #expect(a.desc.parked(.read) == .covered)
        a.desc.cancelCoveredWaits()
        #expect(await failureWithin(owner.task, closingAfter2s: a) == .canceled)
    }

    /// A task the covering task starts is not covered: cancelling it alone wakes its read.
    @Test func anotherTasksWaitOnACoveredFDWakesOnItsOwnCancellation() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let release = AsyncStream<Void>.makeStream()
        let owner = CoveringTask(a) { () async throws in
            let reader = failureOf { _ = try await a.read(1) }
            #expect(try await parkedReaderIsCovered(a) == false)
            reader.cancel()
            #expect(await failureWithin(reader, closingAfter2s: a) == .canceled)
            for await _ in release.stream { break }
        }
        release.continuation.yield()
        #expect(await owner.task.value == nil)
    }

    /// Once `endCovering` runs, the task's waits install their own handler again, and another
    /// task may cover the fd.
    @Test func theCoverEndsWithEndCovering() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        #expect(await Task { a.desc.beginCovering() }.value)
        a.desc.endCovering()
        let reader = failureOf { _ = try await a.read(1) }
        #expect(try await parkedReaderIsCovered(a) == false)
        reader.cancel()
        #expect(await failureWithin(reader, closingAfter2s: a) == .canceled)

        let second = CoveringTask(a) { _ = try await a.read(1) }
        #expect(try await parkedReaderIsCovered(a))
        second.cancel()
        #expect(await failureWithin(second.task, closingAfter2s: a) == .canceled)
    }

    /// While one task covers the fd, another's `beginCovering` fails and its waits are not
    /// covered.
    @Test func aSecondCoverWhileTheFirstHoldsRunsUncovered() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let (c, d) = try pollPair()
        defer { try? c.close(); try? d.close() }
        let first = CoveringTask(a) { _ = try await c.read(1) }   // holds the cover
        try #require(await parks(c, .read), "the first task did not park")
        let second = CoveringTask(a) { _ = try await a.read(1) }
        #expect(try await parkedReaderIsCovered(a) == false)
        second.task.cancel()   // its wait has its own handler: the flag alone wakes it
        #expect(await failureWithin(second.task, closingAfter2s: a) == .canceled)
        first.cancel()
        #expect(await failureWithin(first.task, closingAfter2s: c) == .canceled)
    }

    /// A covering task cancelled before it waits fails at once, without parking: the wait sees
    /// the task's flag, although `cancelCoveredWaits` found nobody to wake.
    @Test func aCoveredWaitInACancelledTaskFailsAtOnce() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let owner = CoveringTask(a) {
            while !Task.isCancelled { await Task.yield() }
            _ = try await a.read(1)
        }
        owner.cancel()
        #expect(await failureWithin(owner.task, closingAfter2s: a) == .canceled)
    }
}

/// A task that covers `fd`'s waits while it runs `body`, as serve's handler tasks do, with
/// their way of being cancelled: cancel the task, then wake its covered waits.
private struct CoveringTask: Sendable {
    let task: Task<PollError?, Never>
    let fd: PollFD

    init(_ fd: PollFD, _ body: @escaping @Sendable () async throws -> Void) {
        self.fd = fd
        task = failureOf {
            let covered = fd.desc.beginCovering()
            defer { if covered { fd.desc.endCovering() } }
            try await body()
        }
    }

    func cancel() {
        task.cancel()
        fd.desc.cancelCoveredWaits()
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
