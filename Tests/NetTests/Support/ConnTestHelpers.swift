// Helpers for the connection-behaviour suites (Conn*, Deadline*, Datagram*, Concurrency*Tests):
// connected pairs on real sockets, bounded waits, and timing. Everything lives in `CT` or has a
// `CT` prefix, so it cannot collide with the helpers of the other NetTests suites.
import Glibc
import Net
import Synchronization
import Syscall
import TestSupport
import Testing

/// The stream networks the connection tests run on.
enum CTStream: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case tcp, unix, unixpacket

    var testDescription: String { rawValue }

    /// tcp and unix: the byte-stream networks.
    static let streams: [CTStream] = [.tcp, .unix]
}

/// Both ends of one connection, and the directory of its socket file (unix kinds).
struct CTPair: Sendable {
    let kind: CTStream
    /// The dialing end.
    let client: SocketConn
    /// The accepted end.
    let server: SocketConn
    let dir: TemporaryDirectory?
    /// The unix socket path the listener had (nil for tcp).
    let path: String?

    /// Closes both ends (ignoring "already closed") and removes the directory.
    func close() {
        try? client.close()
        try? server.close()
        dir?.remove()
    }
}

/// A flag tasks can share (an Atomic cannot be captured by an escaping closure).
final class CTFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}

/// A counter tasks can share.
final class CTCounter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

/// A test-side time-out: a bounded wait ran out.
struct CTTimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out: \(what)" }
}

/// Resumes a continuation once, with whichever of several racers comes first. A racer may
/// finish before the continuation is installed: its value is kept and delivered on install.
private final class ResumeOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, Never>?
        var result: T?
        var decided = false
        var loser: Task<Void, Never>?
    }
    private let state = Mutex(State())

    func install(_ c: CheckedContinuation<T, Never>) {
        let ready = state.withLock { s -> T? in
            if let r = s.result {
                s.result = nil
                return r
            }
            s.continuation = c
            return nil
        }
        if let ready { c.resume(returning: ready) }
    }

    /// Remembers a task to cancel once the race is decided (the timer).
    func cancelOnFinish(_ task: Task<Void, Never>) {
        let decided = state.withLock { s -> Bool in
            if s.decided { return true }
            s.loser = task
            return false
        }
        if decided { task.cancel() }
    }

    /// Offers a result; returns true if it won the race.
    @discardableResult
    func resume(_ value: T) -> Bool {
        let (won, c, loser) = state.withLock { s -> (Bool, CheckedContinuation<T, Never>?, Task<Void, Never>?) in
            if s.decided { return (false, nil, nil) }
            s.decided = true
            let c = s.continuation
            if c == nil { s.result = value }
            let loser = s.loser
            s.continuation = nil
            s.loser = nil
            return (true, c, loser)
        }
        loser?.cancel()
        c?.resume(returning: value)
        return won
    }
}

enum CT {
    // MARK: pairs

    /// A connected pair on `kind`: listen (port 0, or a fresh temporary path), dial, accept, then
    /// close the listener.
    static func pair(_ kind: CTStream) async throws -> CTPair {
        switch kind {
        case .tcp:
            let ln = try await Net.listen("tcp", "127.0.0.1:0")
            defer { try? ln.close() }
            let client = try await Net.dial("tcp", ln.addr.description) as! SocketConn
            do {
                let server = try await bounded(.seconds(10), "accept") { try await ln.accept() } as! SocketConn
                return CTPair(kind: kind, client: client, server: server, dir: nil, path: nil)
            } catch {
                try? client.close()
                throw error
            }
        case .unix, .unixpacket:
            let dir = try TemporaryDirectory()
            let path = dir.path("s.sock")
            do {
                let ln = try await Net.listen(kind.rawValue, path)
                defer { try? ln.close() }
                let client = try await Net.dial(kind.rawValue, path) as! SocketConn
                do {
                    let server = try await bounded(.seconds(10), "accept") { try await ln.accept() } as! SocketConn
                    return CTPair(kind: kind, client: client, server: server, dir: dir, path: path)
                } catch {
                    try? client.close()
                    throw error
                }
            } catch {
                dir.remove()
                throw error
            }
        }
    }

