// Net.dial and Net.dialTimeout on real sockets, the pieces of Go's dial algorithm that can be
// called alone (parseNetwork, partialDeadline), and the Resolve* functions.
import Synchronization
@testable import Net
import Syscall
import Testing
import TestSupport

private typealias H = NetTestHelpers

// MARK: pure pieces (no fds)

@Suite struct DialPartialDeadlineTests {
    /// Go's partial_deadline.json vectors: each address's share of the time left, at least
    /// 2 s (saneMinimum) but never past the whole deadline; nil once the deadline has passed.
    @Test(arguments: [
        (Duration.seconds(12), 3, Duration.seconds(4)),
        (.seconds(12), 999, .seconds(2)),
        (.milliseconds(1900), 999, .milliseconds(1900)),
        (.seconds(12), 1, .seconds(12)),
        (.seconds(3), 2, .seconds(2)),
        (.seconds(1), 1, .seconds(1)),
    ])
    func share(remaining: Duration, addrs: Int, expected: Duration) throws {
        let now = ContinuousClock.now
        let partial = try #require(partialDeadline(now, now + remaining, addrsRemaining: addrs))
        #expect(now.duration(to: partial) == expected)
    }

    @Test func noTimeLeft() {
        let now = ContinuousClock.now
        #expect(partialDeadline(now, now - .seconds(1), addrsRemaining: 1) == nil)
        #expect(partialDeadline(now, now, addrsRemaining: 3) == nil)
    }
}

@Suite struct DialParseNetworkTests {
    static let plain = ["tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "ip", "ip4", "ip6", "unix", "unixgram", "unixpacket"]

    @Test(arguments: plain)
    func plainNames(network: String) throws {
        let (afnet, proto) = try parseNetwork(network, needsProto: false)
        #expect(afnet == network)
        #expect(proto == 0)
    }

    @Test(arguments: ["ip", "ip4", "ip6"])
    func bareIPNeedsProtocolToDial(network: String) {
        #expect(throws: UnknownNetworkError(network)) { try parseNetwork(network, needsProto: true) }
    }

    @Test(arguments: [
        ("ip:1", "ip", Int32(1)), ("ip4:icmp", "ip4", 1), ("ip4:ICMP", "ip4", 1), ("ip6:ipv6-icmp", "ip6", 58),
        ("ip:256", "ip", 256), ("ip:tcp", "ip", 6), ("ip6:udp", "ip6", 17), ("ip4:igmp", "ip4", 2),
        ("ip:0", "ip", 0), ("ip:007", "ip", 7), ("ip:16777214", "ip", 16_777_214),
    ])
    func withProtocol(network: String, afnet: String, proto: Int32) throws {
        let parsed = try parseNetwork(network, needsProto: true)
        #expect(parsed.afnet == afnet)
        #expect(parsed.proto == proto)
    }

    @Test(arguments: [
        ("ip:", "unknown IP protocol specified"),
        ("ip:nosuchproto", "address nosuchproto: unknown IP protocol specified"),
        ("ip4:-1", "address -1: unknown IP protocol specified"),
        ("ip:16777215", "address 16777215: unknown IP protocol specified"),
        ("ip:4294967296", "address 4294967296: unknown IP protocol specified"),
        ("TCP", "unknown network TCP"),
        ("Tcp4", "unknown network Tcp4"),
        ("tcp:80", "unknown network tcp:80"),
        ("unix:foo", "unknown network unix:foo"),
        ("udp:1", "unknown network udp:1"),
        ("", "unknown network "),
        ("foo", "unknown network foo"),
    ])
    func rejected(network: String, text: String) {
        let error = #expect(throws: (any Error).self) { try parseNetwork(network, needsProto: true) }
        #expect(error.map { String(describing: $0) } == text)
    }
}

// MARK: dialing real sockets

@Suite(.fdLeakCheck) struct DialConnectTests {
    @Test func tcpConnects() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        let conn = try await withTimeLimit { try await Net.dial("tcp", "127.0.0.1:\(p)") }
        defer { try? conn.close() }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }

