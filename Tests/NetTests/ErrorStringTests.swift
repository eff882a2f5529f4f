// Go's error texts for dialing and listening, to the character (GO-ERROR-STRINGS.md §3.1 and
// §3.2). Every expected string was printed by Go 1.19 itself; `{P}` there is a real port here.
// The §3.1 cases create no socket; the §3.2 cases fail in a system call on a real socket.
@testable import Net
import Syscall
import Testing
import TestSupport

private typealias H = NetTestHelpers

/// One argument, network or address error from dial, listen or listenPacket.
struct ArgumentErrorCase: Sendable, CustomTestStringConvertible {
    enum Call: Sendable { case dial, listen, listenPacket }
    let call: Call
    let network: String
    let address: String
    var localAddr: (any Addr)? = nil
    let expected: String
    var testDescription: String { expected }

    init(_ call: Call, _ network: String, _ address: String, localAddr: (any Addr)? = nil, _ expected: String) {
        self.call = call
        self.network = network
        self.address = address
        self.localAddr = localAddr
        self.expected = expected
    }
}

@Suite(.fdLeakCheck) struct ErrorStringArgumentTests {
    static let cases: [ArgumentErrorCase] = [
        // Unknown networks: case-sensitive, and "ip" needs a protocol to dial.
        .init(.dial, "foo", "bar", "dial foo: unknown network foo"),
        .init(.dial, "ip", "127.0.0.1", "dial ip: unknown network ip"),
        .init(.dial, "ip4", "127.0.0.1", "dial ip4: unknown network ip4"),
        .init(.dial, "ip6", "::1", "dial ip6: unknown network ip6"),
        .init(.dial, "tcp:80", "127.0.0.1", "dial tcp:80: unknown network tcp:80"),
        .init(.dial, "unix:foo", "x.sock", "dial unix:foo: unknown network unix:foo"),
        .init(.dial, "TCP", "127.0.0.1:1", "dial TCP: unknown network TCP"),
        .init(.dial, "", "127.0.0.1:1", "dial: unknown network "),
        .init(.dial, "ip:nosuchproto", "127.0.0.1", "dial ip:nosuchproto: address nosuchproto: unknown IP protocol specified"),
        .init(.dial, "ip4:nosuch", "127.0.0.1", "dial ip4:nosuch: address nosuch: unknown IP protocol specified"),
        .init(.dial, "ip:", "127.0.0.1", "dial ip:: unknown IP protocol specified"),
        // Go's dtoi gives up at 0xFFFFFF, and the name lookup then fails (observed).
        .init(.dial, "ip:16777215", "127.0.0.1", "dial ip:16777215: address 16777215: unknown IP protocol specified"),
        // Missing and malformed addresses.
        .init(.dial, "tcp", "", "dial tcp: missing address"),
        .init(.dial, "unix", "", "dial unix: missing address"),
        .init(.dial, "unixpacket", "", "dial unixpacket: missing address"),
        .init(.dial, "ip4:icmp", "", "dial ip4:icmp: missing address"),
        .init(.dial, "tcp", "127.0.0.1", "dial tcp: address 127.0.0.1: missing port in address"),
        .init(.dial, "udp", "127.0.0.1", "dial udp: address 127.0.0.1: missing port in address"),
        .init(.dial, "tcp", "::1:80", "dial tcp: address ::1:80: too many colons in address"),
        .init(.dial, "tcp", "[::1:80", "dial tcp: address [::1:80: missing ']' in address"),
        .init(.dial, "tcp", ":99999", "dial tcp: address 99999: invalid port"),
        .init(.dial, "tcp", "127.0.0.1:99999", "dial tcp: address 99999: invalid port"),
        .init(.dial, "tcp", "127.0.0.1:-1", "dial tcp: address -1: invalid port"),
        // Family filters.
        .init(.dial, "tcp6", "127.0.0.1:1", "dial tcp6: address 127.0.0.1: no suitable address found"),
        .init(.dial, "tcp4", "[::1]:1", "dial tcp4: address ::1: no suitable address found"),
        .init(.dial, "udp6", "127.0.0.1:1", "dial udp6: address 127.0.0.1: no suitable address found"),
        .init(.dial, "udp4", "[::1]:1", "dial udp4: address ::1: no suitable address found"),
        // Dialer.localAddr of the wrong type or family.
        .init(.dial, "tcp", "127.0.0.1:1", localAddr: UnixAddr(name: "local.sock", net: "unix"),
              "dial tcp: address local.sock: mismatched local address type"),
        .init(.dial, "tcp", "127.0.0.1:1", localAddr: TCPAddr(ip: IP.ipv6loopback),
              "dial tcp: address [::1]:0: no suitable address found"),
        .init(.dial, "tcp", "127.0.0.1:1", localAddr: UDPAddr(ip: IP.v4(127, 0, 0, 1)),
              "dial tcp: address 127.0.0.1:0: mismatched local address type"),
        .init(.dial, "tcp", "[::1]:1", localAddr: TCPAddr(ip: IP.v4(127, 0, 0, 1)),
              "dial tcp: address 127.0.0.1:0: no suitable address found"),
        .init(.dial, "unix", "x.sock", localAddr: TCPAddr(ip: IP.v4(127, 0, 0, 1)),
              "dial unix: address 127.0.0.1:0: mismatched local address type"),
        // Listen and listenPacket.
        .init(.listen, "foo", "x", "listen foo: unknown network foo"),
        .init(.listenPacket, "foo", "x", "listen foo: unknown network foo"),
        .init(.listen, "ip4", "127.0.0.1", "listen ip4: unknown network ip4"),
        .init(.listenPacket, "ip4", "127.0.0.1", "listen ip4: unknown network ip4"),
        .init(.listen, "udp", "127.0.0.1:0", "listen udp 127.0.0.1:0: address 127.0.0.1:0: unexpected address type"),
        .init(.listenPacket, "tcp", "127.0.0.1:0", "listen tcp 127.0.0.1:0: address 127.0.0.1:0: unexpected address type"),
        .init(.listen, "ip4:icmp", "127.0.0.1", "listen ip4:icmp 127.0.0.1: address 127.0.0.1: unexpected address type"),
        .init(.listen, "tcp", "127.0.0.1:http:80", "listen tcp: address 127.0.0.1:http:80: too many colons in address"),
        .init(.listen, "tcp", ":☺", "listen tcp: address tcp/☺: unknown port"),
        .init(.listen, "tcp", ":99999", "listen tcp: address 99999: invalid port"),
        .init(.listen, "tcp4", "[::1]:0", "listen tcp4: address ::1: no suitable address found"),
        .init(.listen, "tcp6", "127.0.0.1:0", "listen tcp6: address 127.0.0.1: no suitable address found"),
        .init(.listenPacket, "udp", "127.0.0.1", "listen udp: address 127.0.0.1: missing port in address"),
    ]

