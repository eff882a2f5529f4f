// Child processes for interop tests: posix_spawn with pipes for stdin, stdout and stderr.
//
// Not Foundation's Process: it keeps fds and threads of its own around, which upsets the
// per-test fd accounting of `.fdLeakCheck`. Here every pipe end is created close-on-exec, the
// child gets only its three dup2'ed ends (everything from fd 3 up is closed in the child), and
// every parent end is closed by the time `wait` returns or the object goes away.
//
// Nothing here blocks a thread of the cooperative pool: waits run poll(2) on a thread of their
// own, bounded by a deadline, and the parent's pipe ends are non-blocking.
import Glibc
import Syscall

/// How a child process ended.
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    /// It called exit with this code.
    case exited(Int32)
    /// A signal killed it.
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signo): "killed by signal \(signo)"
        }
    }
}

/// Everything a finished child wrote, and how it ended.
public struct SubprocessOutput: Sendable, CustomStringConvertible {
    public var status: ExitStatus
    public var stdout: [UInt8]
    public var stderr: [UInt8]

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    public var description: String {
        "\(status); stdout: \(stdoutText.debugDescription); stderr: \(stderrText.debugDescription)"
    }
}

/// Why a subprocess operation failed.
public struct SubprocessError: Error, CustomStringConvertible {
    public let description: String
    /// Whether a write failed because the child had closed its stdin.
    public let brokenPipe: Bool
    public init(_ description: String, brokenPipe: Bool = false) {
        self.description = description
        self.brokenPipe = brokenPipe
    }
}

/// A running child process with its stdin, stdout and stderr connected to pipes.
///
/// ```swift
/// let server = try Subprocess(path, ["--port", "0"])
/// let ready = try await server.readLine()              // "listening on 127.0.0.1:41234"
/// server.signal(SIGINT)
/// let output = try await server.wait()                 // status, all stdout and stderr
/// ```
///
/// If the object goes away before `wait` has reaped the child (a test failed half-way), the
/// child is killed with SIGKILL and reaped, and every pipe end is closed.
///
/// Use it from one task at a time: each method finishes before its caller goes on. The waiting
/// methods do their blocking on a thread of their own (hence `@unchecked Sendable`).
public final class Subprocess: @unchecked Sendable {
    /// Which output stream to read.
    public enum Stream: Sendable { case stdout, stderr }

    /// The child's process id.
    public let pid: Int32
    /// The command line, for messages.
    public let commandLine: String

    private var stdinFd: Int32
    private var stdoutFd: Int32
    private var stderrFd: Int32
    private var stdoutBytes: [UInt8] = []
    private var stderrBytes: [UInt8] = []
    /// How much of each stream `readLine` has handed out already.
    private var stdoutConsumed = 0
    private var stderrConsumed = 0
    private var status: ExitStatus?