        let tcp = try #require(conn as? TCPConn)
        #expect(tcp.remoteAddr as? TCPAddr == TCPAddr(ip: IP.v4(127, 0, 0, 1), port: p))
        #expect(tcp.remoteAddr?.description == "127.0.0.1:\(p)")
        let local = try #require(tcp.localAddr as? TCPAddr)
        #expect(local.ip == IP.v4(127, 0, 0, 1))
        #expect(local.port != 0 && local.port != p)
        #expect(server.remoteAddr as? TCPAddr == local)
        #expect(server.localAddr as? TCPAddr == TCPAddr(ip: IP.v4(127, 0, 0, 1), port: p))
        #expect(try await H.roundTrip(conn, server) == Array("ping".utf8))
        #expect(try await H.roundTrip(server, conn, Array("pong".utf8)) == Array("pong".utf8))
    }

    @Test(.enabled(if: NetTestHelpers.hasIPv6, "needs IPv6 loopback (::1)")) func tcp6AndBracketedLiteral() async throws {
        let ln = try await Net.listen("tcp6", "[::1]:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        #expect(ln.addr.description == "[::1]:\(p)")
        for network in ["tcp", "tcp6"] {
            let conn = try await withTimeLimit { try await Net.dial(network, "[::1]:\(p)") }
            defer { try? conn.close() }
            let server = try await withTimeLimit { try await ln.accept() }
            defer { try? server.close() }
            #expect(conn.remoteAddr?.description == "[::1]:\(p)")
            #expect(try await H.roundTrip(conn, server) == Array("ping".utf8))
        }
    }

    @Test func hostNameLocalhost() async throws {
        // localhost has 127.0.0.1 everywhere; a listener on it alone must be reachable by name
        // (with Happy Eyeballs, if the name also has ::1, that attempt is refused first).
        let ln = try await Net.listen("tcp4", "127.0.0.1:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        let conn = try await withTimeLimit { try await Net.dial("tcp", "localhost:\(p)") }
        defer { try? conn.close() }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }
        #expect(conn.remoteAddr?.description == "127.0.0.1:\(p)")
    }

    @Test func emptyHostDialsLocalSystem() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        let conn = try await withTimeLimit { try await Net.dial("tcp", ":\(p)") }
        defer { try? conn.close() }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }
        #expect(conn.remoteAddr?.description == "127.0.0.1:\(p)")
    }

    @Test func serviceNamePort() async throws {
        // No listener needed: the refused dial shows the port the name was looked up to.
        let error = await H.dialFailure("tcp", "127.0.0.1:discard")
        #expect(error?.description == "dial tcp 127.0.0.1:9: connect: connection refused")
    }

    @Test(arguments: ["unix", "unixpacket"])
    func unixStreamKinds(network: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("s.sock")
        let ln = try await Net.listen(network, path)
        defer { try? ln.close() }
        let conn = try await withTimeLimit { try await Net.dial(network, path) }
        defer { try? conn.close() }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }

        #expect(conn is UnixConn)
        #expect(conn.remoteAddr as? UnixAddr == UnixAddr(name: path, net: network))
        // An unnamed client socket prints "@" on both ends, as in Go on Linux.
        #expect(conn.localAddr?.description == "@")
        #expect(server.remoteAddr?.description == "@")
        #expect(server.remoteAddr?.network == network)
        #expect(server.localAddr as? UnixAddr == UnixAddr(name: path, net: network))
        #expect(try await H.roundTrip(conn, server) == Array("ping".utf8))
    }

    @Test func abstractName() async throws {
        let name = H.uniqueAbstractName("dial")
        let ln = try await Net.listen("unix", name)
        defer { try? ln.close() }
        #expect(ln.addr.description == name)
        let conn = try await withTimeLimit { try await Net.dial("unix", name) }
        defer { try? conn.close() }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }
        #expect(conn.remoteAddr?.description == name)
        #expect(server.localAddr?.description == name)
        #expect(try await H.roundTrip(server, conn) == Array("ping".utf8))
    }

    @Test func unixgramConnected() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("g.sock")
        let pc = try await Net.listenPacket("unixgram", path)
        defer { try? pc.close() }
        let conn = try await Net.dial("unixgram", path)
        defer { try? conn.close() }
        #expect(conn is UnixConn)
        #expect(conn.remoteAddr as? UnixAddr == UnixAddr(name: path, net: "unixgram"))
        try await conn.write(Array("datagram".utf8))
        let (n, from) = try await withTimeLimit {
            var b = [UInt8](repeating: 0, count: 64)
            let r = try await pc.readFrom(&b)
            return (r.n, r.addr?.description)
        }
        #expect(n == 8)
        #expect(from == nil)   // an unnamed sender has no address
    }

    @Test func udpConnected() async throws {
        let pc = try await Net.listenPacket("udp", "127.0.0.1:0")
        defer { try? pc.close() }
        let p = H.port(pc.localAddr)
        let conn = try await Net.dial("udp", "127.0.0.1:\(p)")
        defer { try? conn.close() }
        let udp = try #require(conn as? UDPConn)
        #expect(udp.remoteAddr?.description == "127.0.0.1:\(p)")
        #expect(try H.sockopt(udp.syscallConn(), Syscall.SOL_SOCKET, Syscall.SO_BROADCAST) == 1)
        try await conn.write(Array("hi".utf8))
        let (n, from) = try await withTimeLimit {
            var b = [UInt8](repeating: 0, count: 16)
            let r = try await pc.readFrom(&b)
            return (r.n, r.addr?.description)
        }
        #expect(n == 2)
        #expect(from == udp.localAddr?.description)
    }

    /// Go's self-connect guard: dialing a port nobody listens on, from the same port, must not
    /// connect the socket to itself. Many dials in a row to a closed port are refused, never a
    /// connection.
    @Test func noSelfConnect() async throws {
        let p = try await H.closedTCPPort()
        for _ in 0..<20 {
            let error = await H.dialFailure("tcp", "127.0.0.1:\(p)")
            #expect(error?.description == "dial tcp 127.0.0.1:\(p): connect: connection refused")
        }
    }
}

