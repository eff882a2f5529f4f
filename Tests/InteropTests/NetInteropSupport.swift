// Shared pieces of the Net interop suites (NetEcho…, NetDatagram…, NetMessage…, NetTool…,
// NetFDPassing…): servers that announce "listening on ADDRESS", where each network listens in a
// test, what a Go netecho client prints, and checks that a server left nothing behind.
//
// Every wait is bounded: Subprocess kills a child that outlives its timeout, Net calls carry
// deadlines, and nothing here calls Task.sleep (the runtime opens a timer fd for it lazily,
// which .fdLeakCheck would blame on the test).
import Glibc
import Syscall
import Testing
import TestSupport

/// A running server whose first line on stdout is "listening on ADDRESS": the echo-server and
/// message-server examples, and the Go peers netecho and netmsg in server mode.
struct AnnouncedServer {
    let process: Subprocess
    /// ADDRESS as announced: "127.0.0.1:PORT", "[::1]:PORT", a socket path or "@name".
    let address: String

    /// Starts `executable` and waits (10 s at most) for its "listening on" line.
    static func start(_ executable: String, _ arguments: [String]) async throws -> AnnouncedServer {
        let process = try Subprocess(executable, arguments)
        let line = try await process.readLine()
        let prefix = "listening on "
        try #require(line.hasPrefix(prefix), "unexpected first line from \(process.commandLine): \(line)")
        return AnnouncedServer(process: process, address: String(line.dropFirst(prefix.count)))
    }

    /// The port of an IP address ("127.0.0.1:PORT", "[::1]:PORT").
    var port: Int {
        get throws {
            let colon = try #require(address.lastIndex(of: ":"), "no port in \(address)")
            return try #require(Int(address[address.index(after: colon)...]), "no port in \(address)")
        }
    }

    /// Sends `signo` and returns how the server ended (it is killed after `timeout`).
    func stop(_ signo: Int32 = SIGINT, timeout: Duration = .seconds(10)) async throws -> SubprocessOutput {
        process.signal(signo)
        return try await process.wait(timeout: timeout)
    }
}

/// Our echo-server example on `network`, listening at `address`.
func startEchoServer(_ network: String, _ address: String) async throws -> AnnouncedServer {
    try await AnnouncedServer.start(try example("echo-server"), [network, address])
}

/// Go's echo server (the netecho peer) on `network`, listening at `address`.
func startGoEchoServer(_ network: String, _ address: String) async throws -> AnnouncedServer {
    try await AnnouncedServer.start(try await goPeer("netecho"), ["server", network, address])
}

/// Datagram networks: each write is one datagram, answered to its sender.
func isDatagramNetwork(_ network: String) -> Bool {
    ["udp", "udp4", "udp6", "unixgram"].contains(network)
}

/// Unix networks: the address is a path (or an @abstract name).
func isUnixNetwork(_ network: String) -> Bool {
    ["unix", "unixgram", "unixpacket"].contains(network)
}

/// The address a test listens at: port 0 on the loopback address for IP networks, a short path
/// in `dir` for unix ones.
func listenAddress(_ network: String, in dir: TemporaryDirectory) -> String {
    switch network {
    case "tcp6", "udp6": "[::1]:0"
    case "unix", "unixgram", "unixpacket": dir.path("\(network).sock")
    default: "127.0.0.1:0"
    }
}

/// An abstract unix name private to this test process ("@swiftnet-test-PID-TAG").
func abstractName(_ tag: String) -> String {
    "@swiftnet-test-\(getpid())-\(tag)"
}

/// What the netecho client prints for `messages`: each message on its own line, "big N ok"
/// for "@big:N" and "burst K ok" for "@burst:K".
func netechoOutput(_ messages: [String]) -> String {
    messages.map { message in
        if message.hasPrefix("@big:") { return "big \(message.dropFirst(5)) ok\n" }
        if message.hasPrefix("@burst:") { return "burst \(message.dropFirst(7)) ok\n" }
        return message + "\n"
    }.joined()
}

