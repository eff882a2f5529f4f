// Dialer options on real sockets: localAddr, keepAlive, control (and ListenConfig.control),
// and Happy Eyeballs (fallbackDelay).
import Synchronization
@testable import Net
import Syscall
import Testing
import TestSupport

private typealias H = NetTestHelpers

/// Records every call of a control hook, with what the fd looked like at that moment.
final class ControlLog: Sendable {
    struct Call: Sendable, Equatable, CustomStringConvertible {
        var network: String
        var address: String
        var sotype: Int
        var cloexec: Bool
        var nonblock: Bool
        var description: String { "(\(network), \(address))" }
    }

    private let calls = Mutex<[Call]>([])
    /// What the hook throws after recording, if anything.
    private let failure: (any Error & Sendable)?

    init(failing failure: (any Error & Sendable)? = nil) { self.failure = failure }

    var recorded: [Call] { calls.withLock { $0 } }
    var pairs: [String] { recorded.map(\.description) }

    var hook: ControlHook {
        { [self] network, address, raw in
            var call = Call(network: network, address: address, sotype: -1, cloexec: false, nonblock: false)
            try raw.control { fd in
                call.sotype = try Syscall.getsockoptInt(fd, Syscall.SOL_SOCKET, Syscall.SO_TYPE)
                call.cloexec = try Syscall.isCloseOnExec(fd)
                call.nonblock = try Syscall.isNonblock(fd)
            }
            calls.withLock { $0.append(call) }
            if let failure { throw failure }
        }
    }
}

struct HookFailure: Error, CustomStringConvertible {
    var description: String { "boom" }
}

@Suite(.fdLeakCheck) struct DialerControlTests {
    @Test func dialTCP4() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        let log = ControlLog()
        let conn = try await withTimeLimit { try await Dialer(control: log.hook).dial("tcp", "127.0.0.1:\(p)") }
        defer { try? conn.close() }
        // Go: the network is concrete and the address is the remote one.
        #expect(log.pairs == ["(tcp4, 127.0.0.1:\(p))"])
        let call = try #require(log.recorded.first)
        #expect(call.sotype == Int(Syscall.SOCK_STREAM))
        #expect(call.cloexec && call.nonblock)
    }

    @Test(.enabled(if: NetTestHelpers.hasIPv6, "needs IPv6 loopback (::1)")) func dialTCP6() async throws {
        let ln = try await Net.listen("tcp6", "[::1]:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        for network in ["tcp", "tcp6"] {
            let log = ControlLog()
            let conn = try await withTimeLimit { try await Dialer(control: log.hook).dial(network, "[::1]:\(p)") }
            try conn.close()
            let accepted = try await withTimeLimit { try await ln.accept() }
            try accepted.close()
            #expect(log.pairs == ["(tcp6, [::1]:\(p))"])
        }
    }

    @Test func dialUDPAndUnix() async throws {
        let pc = try await Net.listenPacket("udp", "127.0.0.1:0")
        defer { try? pc.close() }
        let p = H.port(pc.localAddr)
        let udpLog = ControlLog()
        let udp = try await Dialer(control: udpLog.hook).dial("udp", "127.0.0.1:\(p)")
        try udp.close()
        #expect(udpLog.pairs == ["(udp4, 127.0.0.1:\(p))"])
        #expect(udpLog.recorded.first?.sotype == Int(Syscall.SOCK_DGRAM))

        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("ctl.sock")
        let ln = try await Net.listen("unix", path)
        defer { try? ln.close() }
        let unixLog = ControlLog()
        let unix = try await withTimeLimit { try await Dialer(control: unixLog.hook).dial("unix", path) }
        try unix.close()
        #expect(unixLog.pairs == ["(unix, \(path))"])
    }

    /// ListenConfig.control gets the concrete network and the local address (observed in Go:
    /// `Listen("tcp", ":0")` → ("tcp6", ":0"), `ListenPacket("udp", ":0")` → ("udp6", ":0")).
    @Test(.enabled(if: NetTestHelpers.hasIPv6, "needs IPv6 loopback (::1)")) func listenArguments() async throws {
        let dualStack = IPStackCapabilities.current.ipv4MappedIPv6Enabled
        for (network, address, expected) in [
            ("tcp", ":0", dualStack ? "(tcp6, :0)" : "(tcp4, :0)"),
            ("tcp", "127.0.0.1:0", "(tcp4, 127.0.0.1:0)"),
            ("tcp4", ":0", "(tcp4, :0)"),
            ("tcp6", "[::1]:0", "(tcp6, [::1]:0)"),
        ] {
            let log = ControlLog()
            let ln = try await ListenConfig(control: log.hook).listen(network, address)
            try ln.close()
            #expect(log.pairs == [expected], "listen \(network) \(address)")
        }
        let log = ControlLog()
        let pc = try await ListenConfig(control: log.hook).listenPacket("udp", ":0")
        try pc.close()
        #expect(log.pairs == [dualStack ? "(udp6, :0)" : "(udp4, :0)"])

        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let unixLog = ControlLog()
        let path = dir.path("ctl.sock")
        let ln = try await ListenConfig(control: unixLog.hook).listen("unix", path)
        try ln.close()
        #expect(unixLog.pairs == ["(unix, \(path))"])
        let gramLog = ControlLog()
        let gramPath = dir.path("gctl.sock")
        let gram = try await ListenConfig(control: gramLog.hook).listenPacket("unixgram", gramPath)
        try gram.close()
        #expect(gramLog.pairs == ["(unixgram, \(gramPath))"])
        #expect(unixLog.recorded.first.map { $0.cloexec && $0.nonblock } == true)
    }

    /// An error from the hook fails the dial with the hook's own error, unwrapped, and the
    /// socket is closed (the suite's leak check counts the fds).
    @Test func dialHookErrorFailsTheDial() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        let error = await H.dialFailure("tcp", "127.0.0.1:\(p)", with: Dialer(control: ControlLog(failing: HookFailure()).hook))
        #expect(error?.description == "dial tcp 127.0.0.1:\(p): boom")
        #expect(error?.underlying is HookFailure)
        let eperm = await H.dialFailure("tcp", "127.0.0.1:\(p)", with: Dialer(control: ControlLog(failing: Errno.EPERM).hook))
        #expect(eperm?.description == "dial tcp 127.0.0.1:\(p): operation not permitted")
        // Nothing reached the listener.
        try (ln as! TCPListener).setDeadline(.now + .milliseconds(50))
        await #expect(throws: OpError.self) { _ = try await ln.accept() }
    }

    @Test func listenHookErrorFailsTheListen() async throws {
        let failing = ListenConfig(control: ControlLog(failing: Errno.EPERM).hook)
        #expect(await H.listenFailure("tcp", "127.0.0.1:0", with: failing)?.description
                == "listen tcp 127.0.0.1:0: operation not permitted")
        #expect(await H.listenPacketFailure("udp", "127.0.0.1:0", with: failing)?.description
                == "listen udp 127.0.0.1:0: operation not permitted")
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("ctl.sock")
        let boom = ListenConfig(control: ControlLog(failing: HookFailure()).hook)
        #expect(await H.listenFailure("unix", path, with: boom)?.description == "listen unix \(path): boom")
        #expect(!H.exists(path))   // the hook runs before bind: no file was made
    }
}