    /// Runs `body` with a fresh pair and closes it afterwards, whatever happens.
    static func withPair<T: Sendable>(
        _ kind: CTStream, _ limit: Duration = .seconds(30),
        _ body: @escaping @Sendable (CTPair) async throws -> T
    ) async throws -> T {
        let p = try await pair(kind)
        defer { p.close() }
        return try await bounded(limit, "test body on \(kind)") { try await body(p) }
    }

    // MARK: bounded waits

    /// Runs `body` in its own task and returns its result, or throws `CTTimedOut` (and cancels
    /// the task) after `limit`. Never waits longer than `limit`, even if `body` ignores
    /// cancellation: a test never hangs on a library bug.
    static func bounded<T: Sendable>(
        _ limit: Duration = .seconds(30), _ what: String = "operation",
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let once = ResumeOnce<Result<T, any Error>>()
        let work = Task { () async -> Void in
            do { once.resume(.success(try await body())) } catch { once.resume(.failure(error)) }
        }
        let result = await withCheckedContinuation { (c: CheckedContinuation<Result<T, any Error>, Never>) in
            once.install(c)
            let timer = Task {
                try? await Task.sleep(for: limit)
                if Task.isCancelled { return }
                if once.resume(.failure(CTTimedOut(what: "\(what) after \(limit)"))) { work.cancel() }
            }
            once.cancelOnFinish(timer)
        }
        return try result.get()
    }

    /// The value of `task`, or nil if it has not finished within `limit` (the task is left
    /// running; the caller cleans up, usually by closing the conn it is blocked on).
    static func value<T: Sendable>(of task: Task<T, Never>, within limit: Duration) async -> T? {
        let once = ResumeOnce<T?>()
        return await withCheckedContinuation { (c: CheckedContinuation<T?, Never>) in
            once.install(c)
            Task { once.resume(await task.value) }
            let timer = Task {
                try? await Task.sleep(for: limit)
                if !Task.isCancelled { once.resume(nil) }
            }
            once.cancelOnFinish(timer)
        }
    }

    // MARK: I/O helpers

    /// Reads exactly `count` bytes (fails at end of stream first).
    static func readFull(_ conn: SocketConn, _ count: Int) async throws -> [UInt8] {
        var all: [UInt8] = []
        all.reserveCapacity(count)
        var buf = [UInt8](repeating: 0, count: min(max(count, 1), 64 * 1024))
        while all.count < count {
            if buf.count > count - all.count { buf = [UInt8](repeating: 0, count: count - all.count) }
            let n = try await conn.read(&buf)
            if n == 0 { throw CTTimedOut(what: "end of stream after \(all.count) of \(count) bytes") }
            all += buf[..<n]
        }
        return all
    }