// MARK: dials that hang: a TCP listener whose accept queue is full

/// Linux drops a SYN when the listener's accept queue is full, so a connect to it hangs until
/// the dial's deadline (the client retransmits the SYN at 1 s, 3 s...). The listener is made
/// with Syscall, backlog 0 (one queued connection), and is filled before the test dials.
/// Close it with `close()` (in a defer).
struct SaturatedTCPListener {
    let fd: Int32
    let port: Int
    let queued: [any Conn]

    init(family: Int32 = Syscall.AF_INET) async throws {
        let s: Int32
        let p: Int
        if family == Syscall.AF_INET {
            (s, p) = try NetTestHelpers.rawTCPListener(backlog: 0)
        } else {
            s = try Syscall.socket(Syscall.AF_INET6, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
            do {
                try Syscall.setsockoptInt(s, Syscall.IPPROTO_IPV6, Syscall.IPV6_V6ONLY, 1)
                try Syscall.bind(s, SockaddrInet6(port: 0, addr: IP.ipv6loopback.bytes))
                try Syscall.listen(s, 0)
                p = (try Syscall.getsockname(s) as! SockaddrInet6).port
            } catch {
                try? Syscall.close(s)
                throw error
            }
        }
        let target = family == Syscall.AF_INET ? "127.0.0.1:\(p)" : "[::1]:\(p)"
        // Fill the queue: dial until one attempt times out (a few succeed first).
        var conns: [any Conn] = []
        var saturated = false
        for _ in 0..<8 {
            do {
                conns.append(try await Dialer(timeout: .milliseconds(300)).dial("tcp", target))
            } catch {
                saturated = error.timeout
                break
            }
        }
        if !saturated {
            for c in conns { try? c.close() }
            try? Syscall.close(s)
            throw TimedOut(what: "a connect to the full accept queue of \(target) (it never hung)", limit: .milliseconds(300))
        }
        fd = s
        port = p
        queued = conns
    }

    func close() {
        for c in queued { try? c.close() }
        try? Syscall.close(fd)
    }

    /// A saturated listener, or the test is cancelled (skipped) with the reason if this
    /// kernel answers a SYN to a full accept queue after all: then a hanging connect cannot be
    /// made offline. (On Linux 6.x it never does: tcp_conn_request drops the SYN.)
    static func make(family: Int32 = Syscall.AF_INET) async throws -> SaturatedTCPListener {
        do {
            return try await SaturatedTCPListener(family: family)
        } catch let error as TimedOut {
            try Test.cancel("no connect hangs here: \(error)")
        }
    }
}

@Suite(.fdLeakCheck) struct DialTimeoutTests {
    @Test func dialerTimeoutWhileConnecting() async throws {
        let full = try await SaturatedTCPListener.make()
        defer { full.close() }
        let target = "127.0.0.1:\(full.port)"
        let timeout = Duration.milliseconds(500)
        let start = ContinuousClock.now
        let error = await H.dialFailure("tcp", target, with: Dialer(timeout: timeout))
        let elapsed = start.duration(to: .now)
        #expect(error?.description == "dial tcp \(target): i/o timeout")
        #expect(error?.underlying is DialTimeoutError)
        #expect(error?.timeout == true)
        #expect(elapsed >= timeout - .milliseconds(20), "returned after \(elapsed)")
        #expect(elapsed < timeout + .seconds(1), "returned after \(elapsed)")
    }

