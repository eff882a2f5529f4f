// Moving an open fd to another poller (PollDesc.move), and Balancer's moves made of it: the fd
// leaves one epoll set for the other, parked operations are woken by the new poller, and a task
// that prefers the old poller runs on the new one's thread when the new one wakes it.
@testable import NetPoll
import Synchronization
import Syscall
import TestSupport
import Testing

@Suite(.fdLeakCheck, .enabled(if: CPUs.allowed > 1, "one CPU, one poller: nowhere to move an fd"))
struct PollDescMoveTests {
    @Test func aParkedReadIsWokenByTheNewPollerAndRunsOnItsThread() async throws {
        let pollers = try PollerGroup.all()
        let (old, new) = (pollers[0], pollers[1])
        try await Balancer.paused {
            let (a, b) = try pollPair(on: old)
            defer { try? a.close(); try? b.close() }
            let parked = Atomic<Bool>(false)
            let reader = Task(executorPreference: old) { () async throws -> (byte: [UInt8], onNew: Bool, onOld: Bool) in
                parked.store(true, ordering: .relaxed)
                let byte = try await a.read(1)
                return (byte, new.isPollerThread, old.isPollerThread)
            }
            #expect(waitUntil { parked.load(ordering: .relaxed) })
            try await Task.sleep(for: .milliseconds(20))   // into the wait
            let (oldCount, newCount) = (old.registrationCount, new.registrationCount)
            #expect(a.desc.move(to: new))
            #expect(a.poller === new)
            #expect(old.registrationCount == oldCount - 1 && new.registrationCount == newCount + 1)
            #expect(epollRegistrations(of: a.sysfd) == 1, "in the new poller's epoll set only")
            try await b.write([7])
            let got = try await withTimeLimit(.seconds(10), "the moved read") { try await reader.value }
            #expect(got.byte == [7])
            #expect(got.onNew && !got.onOld, "the wake-up came from the new poller: its thread runs the task")
        }
    }

    @Test func aMovedFDWorksBothWaysAndClosesCleanly() async throws {
        let pollers = try PollerGroup.all()
        try await Balancer.paused {
            let before = pollers.map(\.registrationCount)
            let (a, b) = try pollPair(on: pollers[0])
            #expect(a.desc.move(to: pollers[1]))
            #expect(b.desc.move(to: pollers[1]))
            #expect(a.desc.move(to: pollers[0]), "and back")
            for round in 0..<50 {
                try await a.write([UInt8(round)])
                #expect(try await b.read(1) == [UInt8(round)])
                try await b.write([UInt8(round)])
                #expect(try await a.read(1) == [UInt8(round)])
            }
            let (na, nb) = (a.sysfd, b.sysfd)
            try a.close()
            try b.close()
            #expect(pollers.map(\.registrationCount) == before)
            #expect(epollRegistrations(of: na) == 0 && epollRegistrations(of: nb) == 0)
        }
    }

    @Test func aDeadlineSetAfterAMoveFires() async throws {
        let pollers = try PollerGroup.all()
        try await Balancer.paused {
            let (a, b) = try pollPair(on: pollers[0])
            defer { try? a.close(); try? b.close() }
            #expect(a.desc.move(to: pollers[1]))
            try a.setDeadline(.now + .milliseconds(50), .read)
            #expect(await failureOfBlockedRead(a) == .timeout)
        }
    }

    @Test func aClosedFDOrOneAlreadyThereIsNotMoved() throws {
        let pollers = try PollerGroup.all()
        let (a, b) = try pollPair(on: pollers[0])
        defer { try? b.close() }
        #expect(!a.desc.move(to: pollers[0]))
        try a.close()
        #expect(!a.desc.move(to: pollers[1]))
        #expect(a.poller === pollers[0])
    }

    /// Consolidating moves the fds that had events lately, and leaves the idle ones; spreading
    /// moves half of the busy ones.
    @Test func balancerMovesBusyFDsOnly() async throws {
        let pollers = try PollerGroup.all()
        try await Balancer.paused {
            var pairs: [(PollFD, PollFD)] = []
            defer { for (a, b) in pairs { try? a.close(); try? b.close() } }
            for _ in 0..<8 { pairs.append(try pollPair(on: pollers[0])) }
            // Two epochs on, the registrations' first events (writable) are old news. (Once
            // the poller has delivered them: it stamps them with the epoch it finds then.)
            try await Task.sleep(for: .milliseconds(50))
            Balancer.nextEpoch()
            Balancer.nextEpoch()
            let busy = pairs.prefix(4)
            for (a, b) in busy {
                try await b.write([1])
                #expect(try await a.read(1) == [1])
            }
            let busyFDs = busy.map(\.0)
            #expect(waitUntil { busyFDs.allSatisfy { $0.desc.busy(inEpoch: Balancer.epoch) } })
            #expect(Balancer.perform(.consolidate(from: 0, into: 1), among: pollers) >= 4)
            #expect(busyFDs.allSatisfy { $0.poller === pollers[1] })
            #expect(pairs.suffix(4).allSatisfy { $0.0.poller === pollers[0] && $0.1.poller === pollers[0] }, "idle fds stay")

            let consolidated = busy.flatMap { [$0.0, $0.1] }.filter { $0.poller === pollers[1] }
            let moved = Balancer.perform(.spread(from: 1, to: 0), among: pollers)
            #expect(moved >= 2, "half of at least 4 busy fds")
            #expect(consolidated.contains { $0.poller === pollers[0] } && consolidated.contains { $0.poller === pollers[1] }, "some go, some stay")
        }
    }
}
