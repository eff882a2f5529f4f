// Go's internal/poll fd_mutex_test.go, ported: the reference count and closed bit that keep an
// fd number from being reused under an operation.
@testable import NetPoll
import Synchronization
import TestSupport
import Testing

@Suite(.fdLeakCheck)
struct FDMutexTests {
    @Test func lockAndReferenceCounting() async throws {
        let mu = SharedFDMutex()
        try mu.incref()
        #expect(!mu.decref())
        try await mu.lock(.read)
        #expect(!mu.unlock(.read))
        try await mu.lock(.write)
        #expect(!mu.unlock(.write))
    }

    @Test func closeRefusesNewReferencesAndTheLastOneDestroys() async throws {
        let mu = SharedFDMutex()
        #expect(mu.increfAndClose())
        #expect(throws: PollError.closing) { try mu.incref() }
        await #expect(throws: PollError.closing) { try await mu.lock(.read) }
        await #expect(throws: PollError.closing) { try await mu.lock(.write) }
        #expect(!mu.increfAndClose(), "a second close must fail")
        #expect(mu.decref(), "the close's own reference is the last one")
    }

    @Test func closeWaitsForOperationsInFlight() async throws {
        let mu = SharedFDMutex()
        try await mu.lock(.read)
        try mu.incref()
        #expect(mu.increfAndClose())
        #expect(!mu.decref(), "the read and the misc reference are still in flight")
        #expect(!mu.decref())
        #expect(mu.unlock(.read), "the last operation to finish destroys the fd")
    }