    /// Reads one chunk (up to `max` bytes) into a fresh array.
    static func readSome(_ conn: SocketConn, max: Int = 4096) async throws -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: max)
        let n = try await conn.read(&buf)
        return Array(buf[..<n])
    }

    /// Runs `body`, which must throw an OpError; returns it, or records an issue and returns nil.
    static func opError<T>(
        _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
    ) async -> OpError? {
        do {
            _ = try await body()
            Issue.record("\(what): expected an OpError, but it succeeded", sourceLocation: sourceLocation)
            return nil
        } catch let e as OpError {
            return e
        } catch {
            Issue.record("\(what): expected an OpError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// Go's "op net local->remote" prefix for `conn`.
    static func prefix(_ op: String, _ conn: SocketConn, _ net: String) -> String {
        "\(op) \(net) \(conn.localAddr.map { "\($0)" } ?? "<nil>")->\(conn.remoteAddr.map { "\($0)" } ?? "<nil>")"
    }

    /// A deterministic byte pattern (period 251, so misordered chunks show).
    static func pattern(_ count: Int, seed: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 &+ seed) % 251) }
    }

    /// Shrinks the kernel buffers so a writer blocks after a few hundred KiB.
    static func shrinkBuffers(writer: SocketConn, reader: SocketConn) throws {
        try writer.setWriteBuffer(4096)
        try reader.setReadBuffer(4096)
    }

    /// closeWrite on whichever connection type `conn` is.
    static func closeWrite(_ conn: SocketConn) throws {
        if let t = conn as? TCPConn { try t.closeWrite() } else { try (conn as! UnixConn).closeWrite() }
    }

    /// closeRead on whichever connection type `conn` is.
    static func closeRead(_ conn: SocketConn) throws {
        if let t = conn as? TCPConn { try t.closeRead() } else { try (conn as! UnixConn).closeRead() }
    }

    /// SIGPIPE's current handler address (nil for SIG_DFL), read without changing it.
    static func sigpipeHandler() -> Int {
        var old = sigaction()
        sigaction(SIGPIPE, nil, &old)
        return unsafeBitCast(old.__sigaction_handler.sa_handler, to: Int.self)
    }

    // MARK: wake-ups and deadlines

    /// What a task blocked in one operation saw, and when it returned.
    struct WakeResult: Sendable {
        let error: OpError?
        let at: ContinuousClock.Instant
    }

    /// A task blocked in one accept on `ln`, reporting how it ended and when (a connection that
    /// does arrive is closed at once).
    static func blockedAccept(_ ln: any Listener) -> Task<WakeResult, Never> {
        Task {
            do {
                let c = try await ln.accept()
                try? c.close()
                return WakeResult(error: nil, at: .now)
            } catch {
                return WakeResult(error: error as? OpError, at: .now)
            }
        }
    }

    /// A task blocked in one read on `conn`, reporting how the read ended and when: for
    /// measuring how fast a close, a cancellation or a deadline wakes it.
    static func blockedRead(_ conn: SocketConn) -> Task<WakeResult, Never> {
        Task {
            var buf = [UInt8](repeating: 0, count: 16)
            do {
                _ = try await conn.read(&buf)
                return WakeResult(error: nil, at: .now)
            } catch {
                return WakeResult(error: error as? OpError, at: .now)
            }
        }
    }

    /// The wake-up latencies measured in this run, printed at the end of each test for the report.
    static func reportLatency(_ label: String, _ samples: [Double]) {
        let shown = samples.map { fmt($0) }.joined(separator: ", ")
        print("[latency] \(label): \(shown) ms (best \(fmt(samples.min() ?? .nan)))")
    }

    /// Runs `attempt` (which returns a wake-up latency in ms, or nil on a functional failure it has
    /// already recorded) up to 3 times; passes if any run is under `limit` ms (Go's fluctuation
    /// tests retry too, RELIABILITY.md section 4).
    static func bestOfThree(_ label: String, limit: Double = 50, _ attempt: () async throws -> Double?) async throws {
        var samples: [Double] = []
        for _ in 0..<3 {
            guard let ms = try await attempt() else { return }
            samples.append(ms)
            if ms < limit { break }
        }
        reportLatency(label, samples)
        #expect(samples.contains { $0 < limit }, "\(label): every run over \(limit) ms: \(samples)")
    }

    /// Checks that `e` is Go's deadline error: Timeout, Temporary, DeadlineExceededError inside.
    static func expectDeadlineExceeded(_ e: OpError, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(e.timeout, "timeout should be true: \(e)", sourceLocation: sourceLocation)
        #expect(e.temporary, "temporary should be true: \(e)", sourceLocation: sourceLocation)
        #expect(e.underlying is DeadlineExceededError, "underlying: \(type(of: e.underlying))", sourceLocation: sourceLocation)
        #expect(!e.isClosed, sourceLocation: sourceLocation)
        #expect(e.description.hasSuffix(": i/o timeout"), sourceLocation: sourceLocation)
    }

    /// Sets the accept deadline of a TCP or unix listener.
    static func setAcceptDeadline(_ ln: any Listener, _ t: ContinuousClock.Instant?) throws {
        if let l = ln as? TCPListener { try l.setDeadline(t) } else { try (ln as! UnixListener).setDeadline(t) }
    }

    // MARK: time

    /// Milliseconds with three decimals.
    static func fmt(_ ms: Double) -> String {
        guard ms.isFinite else { return "\(ms)" }
        return "\((ms * 1000).rounded() / 1000)"
    }

    static func ms(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    static func ms(since start: ContinuousClock.Instant, to end: ContinuousClock.Instant = .now) -> Double {
        ms(end - start)
    }

    /// CPU time (user + system) this process has used, in milliseconds.
    static func processCPUMs() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1000 + Double(t.tv_usec) / 1000 }
        return ms(u.ru_utime) + ms(u.ru_stime)
    }

    /// The current thread's name (/proc/thread-self/comm), e.g. "netpoll-0".
    static func threadName() -> String {
        guard let fd = try? Syscall.open("/proc/thread-self/comm", Syscall.O_RDONLY | Syscall.O_CLOEXEC, 0) else { return "?" }
        defer { try? Syscall.close(fd) }
        var buf = [UInt8](repeating: 0, count: 64)
        guard let n = try? Syscall.read(fd, &buf), n > 0 else { return "?" }
        return String(decoding: buf[..<n], as: UTF8.self).trimmingNewline()
    }

    /// A pipe (both ends close-on-exec) for fd-reuse checks.
    static func pipe() throws -> (read: Int32, write: Int32) {
        try Syscall.pipe2(Syscall.O_CLOEXEC)
    }

    /// The fd number of a conn, read through its RawConn while it is open.
    static func fdNumber(_ conn: SocketConn) throws -> Int32 {
        let box = Mutex<Int32>(-1)
        try conn.syscallConn().control { fd in box.withLock { $0 = fd } }
        return box.withLock { $0 }
    }

    /// A small file with `contents`, opened read-write and close-on-exec.
    static func tempFile(_ dir: TemporaryDirectory, _ name: String, _ contents: String) throws -> Int32 {
        let fd = try Syscall.open(dir.path(name), Syscall.O_RDWR | Syscall.O_CREAT | Syscall.O_CLOEXEC, 0o600)
        _ = try Syscall.write(fd, Array(contents.utf8))
        return fd
    }

    /// The whole contents of a file fd, read with pread from offset 0.
    static func contents(_ fd: Int32) throws -> String {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = try Syscall.pread(fd, &buf, 0)
        return String(decoding: buf[..<n], as: UTF8.self)
    }

    /// The fds in an SCM_RIGHTS control buffer.
    static func receivedFDs(_ oob: [UInt8], _ oobn: Int) throws -> [Int32] {
        try Syscall.parseSocketControlMessage(Array(oob[..<oobn])).flatMap { (m) throws(Errno) in try Syscall.parseUnixRights(m) }
    }

    /// If the soft RLIMIT_NOFILE is below `needed`, raises it to the hard limit; returns what to
    /// restore (nil if nothing changed) and the soft limit now in force.
    static func raiseFDLimit(to needed: Int) -> (restore: rlimit?, available: Int) {
        var lim = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
        if Int(lim.rlim_cur) >= needed { return (nil, Int(lim.rlim_cur)) }
        let old = lim
        lim.rlim_cur = lim.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) != 0 { return (nil, Int(old.rlim_cur)) }
        return (old, Int(lim.rlim_cur))
    }

    static func restoreFDLimit(_ old: rlimit?) {
        guard var old else { return }
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &old)
    }
}

extension String {
    fileprivate func trimmingNewline() -> String {
        var s = self
        while s.last == "\n" { s.removeLast() }
        return s
    }
}