    @Test func dialTimeoutFunctionWhileConnecting() async throws {
        let full = try await SaturatedTCPListener.make()
        defer { full.close() }
        let target = "127.0.0.1:\(full.port)"
        let start = ContinuousClock.now
        var failure: OpError?
        do {
            let c = try await withTimeLimit { try await Net.dialTimeout("tcp", target, .milliseconds(300)) }
            try? c.close()
        } catch let e as OpError {
            failure = e
        }
        let elapsed = start.duration(to: .now)
        #expect(failure?.description == "dial tcp \(target): i/o timeout")
        #expect(elapsed >= .milliseconds(280) && elapsed < .milliseconds(1300), "returned after \(elapsed)")
    }

    @Test func dialerDeadline() async throws {
        let full = try await SaturatedTCPListener.make()
        defer { full.close() }
        let target = "127.0.0.1:\(full.port)"
        let start = ContinuousClock.now
        // The earlier of timeout and deadline wins.
        let dialer = Dialer(timeout: .seconds(30), deadline: start + .milliseconds(300))
        let error = await H.dialFailure("tcp", target, with: dialer)
        let elapsed = start.duration(to: .now)
        #expect(error?.description == "dial tcp \(target): i/o timeout")
        #expect(elapsed >= .milliseconds(280) && elapsed < .milliseconds(1300), "returned after \(elapsed)")

        // A deadline already past fails at once, with the address.
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        let live = "127.0.0.1:\(H.port(ln.addr))"
        let past = await H.dialFailure("tcp", live, with: Dialer(deadline: .now - .seconds(1)))
        #expect(past?.description == "dial tcp \(live): i/o timeout")
    }

    /// Cancelling the dialing task wakes a connect in progress: `operation was canceled`.
    @Test func cancelWhileConnecting() async throws {
        let full = try await SaturatedTCPListener.make()
        defer { full.close() }
        let target = "127.0.0.1:\(full.port)"
        let start = ContinuousClock.now
        let task = Task { () -> OpError? in
            do {
                let c = try await Net.dial("tcp", target)
                try? c.close()
                return nil
            } catch let e as OpError {
                return e
            } catch {
                return nil
            }
        }
        try await Task.sleep(for: .milliseconds(150))
        task.cancel()
        let error = try await withTimeLimit(.seconds(5), "cancelled dial") { await task.value }
        let elapsed = start.duration(to: .now)
        #expect(error?.description == "dial tcp \(target): operation was canceled")
        #expect(error?.underlying is CancellationError)
        #expect(error?.timeout == false)
        #expect(elapsed < .seconds(2), "returned after \(elapsed)")
    }
}

// MARK: Resolve*

@Suite(.fdLeakCheck) struct DialResolveTests {
    @Test func resolveTCPAddr() async throws {
        #expect(try await Net.resolveTCPAddr("tcp", "").description == ":0")
        #expect(try await Net.resolveTCPAddr("tcp", ":80") == TCPAddr(port: 80))
        let v4 = try await Net.resolveTCPAddr("", "127.0.0.1:80")
        #expect(v4.description == "127.0.0.1:80")
        #expect(v4.ip?.bytes.count == 16)   // IPv4 literals come back IPv4-mapped, as in Go
        #expect(try await Net.resolveTCPAddr("tcp", "localhost:http").description == "127.0.0.1:80")
        #expect(try await Net.resolveTCPAddr("tcp", "[::1]:80").description == "[::1]:80")
        #expect(try await Net.resolveTCPAddr("tcp", "[fe80::1%lo]:80").description == "[fe80::1%lo]:80")
        #expect(try await Net.resolveTCPAddr("tcp4", "127.0.0.1:8080").port == 8080)
    }