    @Test(arguments: cases)
    func goText(_ c: ArgumentErrorCase) async {
        let error: OpError?
        switch c.call {
        case .dial: error = await H.dialFailure(c.network, c.address, with: Dialer(localAddr: c.localAddr))
        case .listen: error = await H.listenFailure(c.network, c.address)
        case .listenPacket: error = await H.listenPacketFailure(c.network, c.address)
        }
        #expect(error?.description == c.expected)
        #expect(error?.op == (c.call == .dial ? "dial" : "listen"))
        #expect(error?.net == c.network)
        #expect(error?.timeout == false)
        #expect(error?.temporary == false)
        #expect(error?.isClosed == false)
    }

    @Test func underlyingTypes() async throws {
        let unknown = try #require(await H.dialFailure("foo", "bar"))
        #expect(unknown.underlying as? UnknownNetworkError == UnknownNetworkError("foo"))
        #expect(unknown.source == nil && unknown.addr == nil)

        let port = try #require(await H.dialFailure("tcp", "127.0.0.1:99999"))
        #expect(port.underlying as? AddrError == AddrError(err: "invalid port", addr: "99999"))

        let proto = try #require(await H.dialFailure("ip:nosuchproto", "127.0.0.1"))
        #expect(proto.underlying as? AddrError == AddrError(err: "unknown IP protocol specified", addr: "nosuchproto"))

        let unexpected = try #require(await H.listenFailure("udp", "127.0.0.1:0"))
        #expect(unexpected.underlying as? AddrError == AddrError(err: "unexpected address type", addr: "127.0.0.1:0"))
        #expect(unexpected.addr?.description == "127.0.0.1:0")
    }
}