    /// Starts `executable` (an absolute path) with `arguments`.
    ///
    /// - Parameters:
    ///   - environment: variables to set or override on top of this process's environment.
    ///   - closeStdin: close the child's stdin at once, so it reads end of file.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], closeStdin: Bool = false
    ) throws {
        commandLine = ([executable] + arguments).joined(separator: " ")
        var opened: [Int32] = []
        func pipe() throws -> (read: Int32, write: Int32) {
            do {
                let p = try Syscall.pipe2(Syscall.O_CLOEXEC)
                opened += [p.read, p.write]
                return p
            } catch {
                opened.forEach { try? Syscall.close($0) }
                throw SubprocessError("pipe2: \(error)")
            }
        }
        let input = try pipe()
        let output = try pipe()
        let errors = try pipe()
        defer {
            // The child's ends belong to the child now (or nobody, if spawning failed).
            try? Syscall.close(input.read)
            try? Syscall.close(output.write)
            try? Syscall.close(errors.write)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copy, so the child keeps exactly fds 0, 1 and 2.
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        // Belt and braces: any fd another test left without close-on-exec stays out of the child.
        addCloseFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with no signals blocked and default dispositions, whatever the test
        // runner's thread had: a blocked or ignored SIGINT/SIGPIPE would be inherited otherwise.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let name = executable.split(separator: "/").last.map(String.init) ?? executable
        let argv = ([name] + arguments).map { strdup($0) } + [nil]
        let envp = Subprocess.environment(overriding: environment).map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            try? Syscall.close(input.write)
            try? Syscall.close(output.read)
            try? Syscall.close(errors.read)
            throw SubprocessError("posix_spawn \(executable): \(Errno(rawValue: rc))")
        }
        pid = child
        stdinFd = input.write
        stdoutFd = output.read
        stderrFd = errors.read
        // The parent's ends are non-blocking: draining reads what is there and returns at once.
        for fd in [stdinFd, stdoutFd, stderrFd] { try? Syscall.setNonblock(fd, true) }
        if closeStdin { self.closeStdin() }
    }

    deinit {
        if status == nil {
            Glibc.kill(pid, SIGKILL)
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
        }
        for fd in [stdinFd, stdoutFd, stderrFd] where fd >= 0 { try? Syscall.close(fd) }
    }

    /// Runs a command to completion: writes `stdin` (if any) and closes it, then waits.
    public static func run(
        _ executable: String, _ arguments: [String], stdin: [UInt8] = [], environment: [String: String] = [:],
        timeout: Duration = .seconds(20)
    ) async throws -> SubprocessOutput {
        let process = try Subprocess(executable, arguments, environment: environment, closeStdin: stdin.isEmpty)
        if !stdin.isEmpty {
            do {
                try await process.write(stdin, timeout: timeout)
            } catch let error as SubprocessError where error.brokenPipe {
                // The child exited (or closed stdin) without reading it all: its status and
                // output tell what happened.
            }
            process.closeStdin()
        }
        return try await process.wait(timeout: timeout)
    }

    /// Writes all of `bytes` to the child's stdin.
    ///
    /// Throws if the child has closed its stdin (EPIPE, which never becomes a SIGPIPE here) or
    /// if it does not take the bytes within `timeout`.
    public func write(_ bytes: [UInt8], timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        try await onOwnThread { try self.blockingWrite(bytes, until: deadline) }
    }

    /// Closes the child's stdin: it reads end of file.
    public func closeStdin() {
        if stdinFd >= 0 {
            try? Syscall.close(stdinFd)
            stdinFd = -1
        }
    }

    /// The next line the child writes to `stream`, without its newline.
    ///
    /// Throws if the stream ends first or no whole line comes within `timeout`; the error
    /// carries everything the child has written, which usually says why.
    public func readLine(from stream: Stream = .stdout, timeout: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        return try await onOwnThread { try self.blockingReadLine(from: stream, until: deadline) }
    }

    /// Sends `signo` to the child, unless it has been reaped already.
    public func signal(_ signo: Int32) {
        if status == nil { Glibc.kill(pid, signo) }
    }

    /// Waits for the child to exit and for its stdout and stderr to end, and returns them all.
    ///
    /// On timeout the child is killed with SIGKILL and reaped, and the error carries what it wrote.
    public func wait(timeout: Duration = .seconds(10)) async throws -> SubprocessOutput {
        closeStdin()
        let deadline = ContinuousClock.now + timeout
        return try await onOwnThread { try self.blockingWait(until: deadline, timeout: timeout) }
    }

    // MARK: the blocking halves, run on a thread of their own

    private func blockingWrite(_ bytes: [UInt8], until deadline: ContinuousClock.Instant) throws {
        guard stdinFd >= 0 else { throw SubprocessError("\(commandLine): stdin is closed") }
        var written = 0
        while written < bytes.count {
            switch writeWithoutSigpipe(stdinFd, bytes[written...]) {
            case .success(let n):
                written += n
            case .failure(.EAGAIN):
                guard ContinuousClock.now < deadline else {
                    throw SubprocessError("timed out writing to the stdin of \(commandLine); \(partialOutput())")
                }
                // Keep reading its output meanwhile: the child may be blocked writing to us.
                pollOnce(until: deadline, writing: true)
            case .failure(let error):
                throw SubprocessError("\(commandLine): writing stdin: \(error)", brokenPipe: error == .EPIPE)
            }
        }
    }

    private func blockingReadLine(from stream: Stream, until deadline: ContinuousClock.Instant) throws -> String {
        while true {
            pump()
            let (bytes, consumed, open) = stream == .stdout
                ? (stdoutBytes, stdoutConsumed, stdoutFd >= 0)
                : (stderrBytes, stderrConsumed, stderrFd >= 0)
            if let newline = bytes[consumed...].firstIndex(of: UInt8(ascii: "\n")) {
                if stream == .stdout { stdoutConsumed = newline + 1 } else { stderrConsumed = newline + 1 }
                return String(decoding: bytes[consumed..<newline], as: UTF8.self)
            }
            if !open {
                throw SubprocessError("\(commandLine): \(stream) ended before a whole line; \(partialOutput())")
            }
            guard ContinuousClock.now < deadline else {
                throw SubprocessError("timed out waiting for a line from \(commandLine); \(partialOutput())")
            }
            pollOnce(until: deadline)
        }
    }

    private func blockingWait(until deadline: ContinuousClock.Instant, timeout: Duration) throws -> SubprocessOutput {
        var exitedAt: ContinuousClock.Instant?
        while true {
            pump()
            if status == nil { reap(blocking: false) }
            if status != nil && exitedAt == nil { exitedAt = .now }
            let outputsDone = stdoutFd < 0 && stderrFd < 0
            // A grandchild may still hold the pipes: once the child is gone, wait a little for
            // end of file, then stop reading.
            if let exitedAt, outputsDone || ContinuousClock.now - exitedAt > .seconds(2) { break }
            if ContinuousClock.now >= deadline {
                Glibc.kill(pid, SIGKILL)
                reap(blocking: true)
                pump()
                closeOutputs()
                throw SubprocessError("\(commandLine): still running after \(timeout), killed; \(partialOutput())")
            }
            pollOnce(until: deadline)
        }
        closeOutputs()
        return SubprocessOutput(status: status!, stdout: stdoutBytes, stderr: stderrBytes)
    }

    /// Waits up to 10 ms (never past `deadline`) for output, or for room in the stdin pipe when
    /// `writing`, then reads whatever arrived. The short bound lets callers notice the child's
    /// exit, which no fd reports when a grandchild holds the pipes.
    private func pollOnce(until deadline: ContinuousClock.Instant, writing: Bool = false) {
        var fds = [stdoutFd, stderrFd].filter { $0 >= 0 }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        if writing && stdinFd >= 0 { fds.append(pollfd(fd: stdinFd, events: Int16(POLLOUT), revents: 0)) }
        let milliseconds = min(10, max(0, ((deadline - ContinuousClock.now) / .milliseconds(1)).rounded(.up)))
        _ = poll(&fds, nfds_t(fds.count), Int32(milliseconds))
        pump()
    }

    // MARK: internals

    /// Reads whatever the child has written so far, without waiting; closes a stream at its end.
    private func pump() {
        drain(&stdoutFd, into: &stdoutBytes)
        drain(&stderrFd, into: &stderrBytes)
    }

    private func drain(_ fd: inout Int32, into bytes: inout [UInt8]) {
        guard fd >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            do {
                let n = try Syscall.read(fd, &buffer)
                if n == 0 { break }
                bytes += buffer[..<n]
            } catch .EAGAIN {
                return
            } catch {
                break
            }
        }
        try? Syscall.close(fd)
        fd = -1
    }

    private func closeOutputs() {
        for fd in [stdoutFd, stderrFd] where fd >= 0 { try? Syscall.close(fd) }
        stdoutFd = -1
        stderrFd = -1
    }

    private func reap(blocking: Bool) {
        var raw: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &raw, blocking ? 0 : WNOHANG) } while r == -1 && errno == EINTR
        guard r == pid else { return }
        // WIFEXITED/WEXITSTATUS/WTERMSIG are macros Swift cannot import: the low 7 bits hold the
        // killing signal (0 for a normal exit), the next byte the exit code.
        let signo = raw & 0x7f
        status = signo == 0 ? .exited((raw >> 8) & 0xff) : .signaled(signo)
    }

    private func partialOutput() -> String {
        "stdout so far: \(String(decoding: stdoutBytes, as: UTF8.self).debugDescription); "
            + "stderr so far: \(String(decoding: stderrBytes, as: UTF8.self).debugDescription)"
    }

    /// This process's environment with `overrides` applied, as NAME=VALUE strings.
    private static func environment(overriding overrides: [String: String]) -> [String] {
        var result: [String] = []
        var p = environ
        while let entry = p.pointee {
            let text = String(cString: entry)
            let name = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? text
            if overrides[name] == nil { result.append(text) }
            p += 1
        }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) { result.append("\(name)=\(value)") }
        return result
    }
}

