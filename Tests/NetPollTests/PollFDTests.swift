import Glibc
@testable import NetPoll
import Syscall
import TestSupport
import Testing

/// Reads one byte from `fd` and returns how the read failed (nil if it read). A read still
/// blocked after 5 s is ended by closing the fd, so a deadline timer that never fires fails the
/// test with `.closing` instead of hanging the run.
func failureOfBlockedRead(_ fd: PollFD) async -> PollError? {
    await closing(fd, after: .seconds(5)) { () async -> PollError? in
        do throws(PollError) {
            _ = try await fd.read(1)
            return nil
        } catch {
            return error
        }
    }
}

/// Starts a task running `body`; its value is how `body` failed, nil if it returned.
func failureOf(_ body: @escaping @Sendable () async throws -> Void) -> Task<PollError?, Never> {
    Task {
        do {
            try await body()
            return nil
        } catch {
            return error as? PollError
        }
    }
}

/// Sets `fd`'s read deadline `ms` milliseconds from now and expects a blocked read to time out:
/// not before the deadline, and within 2 s (so a timer that fired for an older deadline, or
/// never, fails the test).
func expectReadTimesOut(_ fd: PollFD, afterDeadlineIn ms: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let start = ContinuousClock.now
    try fd.setDeadline(start + .milliseconds(ms), [.read])
    #expect(await failureOfBlockedRead(fd) == .timeout, sourceLocation: sourceLocation)
    let elapsed = elapsedMs(since: start)
    #expect(elapsed >= Double(ms), "timed out after \(elapsed) ms, before the deadline", sourceLocation: sourceLocation)
    #expect(elapsed < 2000, "timed out after \(elapsed) ms", sourceLocation: sourceLocation)
}

extension PollFD {
    func write(_ bytes: [UInt8]) async throws(PollError) {
        var written = 0
        try await write(bytes, written: &written)
    }

    /// Reads up to `count` bytes into fresh memory that lives across the suspension.
    func read(_ count: Int) async throws(PollError) -> [UInt8] {
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { raw.deallocate() }
        let n = try await read(into: raw)
        return Array(raw[..<n])
    }
}