/// Whether /proc/net/unix lists a socket bound to the abstract name `name` ("@...").
func abstractNameBound(_ name: String) throws -> Bool {
    let table = String(decoding: try readFile("/proc/net/unix"), as: UTF8.self)
    return table.split(separator: "\n").contains { $0.hasSuffix(" " + name) }
}

/// Checks that nothing is left at `path` (a server removed its socket file).
func expectNoFile(_ path: String, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(throws: Errno.ENOENT, comment ?? "\(path) is still there", sourceLocation: sourceLocation) {
        try Syscall.lstat(path)
    }
}

/// Checks that a server on `network` released `address`: a unix socket file is gone, an
/// abstract name is unbound, a TCP port refuses connections and can be listened on again, a
/// UDP port can be bound again.
func expectReleased(
    _ network: String, _ address: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    if isUnixNetwork(network) {
        if address.hasPrefix("@") {
            #expect(try !abstractNameBound(address), "\(address) is still bound", sourceLocation: sourceLocation)
        } else {
            expectNoFile(address, "the server left its socket file \(address)", sourceLocation: sourceLocation)
        }
        return
    }
    let colon = try #require(address.lastIndex(of: ":"))
    let port = try #require(Int(address[address.index(after: colon)...]))
    let v6 = address.hasPrefix("[")
    let sa: any Sockaddr = v6
        ? SockaddrInet6(port: port, addr: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        : SockaddrInet4(port: port, addr: [127, 0, 0, 1])
    let family = v6 ? Syscall.AF_INET6 : Syscall.AF_INET
    if isDatagramNetwork(network) {
        let fd = try Syscall.socket(family, Syscall.SOCK_DGRAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(fd) }
        #expect(throws: Never.self, "UDP port \(port) is still taken", sourceLocation: sourceLocation) {
            try Syscall.bind(fd, sa)
        }
    } else if v6 {
        let probe = try Syscall.socket(family, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(probe) }
        #expect(throws: Errno.ECONNREFUSED, sourceLocation: sourceLocation) { try Syscall.connect(probe, sa) }
    } else {
        try expectPortFree(port, sourceLocation: sourceLocation)
    }
}

/// Creates a unix socket file at `path` the way a client names itself, then removes the name:
/// datagrams from the returned socket carry a sender address that no longer exists.
func unixgramSenderWithVanishedName(_ path: String) throws -> Int32 {
    let fd = try Syscall.socket(Syscall.AF_UNIX, Syscall.SOCK_DGRAM | Syscall.SOCK_CLOEXEC, 0)
    do {
        try Syscall.bind(fd, SockaddrUnix(name: path))
        try Syscall.unlink(path)
        return fd
    } catch {
        try? Syscall.close(fd)
        throw error
    }
}

extension Trait where Self == ConditionTrait {
    static var requiresSocat: Self {
        .enabled(if: Peers.hasSocat, "socat is not installed (apt-get install socat)")
    }
    static var requiresPython3: Self {
        .enabled(if: Peers.which("python3") != nil, "python3 is not installed")
    }
    /// socat can open SOCK_SEQPACKET unix sockets (`UNIX-CONNECT:path,type=5`): probed by
    /// connecting to a path that does not exist, which fails on connect, not on the option.
    static var requiresSocatSeqpacket: Self {
        .enabled("this socat cannot open SOCK_SEQPACKET sockets (UNIX-CONNECT:...,type=5)") {
            guard let socat = Peers.which("socat") else { return false }
            let probe = try await Subprocess.run(
                socat, ["-u", "OPEN:/dev/null", "UNIX-CONNECT:/nonexistent/swiftnet-probe,type=5"],
                timeout: .seconds(5))
            return probe.stderrText.contains("No such file or directory")
        }
    }
}