/// Runs `body` on a new POSIX thread and suspends until it returns, so the blocking poll(2)
/// and waitpid(2) loops never hold a thread of Swift's cooperative pool (which has only as many
/// threads as cores). Not Task.sleep either: the runtime opens timerfds for sleeps lazily, per
/// clock and priority, and .fdLeakCheck would blame whichever test happened to sleep first.
private func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let job = Job { continuation.resume(with: Result { try body() }) }
        let context = Unmanaged.passRetained(job).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { context in
            Unmanaged<Job>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        if rc == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<Job>.fromOpaque(context).takeRetainedValue().run()  // no thread to be had: run here
        }
    }
}

/// The work a thread started by `onOwnThread` runs.
private final class Job: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// write(2) to a pipe with SIGPIPE blocked on this thread, so a child that closed its stdin
/// makes the write fail with EPIPE instead of killing the test runner. The SIGPIPE the kernel
/// queued for this thread is taken back with sigtimedwait before the old mask is restored.
private func writeWithoutSigpipe(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Result<Int, Errno> {
    var pipeSignal = sigset_t()
    sigemptyset(&pipeSignal)
    sigaddset(&pipeSignal, SIGPIPE)
    var oldMask = sigset_t()
    pthread_sigmask(SIG_BLOCK, &pipeSignal, &oldMask)
    defer { pthread_sigmask(SIG_SETMASK, &oldMask, nil) }
    var result: Result<Int, Errno>
    repeat {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        result = n >= 0 ? .success(n) : .failure(Errno(rawValue: errno))
    } while result == .failure(.EINTR)
    if result == .failure(.EPIPE) {
        var zero = timespec()
        _ = sigtimedwait(&pipeSignal, nil, &zero)
    }
    return result
}

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34+), looked up at run time because
/// Glibc's Swift module does not declare it. Without it, close-on-exec alone guards the child.
private func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
    _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(actions, lowest)
}
