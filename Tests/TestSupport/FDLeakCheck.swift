// Leak accounting that holds while Swift Testing runs tests in parallel.
//
// All test targets link into one test process, so a before/after count of /proc/self/fd is only
// meaningful if nothing else opens or closes fds meanwhile. Every suite that touches fds carries
// `.fdLeakCheck`; the trait runs each test alone behind a process-wide gate, lists the open fds
// before and after, and records an issue naming each fd the test left open.
import Glibc
import NetPoll
import Synchronization
public import Testing

/// Runs each test of the suite alone and fails it if it leaves an fd open.
///
/// ```swift
/// @Suite(.fdLeakCheck) struct SocketpairTests { ... }
/// ```
public struct FDLeakCheck: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // The suite-level scope just runs its tests; each test case is checked on its own.
        guard testCase != nil else { return try await function() }
        try await TestGate.shared.exclusively {
            await warmUpRuntimeOnce()
            trace("begin \(test.name)")
            defer { trace("end \(test.name)") }
            let before = openFileDescriptors()
            try await function()
            let leaked = await settledLeaks(since: before)
            if !leaked.isEmpty {
                let names = leaked.sorted().map { "\($0) -> \(fdTarget($0))" }
                Issue.record("leaked \(leaked.count) fd(s): \(names.joined(separator: ", "))")
            }
        }
    }
}

extension Trait where Self == FDLeakCheck {
    /// Serialises the tests of a suite with every other leak-checked test and fails any test
    /// that leaves an fd open.
    public static var fdLeakCheck: Self { FDLeakCheck() }
}

/// With SWIFTNET_TEST_TRACE=1, each leak-checked test says when it takes and leaves the gate
/// (on stderr): a hanging test is then the last "begin" without its "end".
private let tracing = getenv("SWIFTNET_TEST_TRACE").map { String(cString: $0) == "1" } ?? false

private func trace(_ line: String) {
    guard tracing else { return }
    let bytes = Array("[fd-gate] \(line)\n".utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// The fds this test opened and has not closed. A child process being reaped, or a thread that
/// is still returning, may hold an fd for a moment: look again for up to a second before calling
/// it a leak, so the check is strict but not flaky. It polls with usleep, not Task.sleep, so the
/// check itself never makes the runtime open a timer fd.
private func settledLeaks(since before: Set<Int32>) async -> Set<Int32> {
    var leaked = notRuntimeTimers(openFileDescriptors().subtracting(before))
    var waited = 0
    while !leaked.isEmpty && waited < 1000 {
        usleep(20_000)
        waited += 20
        leaked = notRuntimeTimers(openFileDescriptors().subtracting(before))
    }
    return leaked
}

/// libdispatch, under Swift's concurrency runtime, opens one timerfd per timer clock and QoS
/// bucket on first use and keeps it for the life of the process (measured: a plain sleep opens
/// one, a sleep with a tolerance a second). SwiftNet never creates a timerfd (deadlines are
/// epoll_wait timeouts), so while the process holds no more timerfds than the runtime can make,
/// a new one is the runtime's, not the test's.
private func notRuntimeTimers(_ fds: Set<Int32>) -> Set<Int32> {
    let runtimeTimerLimit = 9   // 3 clocks x 3 QoS buckets in libdispatch
    let timers = openFileDescriptors().filter { fdTarget($0) == "anon_inode:[timerfd]" }
    guard timers.count <= runtimeTimerLimit else { return fds }
    return fds.filter { fdTarget($0) != "anon_inode:[timerfd]" }
}

private let runtimeWarmedUp = Mutex(false)

/// Some fds live as long as the process and are opened on first use: the concurrency runtime's
/// timerfd (the first time any task sleeps) and NetPoll's pollers (an epoll fd and an eventfd
/// each, like Go's netpoller). Open them before the first snapshot, so the first test that
/// sleeps or opens a socket is not blamed for them.
private func warmUpRuntimeOnce() async {
    let first = runtimeWarmedUp.withLock { done in
        defer { done = true }
        return !done
    }
    if first {
        try? await Task.sleep(for: .milliseconds(1))
        try? await Task.sleep(for: .milliseconds(1), tolerance: .seconds(1))
        PollerGroup.start()
    }
}

/// The fds open in this process now, from /proc/self/fd (without the directory's own fd).
public func openFileDescriptors() -> Set<Int32> {
    guard let dir = opendir("/proc/self/fd") else { return [] }
    defer { closedir(dir) }
    let own = dirfd(dir)
    var fds = Set<Int32>()
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if let fd = Int32(name), fd != own { fds.insert(fd) }
    }
    return fds
}

/// What an fd refers to ("socket:[1234]", "/tmp/x"), for leak reports.
public func fdTarget(_ fd: Int32) -> String {
    var buf = [CChar](repeating: 0, count: 512)
    let n = readlink("/proc/self/fd/\(fd)", &buf, buf.count - 1)
    guard n > 0 else { return "?" }
    return String(decoding: buf[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A process-wide FIFO async lock: one leak-checked test at a time, whatever its target.
public final class TestGate: Sendable {
    public static let shared = TestGate()

    private struct State {
        var busy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    public func exclusively<R: Sendable>(_ body: @Sendable () async throws -> R) async throws -> R {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let runNow = state.withLock { s -> Bool in
                if s.busy {
                    s.waiters.append(c)
                    return false
                }
                s.busy = true
                return true
            }
            if runNow { c.resume() }
        }
    }

    private func release() {
        // Hand the gate straight to the next waiter (busy stays true), resuming outside the lock.
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiters.isEmpty {
                s.busy = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}
