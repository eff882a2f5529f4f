// Shared pieces of the interop tests: where the Go peers live, skip conditions, a running
// raw-echo-server, and small byte and file helpers.
//
// Every wait on a child process has its own timeout (Subprocess kills the child when it runs
// out), so a broken peer fails its test instead of hanging the run. The suites carry no
// .timeLimit: it would also count the time a test queues behind other suites for the
// .fdLeakCheck gate, and fail tests that never got to run.
import Glibc
import Syscall
import Testing
import TestSupport

/// Tests/InteropTests/Peers: one folder per Go peer, each a single main.go.
let peerSources = String(#filePath.prefix(upTo: #filePath.lastIndex(of: "/")!)) + "/Peers"

/// Builds (once per test process) and returns the Go peer `name`.
func goPeer(_ name: String) async throws -> String {
    try await Peers.goPeer(name, in: peerSources)
}

/// The example executable `name`; the `requires` traits skip tests when it is missing.
func example(_ name: String) throws -> String {
    try #require(Peers.example(name), "the \(name) example is not built")
}

extension Trait where Self == ConditionTrait {
    static var requiresGo: Self {
        .enabled(if: Peers.hasGo, "go is not installed (apt-get install golang-go)")
    }
    static var requiresNc: Self {
        .enabled(if: Peers.hasNc, "nc is not installed (apt-get install netcat-openbsd)")
    }
    static var requiresIPv6Loopback: Self {
        .enabled(if: Peers.hasIPv6Loopback, "this machine cannot bind to ::1")
    }
    static func requiresExample(_ name: String) -> Self {
        .enabled(if: Peers.hasExample(name), "the \(name) example is not built (swift build --product \(name))")
    }
}

/// A running raw-echo-server and the address it announced on stdout.
struct EchoServer {
    let process: Subprocess
    /// The host as printed: "127.0.0.1" or "[::1]".
    let host: String
    let port: Int
    /// "host:port", as Go's net.Dial takes it.
    var address: String { "\(host):\(port)" }

    /// Starts the server (on a port the kernel chooses, unless `arguments` say otherwise) and
    /// waits until it says "listening on HOST:PORT".
    static func start(_ arguments: [String] = ["--port", "0"]) async throws -> EchoServer {
        let process = try Subprocess(try example("raw-echo-server"), arguments)
        let line = try await process.readLine()
        let prefix = "listening on "
        try #require(line.hasPrefix(prefix), "unexpected first line: \(line)")
        let address = line.dropFirst(prefix.count)
        let colon = try #require(address.lastIndex(of: ":"))
        let port = try #require(Int(address[address.index(after: colon)...]), "no port in: \(line)")
        return EchoServer(process: process, host: String(address[..<colon]), port: port)
    }

    /// Sends `signo` and returns how the server ended.
    func stop(_ signo: Int32 = SIGTERM) async throws -> SubprocessOutput {
        process.signal(signo)
        return try await process.wait()
    }
}

/// Checks that nobody listens on 127.0.0.1:`port`: a connect is refused, and a new listener
/// can take the port at once (with SO_REUSEADDR, as any server restarting would).
func expectPortFree(_ port: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let address = SockaddrInet4(port: port, addr: [127, 0, 0, 1])
    let probe = try Syscall.socket(Syscall.AF_INET, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
    defer { try? Syscall.close(probe) }
    #expect(throws: Errno.ECONNREFUSED, sourceLocation: sourceLocation) { try Syscall.connect(probe, address) }

    let listener = try Syscall.socket(Syscall.AF_INET, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
    defer { try? Syscall.close(listener) }
    try Syscall.setsockoptInt(listener, Syscall.SOL_SOCKET, Syscall.SO_REUSEADDR, 1)
    try Syscall.bind(listener, address)
    try Syscall.listen(listener, 1)
}

/// A port on 127.0.0.1 that refuses connections for as long as the returned fd stays open:
/// the socket holds the port (bound, never listening), so no other program can take it.
func refusingPort() throws -> (fd: Int32, port: Int) {
    let fd = try Syscall.socket(Syscall.AF_INET, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
    do {
        try Syscall.bind(fd, SockaddrInet4(port: 0, addr: [127, 0, 0, 1]))
        let bound = try #require(try Syscall.getsockname(fd) as? SockaddrInet4)
        return (fd, bound.port)
    } catch {
        try? Syscall.close(fd)
        throw error
    }
}

/// Binary test content: every byte value, no line structure, and a tail with no newline.
func binaryContent(count: Int = 200_000) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ $0 >> 9) } + Array("\u{0}\r\n\u{7f}the end, no newline".utf8)
}

/// Creates (or replaces) the file at `path` with `bytes`.
func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    let fd = try Syscall.open(
        path, Syscall.O_WRONLY | Syscall.O_CREAT | Syscall.O_TRUNC | Syscall.O_CLOEXEC, 0o644)
    defer { try? Syscall.close(fd) }
    var written = 0
    while written < bytes.count { written += try Syscall.write(fd, Array(bytes[written...])) }
}

/// Lower-case hex, as Go's hex.EncodeToString writes it.
func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xf)]] }, as: UTF8.self)
}

/// The bytes of a hex string (whitespace around it ignored).
func bytes(hex text: String) throws -> [UInt8] {
    let digits = Array(text.utf8.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: " ") })
    try #require(digits.count % 2 == 0, "odd-length hex: \(text)")
    return try stride(from: 0, to: digits.count, by: 2).map { i in
        try #require(UInt8(String(decoding: digits[i...i + 1], as: UTF8.self), radix: 16), "not hex: \(text)")
    }
}