    @Test(arguments: [
        ("tcp6", "127.0.0.1:80", "address 127.0.0.1: no suitable address found"),
        ("tcp4", "[::1]:80", "address ::1: no suitable address found"),
        ("tcp6", "[::ffff:127.0.0.1]:1", "address ::ffff:127.0.0.1: no suitable address found"),
        ("udp", "x", "unknown network udp"),
        ("tcp", "127.0.0.1", "address 127.0.0.1: missing port in address"),
    ])
    func resolveTCPAddrErrors(network: String, address: String, text: String) async {
        #expect(await resolveError { _ = try await Net.resolveTCPAddr(network, address) } == text)
    }

    /// The text of the error `body` throws, or nil if it throws none.
    private func resolveError(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch {
            return String(describing: error)
        }
    }

    @Test func resolveUDPAddr() async throws {
        #expect(try await Net.resolveUDPAddr("udp", "127.0.0.1:53").description == "127.0.0.1:53")
        #expect(try await Net.resolveUDPAddr("", ":53").description == ":53")
        #expect(try await Net.resolveUDPAddr("udp6", "[::1]:53").description == "[::1]:53")
        #expect(await resolveError { _ = try await Net.resolveUDPAddr("tcp", ":53") } == "unknown network tcp")
    }

    @Test func resolveIPAddr() async throws {
        #expect(try await Net.resolveIPAddr("ip", "").description == "")
        #expect(try await Net.resolveIPAddr("ip", "::1").description == "::1")
        #expect(try await Net.resolveIPAddr("ip4:icmp", "127.0.0.1").description == "127.0.0.1")
        #expect(try await Net.resolveIPAddr("", "127.0.0.1").description == "127.0.0.1")
        #expect(try await Net.resolveIPAddr("ip", "fe80::1%lo").description == "fe80::1%lo")
        #expect(await resolveError { _ = try await Net.resolveIPAddr("ip6", "127.0.0.1") }
                == "address 127.0.0.1: no suitable address found")
        #expect(await resolveError { _ = try await Net.resolveIPAddr("tcp", "127.0.0.1") } == "unknown network tcp")
        #expect(await resolveError { _ = try await Net.resolveIPAddr("ip:nosuch", "127.0.0.1") }
                == "address nosuch: unknown IP protocol specified")
    }

    @Test func resolveUnixAddr() throws {
        #expect(try Net.resolveUnixAddr("unix", "x.sock") == UnixAddr(name: "x.sock", net: "unix"))
        #expect(try Net.resolveUnixAddr("unixgram", "@abs") == UnixAddr(name: "@abs", net: "unixgram"))
        #expect(try Net.resolveUnixAddr("unixpacket", "/no/such/dir/x").network == "unixpacket")
        #expect(throws: UnknownNetworkError("")) { try Net.resolveUnixAddr("", "x") }
        #expect(throws: UnknownNetworkError("tcp")) { try Net.resolveUnixAddr("tcp", "x") }
    }
}

// MARK: raw IP ("ip4:icmp"): needs CAP_NET_RAW

@Suite(.fdLeakCheck) struct DialRawIPTests {
    static let privileged = NetTestHelpers.isRoot