@Suite(.fdLeakCheck) struct DialerLocalAddrTests {
    @Test func tcpLocalAddrWildcardPort() async throws {
        let dialer = Dialer(localAddr: TCPAddr(ip: IP.v4(127, 0, 0, 1), port: 0))
        let (ln, client, server) = try await H.tcpTrio(dialer: dialer)
        defer { try? ln.close(); try? client.close(); try? server.close() }
        let local = try #require(client.localAddr as? TCPAddr)
        #expect(local.ip == IP.v4(127, 0, 0, 1))
        #expect(local.port != 0)
        #expect(server.remoteAddr as? TCPAddr == local)
    }

    @Test func tcpLocalAddrFixedPort() async throws {
        let q = try await H.closedTCPPort()
        let dialer = Dialer(localAddr: TCPAddr(ip: IP.v4(127, 0, 0, 1), port: q))
        let (ln, client, server) = try await H.tcpTrio(dialer: dialer)
        defer { try? ln.close(); try? client.close(); try? server.close() }
        #expect(client.localAddr?.description == "127.0.0.1:\(q)")
        #expect(server.remoteAddr?.description == "127.0.0.1:\(q)")
    }

    @Test(.enabled(if: NetTestHelpers.hasIPv6, "needs IPv6 loopback (::1)")) func wildcardLocalAddrDoesNotFilterFamilies() async throws {
        let ln = try await Net.listen("tcp6", "[::1]:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        let conn = try await withTimeLimit { try await Dialer(localAddr: TCPAddr()).dial("tcp", "[::1]:\(p)") }
        defer { try? conn.close() }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }
        #expect((conn.localAddr as? TCPAddr)?.ip == IP.ipv6loopback)
    }

