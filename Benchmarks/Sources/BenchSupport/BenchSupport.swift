// What every benchmark server shares and none of them measures: the command-line contract,
// the open-file limit, a clean exit on SIGINT/SIGTERM, and the "listening on" line.
//
//   <server> --network tcp|unix --address ADDR [--mode echo|fdrecv] [--read-timeout SECONDS]
import ArgumentParser
import Glibc

/// The networks a benchmark server listens on.
public enum BenchNetwork: String, ExpressibleByArgument, CaseIterable, Sendable {
    case tcp, unix
}

/// What a benchmark server does with each connection.
public enum ServerMode: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Every byte back, in order, until the client closes.
    case echo
    /// Unix only: each message is one data byte plus 1 to 8 fds (SCM_RIGHTS); close every fd,
    /// answer one byte per message.
    case fdrecv
}

/// The command line every benchmark server takes.
public struct ServerOptions: ParsableCommand, Sendable {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: programName, abstract: "A benchmark server: echo, or receive fds.")
    }

    @Option(help: "tcp or unix")
    public var network: BenchNetwork

    @Option(help: "host:port for tcp (port 0 picks one), a socket path for unix")
    public var address: String

    @Option(help: "echo, or fdrecv (unix only)")
    public var mode: ServerMode = .echo

    /// Go's idle-timeout idiom, as net/http uses it: before every read the server moves the
    /// connection's read deadline to now plus this, and closes a connection that stays silent
    /// that long. Measures what a deadline per operation costs.
    @Option(help: "echo only: set a read deadline this many seconds ahead before every read")
    public var readTimeout: Double?

    /// `readTimeout` in whole nanoseconds.
    public var readTimeoutNanoseconds: Int64? { readTimeout.map { Int64($0 * 1e9) } }

    public init() {}

    public func validate() throws {
        if mode == .fdrecv && network != .unix {
            throw ValidationError("--mode fdrecv needs --network unix")
        }
        if let readTimeout, mode != .echo || !(readTimeout > 0) {
            throw ValidationError("--read-timeout needs --mode echo and a positive number of seconds")
        }
    }
}

/// Blocks SIGINT and SIGTERM in the calling thread, and so in every thread it or they start
/// later. Call it first thing in main, before anything starts a thread; `onTermination`
/// then takes the signals with sigwait(3).
public func blockTerminationSignals() {
    var set = terminationSignals()
    pthread_sigmask(SIG_BLOCK, &set, nil)
}

/// Runs `body` in a detached task and parks the calling thread for good: how a server's
/// main.swift starts its async part after `blockTerminationSignals()`. (Top-level `await`
/// would not do: Swift's async main runs on a thread libdispatch started before main.swift's
/// first line, so that thread, and others, would still take SIGTERM's default action.)
public func runDetached(_ body: @escaping @Sendable () async -> Void) -> Never {
    Task.detached { await body() }
    while true { pause() }
}

/// Starts a thread that waits for SIGINT or SIGTERM, runs `action` (close the listener,
/// remove a socket file) and ends the process with status 0, as Go's os.Exit(0) does:
/// connections still open go with the process.
public func onTermination(_ action: @escaping @Sendable () -> Void) {
    let box = Unmanaged.passRetained(TerminationAction(action))
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { arg in
        let action = Unmanaged<TerminationAction>.fromOpaque(arg!).takeRetainedValue().action
        var set = terminationSignals()
        var signal: Int32 = 0
        while sigwait(&set, &signal) != 0 {}
        action()
        _exit(0)
    }, box.toOpaque())
    if rc != 0 { fail("pthread_create: \(String(cString: strerror(rc)))") }
    pthread_detach(thread)
}

private final class TerminationAction: Sendable {
    let action: @Sendable () -> Void
    init(_ action: @escaping @Sendable () -> Void) { self.action = action }
}

private func terminationSignals() -> sigset_t {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    return set
}

/// Raises the soft RLIMIT_NOFILE to the hard limit: the benchmarks hold 10,000 idle
/// connections. Returns the new soft limit.
@discardableResult
public func raiseOpenFileLimit() -> UInt64 {
    var limit = rlimit()
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    guard getrlimit(resource, &limit) == 0 else { return 0 }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(resource, &limit)
    }
    return UInt64(limit.rlim_cur)
}

/// Writes one line straight to stdout with write(2), so whoever waits for it sees it at once.
public func announce(_ line: String) {
    writeAll(1, line + "\n")
}

/// Prints `message` to stderr, prefixed with the program's name, and exits with status 1.
public func fail(_ message: String) -> Never {
    writeAll(2, "\(programName): \(message)\n")
    exit(1)
}

/// The name the program was run by, without its directory.
public var programName: String {
    CommandLine.arguments.first.flatMap { $0.split(separator: "/").last.map(String.init) } ?? "bench"
}

private func writeAll(_ fd: Int32, _ text: String) {
    let bytes = Array(text.utf8)
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}

/// Splits "host:port" (or "[v6]:port") for APIs that take them apart, as NIO's bind does.
public func splitHostPort(_ address: String) -> (host: String, port: Int)? {
    guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
          (0...65535).contains(port) else { return nil }
    var host = String(address[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return (host.isEmpty ? "0.0.0.0" : host, port)
}