@Suite(.fdLeakCheck) struct ErrorStringSyscallTests {
    // MARK: unix dial

    @Test(arguments: ["unix", "unixgram", "unixpacket"])
    func dialNonexistentPath(network: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("nonexistent.sock")
        let error = await H.dialFailure(network, path)
        #expect(error?.description == "dial \(network) \(path): connect: no such file or directory")
        #expect(error?.addr as? UnixAddr == UnixAddr(name: path, net: network))
        #expect((error?.underlying as? SyscallError)?.err == .ENOENT)
        #expect(error?.timeout == false)

        let nodir = dir.path("nodir/x.sock")
        #expect(await H.dialFailure(network, nodir)?.description == "dial \(network) \(nodir): connect: no such file or directory")
    }

    @Test func dialAbstractNameWithoutListener() async {
        let name = H.uniqueAbstractName("nobody")
        #expect(await H.dialFailure("unix", name)?.description == "dial unix \(name): connect: connection refused")
    }

    @Test func dialRegularFileIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("regular.txt")
        try H.makeRegularFile(path)
        #expect(await H.dialFailure("unix", path)?.description == "dial unix \(path): connect: connection refused")
        #expect(try H.readFile(path) == "not a socket\n")
    }

    @Test func dialStaleSocketIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("stale.sock")
        try H.makeStaleSocket(path)
        let error = await H.dialFailure("unix", path)
        #expect(error?.description == "dial unix \(path): connect: connection refused")
        #expect(error?.timeout == false)
    }

    @Test(arguments: ["unixpacket", "unixgram"])
    func dialWrongSocketType(network: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("stream.sock")
        let ln = try await Net.listen("unix", path)
        defer { try? ln.close() }
        #expect(await H.dialFailure(network, path)?.description == "dial \(network) \(path): connect: protocol wrong type for socket")
    }

    @Test func dialPathTooLong() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = H.pathOfLength(108, in: dir)
        #expect(path.utf8.count == 108)
        #expect(await H.dialFailure("unix", path)?.description == "dial unix \(path): connect: invalid argument")
    }

    /// A unix listener whose backlog is full answers a non-blocking connect with EAGAIN, and
    /// Go fails at once (no waiting): `connect: resource temporarily unavailable`, a timeout.
    @Test func dialUnixFullBacklog() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("full.sock")
        let s = try Syscall.socket(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(s) }
        try Syscall.bind(s, SockaddrUnix(name: path))
        try Syscall.listen(s, 1)
        var queued: [any Conn] = []
        defer { for c in queued { try? c.close() } }
        var failure: OpError?
        for _ in 0..<32 {
            do {
                queued.append(try await withTimeLimit(.seconds(5), "dial full.sock") { try await Net.dial("unix", path) })
            } catch let error as OpError {
                failure = error
                break
            }
        }
        let error = try #require(failure, "no connect failed after \(queued.count) queued connections")
        #expect(error.description == "dial unix \(path): connect: resource temporarily unavailable")
        #expect(error.timeout)
        #expect(error.temporary)
    }

    // MARK: unix listen

    @Test func listenOnStaleSocket() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("stale.sock")
        try H.makeStaleSocket(path)
        #expect(await H.listenFailure("unix", path)?.description == "listen unix \(path): bind: address already in use")
        #expect(try Syscall.lstat(path).isSocket)
    }

    @Test func listenOnRegularFile() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("regular.txt")
        try H.makeRegularFile(path)
        #expect(await H.listenFailure("unix", path)?.description == "listen unix \(path): bind: address already in use")
    }

    @Test func listenInMissingDirectory() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("nodir/x.sock")
        let error = await H.listenFailure("unix", path)
        #expect(error?.description == "listen unix \(path): bind: no such file or directory")
        #expect(error?.addr as? UnixAddr == UnixAddr(name: path, net: "unix"))
    }

    @Test func listenPathTooLong() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = H.pathOfLength(108, in: dir)
        #expect(await H.listenFailure("unix", path)?.description == "listen unix \(path): bind: invalid argument")
        #expect(!H.exists(String(path.dropLast())))   // never truncated to 107 bytes
    }

    @Test func listenUnixgramLeftBehind() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("g.sock")
        let pc = try await Net.listenPacket("unixgram", path)
        try pc.close()
        // A unixgram socket never unlinks its path (observed in Go).
        #expect(await H.listenPacketFailure("unixgram", path)?.description == "listen unixgram \(path): bind: address already in use")
    }

    // MARK: tcp

    @Test func listenTCPPortInUse() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        let error = await H.listenFailure("tcp", "127.0.0.1:\(p)")
        #expect(error?.description == "listen tcp 127.0.0.1:\(p): bind: address already in use")
        #expect((error?.underlying as? SyscallError)?.err == .EADDRINUSE)
        // The wildcard clashes with the 127.0.0.1 listener too.
        #expect(await H.listenFailure("tcp", ":\(p)")?.description == "listen tcp :\(p): bind: address already in use")
    }

    @Test func dialRefused() async throws {
        let p = try await H.closedTCPPort()
        let error = try #require(await H.dialFailure("tcp", "127.0.0.1:\(p)"))
        #expect(error.description == "dial tcp 127.0.0.1:\(p): connect: connection refused")
        #expect(error.timeout == false)
        #expect(error.temporary == false)
        #expect(error.isClosed == false)
        #expect(error.source == nil)
        #expect(error.addr as? TCPAddr == TCPAddr(ip: IP.v4(127, 0, 0, 1), port: p))
        #expect((error.underlying as? SyscallError)?.syscall == "connect")
        #expect((error.underlying as? SyscallError)?.err == .ECONNREFUSED)
        // The address is printed as given: no host, or 0.0.0.0 (Linux routes both to loopback).
        #expect(await H.dialFailure("tcp", ":\(p)")?.description == "dial tcp :\(p): connect: connection refused")
        #expect(await H.dialFailure("tcp", "0.0.0.0:\(p)")?.description == "dial tcp 0.0.0.0:\(p): connect: connection refused")
    }

    @Test(.enabled(if: NetTestHelpers.hasIPv6, "needs IPv6 loopback (::1)")) func dialRefusedIPv6() async throws {
        let p = try await H.closedTCPPort("::1", network: "tcp6")
        #expect(await H.dialFailure("tcp", "[::1]:\(p)")?.description == "dial tcp [::1]:\(p): connect: connection refused")
        #expect(await H.dialFailure("tcp6", "[::1]:\(p)")?.description == "dial tcp6 [::1]:\(p): connect: connection refused")
    }

    /// DialTimeout with 1 ns or a negative duration times out at once: Go's errTimeout, with
    /// the address (the dial reached the address loop before the deadline was checked).
    @Test(arguments: [Duration.nanoseconds(1), .seconds(-1)])
    func dialTimeoutAlreadyExpired(timeout: Duration) async throws {
        // A live listener: if the timeout were ignored, the dial would succeed.
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        var failure: OpError?
        do {
            let conn = try await Net.dialTimeout("tcp", "127.0.0.1:\(p)", timeout)
            try? conn.close()
        } catch {
            failure = error
        }
        let e = try #require(failure, "dialTimeout(\(timeout)) connected")
        #expect(e.description == "dial tcp 127.0.0.1:\(p): i/o timeout")
        #expect(e.underlying is DialTimeoutError)
        #expect(!(e.underlying is DeadlineExceededError))
        #expect(e.timeout)
        #expect(e.temporary)
        #expect(!e.isClosed)
    }

    /// An expired deadline while a name must be looked up: Go's DNSError, without an address
    /// (observed: `dial tcp: lookup localhost: i/o timeout`). A unix dial has no lookup, and
    /// reports the address.
    @Test func dialTimeoutExpiredBeforeLookupOrUnixDial() async throws {
        var failure: OpError?
        do {
            let c = try await Net.dialTimeout("tcp", "localhost:1", .seconds(-1))
            try? c.close()
        } catch {
            failure = error
        }
        #expect(failure?.description == "dial tcp: lookup localhost: i/o timeout")
        #expect(failure?.timeout == true)
        #expect((failure?.underlying as? DNSError)?.isTimeout == true)

        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("t.sock")
        let ln = try await Net.listen("unix", path)
        defer { try? ln.close() }
        failure = nil
        do {
            let c = try await Net.dialTimeout("unix", path, .seconds(-1))
            try? c.close()
        } catch {
            failure = error
        }
        #expect(failure?.description == "dial unix \(path): i/o timeout")
        #expect(failure?.timeout == true)
    }

    /// Go's DialTimeout(…, 0) has no timeout at all (Dialer.Timeout 0 means none): it connects,
    /// or reports the real failure (observed: `connect: connection refused`).
    @Test func dialTimeoutZeroMeansNoTimeout() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        let conn = try await withTimeLimit { try await Net.dialTimeout("tcp", "127.0.0.1:\(p)", .zero) }
        try conn.close()

        let closed = try await H.closedTCPPort()
        var failure: OpError?
        do {
            let c = try await Net.dialTimeout("tcp", "127.0.0.1:\(closed)", .zero)
            try? c.close()
        } catch {
            failure = error
        }
        #expect(failure?.description == "dial tcp 127.0.0.1:\(closed): connect: connection refused")
    }

    /// A dial in a task that is already cancelled: Go's `operation was canceled` (a done ctx),
    /// with the address.
    @Test(arguments: ["tcp", "unix"])
    func dialInCancelledTask(network: String) async throws {
        let ln: any Listener
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        ln = network == "tcp" ? try await Net.listen("tcp", "127.0.0.1:0") : try await Net.listen("unix", dir.path("c.sock"))
        defer { try? ln.close() }
        let address = network == "tcp" ? "127.0.0.1:\(H.port(ln.addr))" : dir.path("c.sock")
        let error: OpError? = await Task { () -> OpError? in
            withUnsafeCurrentTask { $0?.cancel() }
            do {
                let conn = try await Net.dial(network, address)
                try? conn.close()
                return nil
            } catch let e as OpError {
                return e
            } catch {
                return nil
            }
        }.value
        let e = try #require(error, "a cancelled task's dial connected")
        #expect(e.description == "dial \(network) \(address): operation was canceled")
        #expect(e.timeout == false)
    }

    /// A cancelled task that must look a name up: Go's lookup notices the done ctx first
    /// (observed: `dial tcp: lookup localhost: operation was canceled`, a DNSError).
    @Test func dialNameInCancelledTask() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        let error: OpError? = await Task { () -> OpError? in
            withUnsafeCurrentTask { $0?.cancel() }
            do {
                let conn = try await Net.dial("tcp", "localhost:\(p)")
                try? conn.close()
                return nil
            } catch let e as OpError {
                return e
            } catch {
                return nil
            }
        }.value
        let e = try #require(error, "a cancelled task's dial connected")
        #expect(e.description == "dial tcp: lookup localhost: operation was canceled")
        #expect(e.timeout == false)
    }

    // MARK: close

    @Test func closeTwice() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        let p = H.port(ln.addr)
        try ln.close()
        var failure: OpError?
        do { try (ln as! TCPListener).close() } catch { failure = error }
        #expect(failure?.description == "close tcp 127.0.0.1:\(p): use of closed network connection")
        #expect(failure?.isClosed == true)
        #expect(failure?.underlying is ErrClosed)
        #expect(failure?.timeout == false)
    }
}