    /// Raw sockets need CAP_NET_RAW: without it the error is Go's; with it (root, as in CI) the
    /// same calls succeed. Either way the test checks what this process is allowed.
    @Test func rawSocketsFollowPrivilege() async throws {
        if Self.privileged {
            let conn = try await Net.dial("ip4:icmp", "127.0.0.1")
            try conn.close()
            let pc = try await Net.listenPacket("ip4:icmp", "127.0.0.1")
            try pc.close()
        } else {
            #expect(await H.dialFailure("ip4:icmp", "127.0.0.1")?.description == "dial ip4:icmp 127.0.0.1: socket: operation not permitted")
            #expect(await H.listenPacketFailure("ip4:icmp", "127.0.0.1")?.description
                    == "listen ip4:icmp 127.0.0.1: socket: operation not permitted")
        }
    }

    /// A protocol number the kernel rejects (IPPROTO_MAX is 263) fails in socket(2), root or not.
    @Test func protocolOutOfRange() async {
        #expect(await H.dialFailure("ip:16777214", "127.0.0.1")?.description == "dial ip:16777214 127.0.0.1: socket: invalid argument")
    }

    /// The fd's network is the family part ("ip4"), as Go's: the control hook sees ("ip4",
    /// "127.0.0.1") and the conn's errors say `ip4` (observed: `read ip4 127.0.0.1->127.0.0.1:
    /// i/o timeout`), while dial and listen errors keep the name as given.
    @Test(.enabled(if: privileged, "raw sockets need root (CAP_NET_RAW)"))
    func dialedRawSocket() async throws {
        let log = ControlLog()
        let conn = try await Dialer(control: log.hook).dial("ip4:icmp", "127.0.0.1")
        defer { try? conn.close() }
        #expect(conn is IPConn)
        #expect(log.pairs == ["(ip4, 127.0.0.1)"])
        #expect(conn.localAddr?.description == "127.0.0.1")
        #expect(conn.localAddr?.network == "ip")
        #expect(conn.remoteAddr?.description == "127.0.0.1")
        let raw = try #require(H.raw(conn))
        #expect(try H.sockopt(raw, Syscall.SOL_SOCKET, Syscall.SO_BROADCAST) == 1)
        #expect(try H.flags(raw) == (cloexec: true, nonblock: true))
        try conn.setReadDeadline(.now - .seconds(1))
        var failure: OpError?
        do { _ = try await withTimeLimit { try await conn.read(upTo: 10) } } catch let e as OpError { failure = e }
        #expect(failure?.description == "read ip4 127.0.0.1->127.0.0.1: i/o timeout")
        try conn.close()
        var closed: OpError?
        do { try (conn as! IPConn).close() } catch { closed = error }
        #expect(closed?.description == "close ip4 127.0.0.1->127.0.0.1: use of closed network connection")
    }

    @Test(.enabled(if: privileged, "raw sockets need root (CAP_NET_RAW)"))
    func listenedRawSockets() async throws {
        for (network, address, local, family, control) in [
            ("ip4:icmp", "127.0.0.1", "127.0.0.1", Syscall.AF_INET, "(ip4, 127.0.0.1)"),
            ("ip4:icmp", "", "0.0.0.0", Syscall.AF_INET, "(ip4, )"),
            ("ip:icmp", "127.0.0.1", "127.0.0.1", Syscall.AF_INET, "(ip4, 127.0.0.1)"),
            ("ip6:ipv6-icmp", "::1", "::1", Syscall.AF_INET6, "(ip6, ::1)"),
        ] {
            let log = ControlLog()
            let pc = try await ListenConfig(control: log.hook).listenPacket(network, address)
            defer { try? pc.close() }
            #expect(pc is IPConn, "\(network) \(address)")
            #expect(pc.localAddr?.description == local, "\(network) \(address)")
            #expect(log.pairs == [control], "\(network) \(address)")
            let raw = try #require(H.raw(pc))
            #expect(try H.sockopt(raw, Syscall.SOL_SOCKET, Syscall.SO_DOMAIN) == Int(family), "\(network) \(address)")
            try pc.setReadDeadline(.now - .seconds(1))
            var failure: OpError?
            do {
                _ = try await withTimeLimit {
                    var b = [UInt8](repeating: 0, count: 10)
                    return try await pc.readFrom(&b).n
                }
            } catch let e as OpError {
                failure = e
            }
            let afnet = String(network.prefix { $0 != ":" })
            #expect(failure?.description == "read \(afnet) \(local): i/o timeout", "\(network) \(address)")
        }
    }
}
