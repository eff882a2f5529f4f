// The poller as a task executor, many fds on one poller, and stale events.
import Glibc
@testable import NetPoll
import Synchronization
import Syscall
import TestSupport
import Testing

/// The kernel's name for the calling thread ("netpoll-0" on a poller).
func currentThreadName() -> String {
    guard let fd = try? Syscall.open("/proc/thread-self/comm", Syscall.O_RDONLY | Syscall.O_CLOEXEC, 0) else { return "?" }
    defer { try? Syscall.close(fd) }
    var buf = [UInt8](repeating: 0, count: 32)
    let n = (try? Syscall.read(fd, &buf)) ?? 0
    return String(decoding: buf[..<n].prefix { $0 != 0x0a }, as: UTF8.self)
}

@Suite(.fdLeakCheck)
struct PollerTests {
    @Test func aTaskPreferringThePollerResumesOnItsThread() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let poller = a.poller
        let task = Task(executorPreference: poller) { () async throws -> (String, String) in
            let before = currentThreadName()
            let got = try await a.read(1)
            #expect(got == [42])
            return (before, currentThreadName())
        }
        try await Task.sleep(for: .milliseconds(20))
        try await b.write([42])   // after the reader has parked: the poller's event resumes it
        let (before, after) = try await task.value
        #expect(before == poller.name, "the task started on \(before), not on \(poller.name)")
        #expect(after == poller.name, "the read resumed on \(after), not on \(poller.name)")
    }

    @Test func aThousandConnectionsOnOnePoller() async throws {
        let poller = try PollerGroup.all()[0]
        var pairs: [(PollFD, PollFD)] = []
        defer { for (a, b) in pairs { try? a.close(); try? b.close() } }
        for _ in 0..<1000 {
            let (x, y) = try Syscall.socketpair(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_NONBLOCK | Syscall.SOCK_CLOEXEC, 0)
            pairs.append((try PollFD(x, poller: poller), try PollFD(y, poller: poller)))
        }
        let snapshot = pairs
        // Every reader parks first, then every writer writes: 1,000 wake-ups from one epoll.
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for (i, (a, _)) in snapshot.enumerated() {
                group.addTask(executorPreference: poller) {
                    try await a.read(4) == Array("\(i % 10000)".utf8.prefix(4))
                }
            }
            try await Task.sleep(for: .milliseconds(50))
            for (i, (_, b)) in snapshot.enumerated() {
                try await b.write(Array("\(i % 10000)".utf8.prefix(4)))
            }
            var correct = 0
            for try await ok in group where ok { correct += 1 }
            #expect(correct == 1000)
        }
    }

    @Test func eventsForAClosedAndReusedSlotAreDropped() async throws {
        // A PollDesc registered, released and registered again gets a new generation: a token
        // from the first life no longer finds the second.
        var registry = Registry()
        let poller = try PollerGroup.all()[0]
        let first = registry.reserve()
        let old = PollDesc(fd: -1, poller: poller, slot: first.slot, generation: first.generation)
        registry.fill(first.slot, with: old)
        let oldToken = Registry.token(first.slot, first.generation)
        #expect(registry.lookup(oldToken) === old)
        registry.release(first.slot)
        let second = registry.reserve()
        #expect(second.slot == first.slot, "the slot is reused")
        #expect(second.generation != first.generation)
        let new = PollDesc(fd: -1, poller: poller, slot: second.slot, generation: second.generation)
        registry.fill(second.slot, with: new)
        #expect(registry.lookup(oldToken) == nil, "a stale event must not reach the new fd")
        #expect(registry.lookup(Registry.token(second.slot, second.generation)) === new)
    }

    @Test func movingADeadlineOnEveryReadDoesNotGrowTheTimerHeapWithoutBound() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let before = a.poller.timerCount
        for _ in 0..<20_000 {
            try a.setDeadline(.now + .seconds(3600), [.read])
        }
        let growth = a.poller.timerCount - before
        #expect(growth < 10_000, "the heap kept \(growth) stale timers")
        try a.setDeadline(nil, [.read])
    }

    /// Go's idle-timeout idiom moves the read deadline later before every read: the one armed
    /// timer re-arms when it fires instead, so the heap gets no entry per call.
    @Test func movingADeadlineLaterArmsNoNewTimer() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let before = a.poller.timerCount
        try a.setDeadline(.now + .seconds(3600), [.read, .write])
        for _ in 0..<1000 {
            try a.setDeadline(.now + .seconds(3600), [.read])
        }
        #expect(a.poller.timerCount - before == 2, "one timer per direction")
        try a.setDeadline(.now + .seconds(1800), [.read])   // earlier: a new timer
        #expect(a.poller.timerCount - before == 3)
    }

    /// A closed fd's timers are dropped when the heap compacts, with the fd's state: a closed
    /// connection is not kept until its deadline.
    @Test func aClosedFDsTimersGoAtTheNextCompaction() async throws {
        weak var closedDesc: PollDesc?
        do {
            let (a, b) = try pollPair(on: try PollerGroup.all()[0])
            closedDesc = a.desc
            try a.setDeadline(.now + .seconds(3600), [.read])
            try a.close()
            try b.close()
        }
        #expect(closedDesc != nil, "held by its timer until a compaction")
        // Enough timers of a live fd to compact the heap: each moves the deadline earlier.
        let (c, d) = try pollPair(on: try PollerGroup.all()[0])
        defer { try? c.close(); try? d.close() }
        let start = ContinuousClock.now + .seconds(3600)
        for i in 0..<10_000 {
            try c.setDeadline(start - .milliseconds(i), [.read])
        }
        #expect(closedDesc == nil, "the closed fd's timer survived compaction")
    }
}