    @Test func udpLocalAddr() async throws {
        let pc = try await Net.listenPacket("udp", "127.0.0.1:0")
        defer { try? pc.close() }
        let conn = try await Dialer(localAddr: UDPAddr(ip: IP.v4(127, 0, 0, 1))).dial("udp", "127.0.0.1:\(H.port(pc.localAddr))")
        defer { try? conn.close() }
        try await conn.write([1, 2, 3])
        let from = try await withTimeLimit {
            var b = [UInt8](repeating: 0, count: 8)
            return try await pc.readFrom(&b).addr?.description
        }
        #expect(from == conn.localAddr?.description)
        #expect(from?.hasPrefix("127.0.0.1:") == true)
    }

    /// A unix client bound to a path: the server sees that name, and the file stays after the
    /// client closes (Go removes only a listener's file).
    @Test func unixLocalAddr() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("srv.sock"), clientPath = dir.path("client.sock")
        let ln = try await Net.listen("unix", path)
        defer { try? ln.close() }
        let conn = try await withTimeLimit {
            try await Dialer(localAddr: UnixAddr(name: clientPath, net: "unix")).dial("unix", path)
        }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }
        #expect(conn.localAddr?.description == clientPath)
        #expect(server.remoteAddr as? UnixAddr == UnixAddr(name: clientPath, net: "unix"))
        try conn.close()
        #expect(try Syscall.lstat(clientPath).isSocket)
    }

    /// A unix client bound to an abstract name: the server sees that name, "@" and all.
    @Test func unixAbstractLocalAddr() async throws {
        let name = H.uniqueAbstractName("srv"), clientName = H.uniqueAbstractName("client")
        let ln = try await Net.listen("unix", name)
        defer { try? ln.close() }
        let conn = try await withTimeLimit {
            try await Dialer(localAddr: UnixAddr(name: clientName, net: "unix")).dial("unix", name)
        }
        defer { try? conn.close() }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }
        #expect(server.remoteAddr as? UnixAddr == UnixAddr(name: clientName, net: "unix"))
        #expect(server.localAddr as? UnixAddr == UnixAddr(name: name, net: "unix"))
    }
}

@Suite(.fdLeakCheck) struct DialerKeepAliveTests {
    @Test func defaultIsFifteenSeconds() async throws {
        let (ln, client, server) = try await H.tcpTrio()
        defer { try? ln.close(); try? client.close(); try? server.close() }
        for conn in [client, server] {
            let raw = conn.syscallConn()
            #expect(try H.sockopt(raw, Syscall.SOL_SOCKET, Syscall.SO_KEEPALIVE) == 1)
            #expect(try H.sockopt(raw, Syscall.IPPROTO_TCP, Syscall.TCP_KEEPIDLE) == 15)
            #expect(try H.sockopt(raw, Syscall.IPPROTO_TCP, Syscall.TCP_KEEPINTVL) == 15)
            #expect(try H.sockopt(raw, Syscall.IPPROTO_TCP, Syscall.TCP_NODELAY) == 1)
        }
    }

    @Test func negativeTurnsItOff() async throws {
        let (ln, client, server) = try await H.tcpTrio(dialer: Dialer(keepAlive: .seconds(-1)),
                                                        config: ListenConfig(keepAlive: .seconds(-1)))
        defer { try? ln.close(); try? client.close(); try? server.close() }
        #expect(try H.sockopt(client.syscallConn(), Syscall.SOL_SOCKET, Syscall.SO_KEEPALIVE) == 0)
        #expect(try H.sockopt(server.syscallConn(), Syscall.SOL_SOCKET, Syscall.SO_KEEPALIVE) == 0)
        // TCP_NODELAY does not depend on keep-alive.
        #expect(try H.sockopt(client.syscallConn(), Syscall.IPPROTO_TCP, Syscall.TCP_NODELAY) == 1)
    }

    @Test func periodRoundsUpToWholeSeconds() async throws {
        let (ln, client, server) = try await H.tcpTrio(dialer: Dialer(keepAlive: .milliseconds(2500)),
                                                        config: ListenConfig(keepAlive: .seconds(7)))
        defer { try? ln.close(); try? client.close(); try? server.close() }
        #expect(try H.sockopt(client.syscallConn(), Syscall.SOL_SOCKET, Syscall.SO_KEEPALIVE) == 1)
        #expect(try H.sockopt(client.syscallConn(), Syscall.IPPROTO_TCP, Syscall.TCP_KEEPIDLE) == 3)
        #expect(try H.sockopt(client.syscallConn(), Syscall.IPPROTO_TCP, Syscall.TCP_KEEPINTVL) == 3)
        #expect(try H.sockopt(server.syscallConn(), Syscall.IPPROTO_TCP, Syscall.TCP_KEEPIDLE) == 7)
    }
}