    @Test func closeWakesLockWaiters() async throws {
        let mu = SharedFDMutex()
        try await mu.lock(.read)
        try await mu.lock(.write)
        let readers = (0..<4).map { _ in Task { () async -> PollError? in
            do { try await mu.lock(.read); return nil } catch { return error as? PollError }
        } }
        let writers = (0..<4).map { _ in Task { () async -> PollError? in
            do { try await mu.lock(.write); return nil } catch { return error as? PollError }
        } }
        try await Task.sleep(for: .milliseconds(20))
        #expect(mu.increfAndClose())
        for t in readers + writers { #expect(await t.value == .closing) }
        #expect(!mu.unlock(.read))
        #expect(!mu.unlock(.write))
        #expect(mu.decref())
    }

    @Test func aCancelledLockWaiterLeavesTheQueue() async throws {
        let mu = SharedFDMutex()
        try await mu.lock(.read)
        let waiter = Task { () async -> PollError? in
            do { try await mu.lock(.read); return nil } catch { return error as? PollError }
        }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        #expect(await waiter.value == .canceled)
        #expect(!mu.unlock(.read))
        // The lock is free again: nobody was handed it.
        try await mu.lock(.read)
        #expect(!mu.unlock(.read))
    }

    @Test(.timeLimit(.minutes(1))) func waitersGetTheLockInArrivalOrder() async throws {
        let mu = SharedFDMutex()
        try await mu.lock(.write)
        let seen = Observations()
        // Child tasks, so the time limit's cancellation reaches a waiter left stranded.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<3 {
                group.addTask {
                    try await mu.lock(.write)
                    seen.order.withLock { $0.append(i) }
                    #expect(!mu.unlock(.write))
                }
                try #require(await sleepUntil { mu.waiterCount(.write) == i + 1 })   // queued before the next
            }
            #expect(!mu.unlock(.write))
            try await group.waitForAll()
        }
        #expect(seen.order.withLock { $0 } == [0, 1, 2])
        #expect(try mu.tryLock(.write), "the last waiter released the lock")
        #expect(!mu.unlock(.write))
    }

    @Test(.timeLimit(.minutes(1))) func aCancelledWaiterIsSkippedAndTheNextOneServed() async throws {
        let mu = SharedFDMutex()
        try await mu.lock(.read)
        let first = Task { () async -> PollError? in
            do { try await mu.lock(.read); return nil } catch { return error as? PollError }
        }
        try #require(await sleepUntil { mu.waiterCount(.read) == 1 })
        let second = Task { () async -> PollError? in
            do { try await mu.lock(.read); return nil } catch { return error as? PollError }
        }
        try #require(await sleepUntil { mu.waiterCount(.read) == 2 })
        first.cancel()
        #expect(await first.value == .canceled)
        #expect(!mu.unlock(.read))
        #expect(await second.value == nil, "the lock went to the waiter still queued")
        #expect(try !mu.tryLock(.read), "the second waiter holds it now")
        #expect(!mu.unlock(.read))
        #expect(try mu.tryLock(.read))
        #expect(!mu.unlock(.read))
    }

    /// Close in the middle of contention: every waiter wakes, and exactly one of all the
    /// unlocks and decrefs is told to destroy the fd.
    @Test(.timeLimit(.minutes(1))) func closeUnderContentionDestroysExactlyOnce() async throws {
        for _ in 0..<20 {
            let mu = SharedFDMutex()
            let seen = Observations()
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        while true {
                            let which: FDMutex.Lock = worker % 2 == 0 ? .read : .write
                            guard (try? await mu.lock(which)) != nil else { return }
                            await Task.yield()
                            if mu.unlock(which) { seen.destroys.add(1, ordering: .relaxed) }
                        }
                    }
                }
                group.addTask {
                    await Task.yield()
                    #expect(mu.increfAndClose())
                    await Task.yield()
                    if mu.decref() { seen.destroys.add(1, ordering: .relaxed) }
                }
            }
            #expect(seen.destroys.load(ordering: .relaxed) == 1)
        }
    }

    /// Go's TestMutexStress: many tasks taking every kind of reference; the read and write
    /// locks must each be held by at most one task at a time.
    @Test func stress() async throws {
        let mu = SharedFDMutex()
        let counters = StressCounters()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for i in 0..<500 {
                        switch (worker + i) % 3 {
                        case 0:
                            guard (try? await mu.lock(.read)) != nil else { continue }
                            if counters.readers.wrappingAdd(1, ordering: .relaxed).newValue != 1 { counters.violations.add(1, ordering: .relaxed) }
                            await Task.yield()
                            counters.readers.subtract(1, ordering: .relaxed)
                            _ = mu.unlock(.read)
                        case 1:
                            guard (try? await mu.lock(.write)) != nil else { continue }
                            if counters.writers.wrappingAdd(1, ordering: .relaxed).newValue != 1 { counters.violations.add(1, ordering: .relaxed) }
                            await Task.yield()
                            counters.writers.subtract(1, ordering: .relaxed)
                            _ = mu.unlock(.write)
                        default:
                            guard (try? mu.incref()) != nil else { continue }
                            _ = mu.decref()
                        }
                    }
                }
            }
        }
        #expect(counters.violations.load(ordering: .relaxed) == 0)
        #expect(mu.increfAndClose())
        #expect(mu.decref(), "every reference was returned")
    }
}

/// Shared counters for the stress test: how many tasks hold each lock, and how often two did.
final class StressCounters: Sendable {
    let readers = Atomic<Int>(0)
    let writers = Atomic<Int>(0)
    let violations = Atomic<Int>(0)
}

/// What the hand-over and close tests saw: the order waiters got the lock, and how many calls
/// were told to destroy the fd.
final class Observations: Sendable {
    let order = Mutex<[Int]>([])
    let destroys = Atomic<Int>(0)
}

/// An FDMutex that tasks can share, as they share a PollFD's: FDMutex itself is a noncopyable
/// struct stored inline in its PollFD.
final class SharedFDMutex: Sendable {
    private let mutex = FDMutex()

    func incref() throws(PollError) { try mutex.incref() }
    func decref() -> Bool { mutex.decref() }
    func lock(_ which: FDMutex.Lock) async throws(PollError) { try await mutex.lock(which) }
    func tryLock(_ which: FDMutex.Lock) throws(PollError) -> Bool { try mutex.tryLock(which) }
    func unlock(_ which: FDMutex.Lock) -> Bool { mutex.unlock(which) }
    func increfAndClose() -> Bool { mutex.increfAndClose() }
    func waiterCount(_ which: FDMutex.Lock) -> Int { mutex.waiterCount(which) }
}