@Suite struct ErrorStringFormatTests {
    @Test func opErrorLayout() {
        let local = TCPAddr(ip: IP.v4(127, 0, 0, 1), port: 1)
        let remote = TCPAddr(ip: IP.v4(127, 0, 0, 1), port: 2)
        let timeout = DeadlineExceededError()
        #expect(OpError(op: "read", net: "tcp", source: local, addr: remote, underlying: timeout).description
                == "read tcp 127.0.0.1:1->127.0.0.1:2: i/o timeout")
        #expect(OpError(op: "write", net: "tcp", source: local, underlying: ErrClosed()).description
                == "write tcp 127.0.0.1:1: use of closed network connection")
        #expect(OpError(op: "dial", net: "unix", addr: UnixAddr(name: "x.sock"), underlying: SyscallError("connect", .ENOENT)).description
                == "dial unix x.sock: connect: no such file or directory")
        #expect(OpError(op: "listen", net: "tcp", addr: TCPAddr(port: 80), underlying: SyscallError("bind", .EADDRINUSE)).description
                == "listen tcp :80: bind: address already in use")
        #expect(OpError(op: "dial", net: "", underlying: InvalidAddrError("boom")).description == "dial: boom")
        #expect(OpError(op: "", net: "", underlying: InvalidAddrError("boom")).description == ": boom")
        #expect(OpError(op: "dial", net: "tcp", underlying: CancellationError()).description == "dial tcp: operation was canceled")
    }

    /// OpError's fields live in a box, but it is still a value: setting a field of a copy
    /// leaves the original as it was, and every field reads back what was set.
    @Test func opErrorFieldsAreAValue() {
        let original = OpError(op: "read", net: "tcp", source: TCPAddr(port: 1), addr: TCPAddr(port: 2), underlying: ErrClosed())
        var changed = original
        changed.op = "write"
        changed.net = "unix"
        changed.source = nil
        changed.addr = UnixAddr(name: "x.sock")
        changed.underlying = DeadlineExceededError()
        #expect(original.description == "read tcp :1->:2: use of closed network connection")
        #expect(changed.description == "write unix x.sock: i/o timeout")
        #expect(changed.op == "write" && changed.net == "unix" && changed.source == nil)
        #expect(changed.timeout && !original.timeout && original.isClosed && !changed.isClosed)
    }

    /// One word, like Go's *OpError. A typed `throws(OpError)` of a bigger value is returned
    /// through memory each async caller keeps in its frame, on the task's stack, for as long
    /// as the task lives: a served connection's handler took a third slab (4.47 KiB per idle
    /// unix connection instead of 3.47).
    @Test func opErrorIsOneWord() {
        #expect(MemoryLayout<OpError>.size == MemoryLayout<Int>.size)
    }

    @Test func sentinelTexts() {
        #expect(ErrClosed().description == "use of closed network connection")
        #expect(DeadlineExceededError().description == "i/o timeout")
        #expect(DialTimeoutError().description == "i/o timeout")
        #expect(UnknownNetworkError("").description == "unknown network ")
        #expect(AddrError(err: "missing port in address", addr: "").description == "missing port in address")
        #expect(AddrError(err: "missing port in address", addr: "host").description == "address host: missing port in address")
        #expect(DNSError(err: "no such host", name: "example.invalid").description == "lookup example.invalid: no such host")
        #expect(DNSError(err: "server misbehaving", name: "example.com", server: "192.0.2.53:53").description
                == "lookup example.com on 192.0.2.53:53: server misbehaving")
        #expect(SyscallError("connect", .ECONNREFUSED).description == "connect: connection refused")
    }

    @Test func timeoutLooksThroughOneSyscallError() {
        let eagain = OpError(op: "dial", net: "unix", underlying: SyscallError("connect", .EAGAIN))
        #expect(eagain.timeout && eagain.temporary)
        let etimedout = OpError(op: "dial", net: "tcp", underlying: SyscallError("connect", .ETIMEDOUT))
        #expect(etimedout.timeout)
        let refused = OpError(op: "dial", net: "tcp", underlying: SyscallError("connect", .ECONNREFUSED))
        #expect(!refused.timeout && !refused.temporary)
        #expect(OpError(op: "read", net: "tcp", underlying: DeadlineExceededError()).timeout)
        #expect(!OpError(op: "read", net: "tcp", underlying: ErrClosed()).timeout)
    }
}