/// Milliseconds since `start`.
func elapsedMs(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

@Suite(.fdLeakCheck)
struct PollFDTests {
    @Test func readParksUntilDataArrives() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        async let got = a.read(16)
        try await Task.sleep(for: .milliseconds(20))
        try await b.write(Array("ping".utf8))
        #expect(try await got == Array("ping".utf8))
    }

    @Test func readReturnsZeroAtEndOfStream() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close() }
        try b.close()
        #expect(try await a.read(16) == [])
    }

    @Test func zeroLengthReadReturnsAtOnce() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        #expect(try await a.read(0) == [])
    }

    @Test func closeWakesABlockedReadWithClosingWithin50ms() async throws {
        let (a, b) = try pollPair()
        defer { try? b.close() }
        let reader = Task { () async -> PollError? in
            do { _ = try await a.read(16); return nil } catch { return error as? PollError }
        }
        try await Task.sleep(for: .milliseconds(20))
        let start = ContinuousClock.now
        try a.close()
        let error = await reader.value
        #expect(error == .closing)
        #expect(elapsedMs(since: start) < 50)
    }

    @Test func operationsAfterCloseFailWithClosing() async throws {
        let (a, b) = try pollPair()
        defer { try? b.close() }
        try a.close()
        await #expect(throws: PollError.closing) { try await a.read(1) }
        await #expect(throws: PollError.closing) { try await a.write([1]) }
        #expect(throws: PollError.closing) { try a.close() }
        #expect(throws: PollError.closing) { try a.withFD { fd in fd } }
    }

    @Test func closeWaitsForTheLastOperationBeforeClosingTheNumber() async throws {
        let (a, b) = try pollPair()
        defer { try? b.close() }
        let fd = a.sysfd
        // An operation holds a reference: close marks the fd closed but must not free the number.
        try a.withFD { (_) throws(Errno) in
            try? a.close()
            #expect(Glibc.fcntl(fd, Glibc.F_GETFD) != -1, "fd \(fd) was closed under a running operation")
        }
        #expect(Glibc.fcntl(fd, Glibc.F_GETFD) == -1, "fd \(fd) is still open after the last reference")
    }

    @Test func aPastDeadlineFailsEvenWithDataBuffered() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        try await b.write([1, 2, 3])
        try a.setDeadline(.now - .seconds(1), [.read])
        await #expect(throws: PollError.timeout) { try await a.read(3) }
        // Clearing it makes the fd usable again, and the data is still there.
        try a.setDeadline(nil, [.read])
        #expect(try await a.read(3) == [1, 2, 3])
    }

    @Test func aFutureDeadlineWakesABlockedReadAndNotBefore() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let start = ContinuousClock.now
        try a.setDeadline(start + .milliseconds(50), [.read])
        await #expect(throws: PollError.timeout) { try await a.read(1) }
        let ms = elapsedMs(since: start)
        #expect(ms >= 50, "woke after \(ms) ms, before the deadline")
        #expect(ms < 1000)
    }

    @Test func extendingADeadlineKeepsTheReadWaiting() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        try a.setDeadline(.now + .milliseconds(30), [.read])
        let reader = Task { try await a.read(4) }
        try await Task.sleep(for: .milliseconds(10))
        try a.setDeadline(.now + .seconds(10), [.read])
        try await Task.sleep(for: .milliseconds(60))   // past the first deadline
        try await b.write(Array("late".utf8))
        #expect(try await reader.value == Array("late".utf8))
    }

    /// The timer armed for the first deadline fires early and must re-arm for the later one:
    /// the read times out then, neither at the first deadline nor never.
    @Test func aDeadlineMovedLaterFiresAtTheLaterTime() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        try a.setDeadline(.now + .milliseconds(30), [.read])
        try await expectReadTimesOut(a, afterDeadlineIn: 150)
    }

    @Test func aDeadlineMovedEarlierFiresAtTheEarlierTime() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        try a.setDeadline(.now + .seconds(3600), [.read])
        try await expectReadTimesOut(a, afterDeadlineIn: 50)
    }

    /// Cleared while its timer is armed, then set again later than that timer: the old timer
    /// finds the new deadline and re-arms for it.
    @Test func aDeadlineClearedAndSetAgainStillFires() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        try a.setDeadline(.now + .milliseconds(20), [.read])
        try a.setDeadline(nil, [.read])
        try await expectReadTimesOut(a, afterDeadlineIn: 100)
    }

    /// A deadline that expired, then moved into the future past the timer still armed, is met by
    /// that timer re-arming.
    @Test func anExpiredDeadlineMovedAheadFiresAgain() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        try a.setDeadline(.now + .milliseconds(10), [.read])
        #expect(await failureOfBlockedRead(a) == .timeout)
        try a.setDeadline(.now + .milliseconds(30), [.read])   // arms a timer
        try a.setDeadline(.now - .seconds(1), [.read])          // expired; that timer stays armed
        try await expectReadTimesOut(a, afterDeadlineIn: 100)   // later than it: no new timer
    }

    @Test func settingADeadlineInThePastWakesABlockedRead() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let reader = Task { () async -> PollError? in
            do { _ = try await a.read(1); return nil } catch { return error as? PollError }
        }
        try await Task.sleep(for: .milliseconds(20))
        try a.setDeadline(.now - .milliseconds(1), [.read])
        #expect(await reader.value == .timeout)
    }

    @Test func readAndWriteDeadlinesAreSeparate() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        try a.setDeadline(.now - .seconds(1), [.read])
        try await a.write([7])   // writing is unaffected
        #expect(try await b.read(1) == [7])
        await #expect(throws: PollError.timeout) { try await a.read(1) }
    }

    @Test func cancellingABlockedReadReturnsPromptly() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let reader = Task { () async -> PollError? in
            do { _ = try await a.read(1); return nil } catch { return error as? PollError }
        }
        try await Task.sleep(for: .milliseconds(20))
        let start = ContinuousClock.now
        reader.cancel()
        #expect(await reader.value == .canceled)
        #expect(elapsedMs(since: start) < 50)
        // The fd still works afterwards.
        try await b.write([9])
        #expect(try await a.read(1) == [9])
    }

    @Test func aWriteBlockedOnAFullBufferIsWokenByClose() async throws {
        let (a, b) = try pollPair()
        defer { try? b.close() }
        let big = [UInt8](repeating: 0x61, count: 8 << 20)   // more than any socket buffer
        let writer = Task { () async -> PollError? in
            do { try await a.write(big); return nil } catch { return error as? PollError }
        }
        try await Task.sleep(for: .milliseconds(50))
        try a.close()
        #expect(await writer.value == .closing)
    }

    /// The peer is a bare fd, never registered: since Linux 6.10 epoll holds a reference to a
    /// file while it polls it, so a polled peer closed just as its poller scans its first event
    /// is released by the poller thread a moment after close returns, and a write in between
    /// succeeds (measured: about 1 in 2,000 closes right after registering).
    @Test func writeToAClosedPeerIsBrokenPipeNotSIGPIPE() async throws {
        let (x, y) = try Syscall.socketpair(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_NONBLOCK | Syscall.SOCK_CLOEXEC, 0)
        let a = try PollFD(x)
        defer { try? a.close() }
        try Syscall.close(y)
        await #expect(throws: PollError.errno(.EPIPE)) { try await a.write([1]) }
    }

    @Test func largeTransfersArriveWhole() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let payload = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        async let sent: Void = a.write(payload)
        var received: [UInt8] = []
        while received.count < payload.count {
            received += try await b.read(65536)
        }
        try await sent
        #expect(received == payload)
    }

    @Test func twoReadersAreSerialised() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        async let first = a.read(1)
        async let second = a.read(1)
        try await Task.sleep(for: .milliseconds(20))
        try await b.write([1])
        try await Task.sleep(for: .milliseconds(20))
        try await b.write([2])
        let got = try await [first, second].flatMap { $0 }.sorted()
        #expect(got == [1, 2])
    }
}