/// Happy Eyeballs needs a name with both an IPv6 and an IPv4 address. "[::]:P" is one with
/// no name server: Go (issue 18806) dials `::` first and then 0.0.0.0; Linux routes `::` to ::1
/// and 0.0.0.0 to 127.0.0.1. A full accept queue on [::1]:P makes the IPv6 (primary) attempt
/// hang; a listener on 127.0.0.1:P answers the IPv4 (fallback) one.
@Suite(.fdLeakCheck, .enabled(if: NetTestHelpers.hasIPv6, "needs IPv6 loopback (::1)"))
struct DialerHappyEyeballsTests {
    /// A hanging IPv6 listener and a live IPv4 one on the same port.
    private func setUp() async throws -> (full: SaturatedTCPListener, ln: any Listener) {
        let full = try await SaturatedTCPListener.make(family: Syscall.AF_INET6)
        do {
            return (full, try await Net.listen("tcp4", "127.0.0.1:\(full.port)"))
        } catch {
            full.close()
            throw error
        }
    }

    @Test func fallbackWinsAfterTheDelay() async throws {
        let (full, ln) = try await setUp()
        defer { full.close(); try? ln.close() }
        let start = ContinuousClock.now
        let conn = try await withTimeLimit {
            try await Dialer(fallbackDelay: .milliseconds(200)).dial("tcp", "[::]:\(full.port)")
        }
        let elapsed = start.duration(to: .now)
        defer { try? conn.close() }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }
        #expect(conn.remoteAddr?.description == "127.0.0.1:\(full.port)")
        #expect(elapsed >= .milliseconds(190), "connected after \(elapsed)")
        #expect(elapsed < .milliseconds(200) + .seconds(1), "connected after \(elapsed)")
    }

    @Test func defaultDelayIs300ms() async throws {
        let (full, ln) = try await setUp()
        defer { full.close(); try? ln.close() }
        let start = ContinuousClock.now
        let conn = try await withTimeLimit { try await Net.dial("tcp", "[::]:\(full.port)") }
        let elapsed = start.duration(to: .now)
        defer { try? conn.close() }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }
        #expect(elapsed >= .milliseconds(290), "connected after \(elapsed)")
        #expect(elapsed < .milliseconds(300) + .seconds(1), "connected after \(elapsed)")
    }

    /// fallbackDelay < 0 turns the race off: the addresses are tried in turn, and the first
    /// one takes all the time there is.
    @Test func negativeDelayDisablesTheRace() async throws {
        let (full, ln) = try await setUp()
        defer { full.close(); try? ln.close() }
        let start = ContinuousClock.now
        let error = await H.dialFailure("tcp", "[::]:\(full.port)", with: Dialer(timeout: .milliseconds(800), fallbackDelay: .seconds(-1)))
        let elapsed = start.duration(to: .now)
        #expect(error?.description == "dial tcp [::]:\(full.port): i/o timeout")
        #expect(elapsed >= .milliseconds(780) && elapsed < .milliseconds(800) + .seconds(1), "failed after \(elapsed)")
    }

    /// When the primary fails, the fallback starts at once rather than after the delay.
    @Test func primaryFailureStartsTheFallbackAtOnce() async throws {
        let ln = try await Net.listen("tcp4", "127.0.0.1:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)   // nothing listens on [::1]:p: the primary is refused
        let start = ContinuousClock.now
        let conn = try await withTimeLimit { try await Dialer(fallbackDelay: .seconds(5)).dial("tcp", "[::]:\(p)") }
        let elapsed = start.duration(to: .now)
        defer { try? conn.close() }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }
        #expect(conn.remoteAddr?.description == "127.0.0.1:\(p)")
        #expect(elapsed < .seconds(2), "connected after \(elapsed)")
    }

    /// Both fail: the primary's error is the one returned.
    @Test func bothFailReportsThePrimary() async throws {
        let p = try await H.closedTCPPort()
        let error = await H.dialFailure("tcp", "[::]:\(p)")
        #expect(error?.description == "dial tcp [::]:\(p): connect: connection refused")
    }

    /// Dialing a name: with a dual-stack localhost, only one family listens and the dial still
    /// succeeds; where localhost is IPv4 only (as on this machine), the IPv4 dial is checked.
    @Test func localhostWithOneFamilyListening() async throws {
        let families = NetTestHelpers.localhostIsDualStack
            ? [("tcp4", "127.0.0.1:0"), ("tcp6", "[::1]:0")] : [("tcp4", "127.0.0.1:0")]
        for (network, address) in families {
            let ln = try await Net.listen(network, address)
            defer { try? ln.close() }
            let p = H.port(ln.addr)
            let conn = try await withTimeLimit { try await Net.dial("tcp", "localhost:\(p)") }
            defer { try? conn.close() }
            let server = try await withTimeLimit { try await ln.accept() }
            try server.close()
            #expect(H.port(conn.remoteAddr) == p)
        }
    }
}
