// Net.listen and Net.listenPacket on real sockets: address families, Go's socket defaults
// (GO-NET-INVENTORY.md §F, DESIGN.md invariant 7), descriptor flags (invariant 2), re-listening,
// and Listener.serve.
import Synchronization
@testable import Net
import Syscall
import Testing
import TestSupport

private typealias H = NetTestHelpers

@Suite(.fdLeakCheck) struct ListenFamilyTests {
    /// ":0", "0.0.0.0:0" and "" listen dual-stack on `[::]` where IPv4-mapped addresses work,
    /// and accept both an IPv4 and an IPv6 client.
    @Test(arguments: [":0", "0.0.0.0:0", ""])
    func wildcardIsDualStack(address: String) async throws {
        let caps = IPStackCapabilities.current
        let ln = try await Net.listen("tcp", address)
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        #expect(p > 0)
        guard caps.ipv4MappedIPv6Enabled else {
            #expect(ln.addr.description == "0.0.0.0:\(p)")
            return
        }
        #expect(ln.addr.description == "[::]:\(p)")
        let raw = try #require(H.raw(ln))
        #expect(try H.sockopt(raw, Syscall.SOL_SOCKET, Syscall.SO_DOMAIN) == Int(Syscall.AF_INET6))
        #expect(try H.sockopt(raw, Syscall.IPPROTO_IPV6, Syscall.IPV6_V6ONLY) == 0)

        for (target, peerPrefix) in [("127.0.0.1:\(p)", "127.0.0.1:"), ("[::1]:\(p)", "[::1]:")] {
            let conn = try await withTimeLimit { try await Net.dial("tcp", target) }
            defer { try? conn.close() }
            let server = try await withTimeLimit { try await ln.accept() }
            defer { try? server.close() }
            // An IPv4 peer of a dual-stack socket prints as a dotted quad.
            #expect(server.remoteAddr?.description.hasPrefix(peerPrefix) == true, "\(String(describing: server.remoteAddr))")
            #expect(try await H.roundTrip(conn, server) == Array("ping".utf8))
        }
    }

    @Test func loopbackIPv4IsAFInet() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        #expect(ln.addr.description == "127.0.0.1:\(H.port(ln.addr))")
        #expect(ln.addr.network == "tcp")
        #expect(try H.sockopt(H.raw(ln)!, Syscall.SOL_SOCKET, Syscall.SO_DOMAIN) == Int(Syscall.AF_INET))
    }

    @Test func hostNameListensOnItsFirstIPv4Address() async throws {
        let ln = try await Net.listen("tcp", "localhost:0")
        defer { try? ln.close() }
        #expect(ln.addr.description == "127.0.0.1:\(H.port(ln.addr))")
    }

    /// tcp6 and udp6 sockets are IPv6-only: a tcp6 wildcard listener refuses IPv4 clients.
    @Test(.enabled(if: NetTestHelpers.hasIPv6, "needs IPv6 loopback (::1)")) func tcp6IsIPv6Only() async throws {
        let ln = try await Net.listen("tcp6", ":0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        #expect(ln.addr.description == "[::]:\(p)")
        #expect(try H.sockopt(H.raw(ln)!, Syscall.IPPROTO_IPV6, Syscall.IPV6_V6ONLY) == 1)
        #expect(await H.dialFailure("tcp", "127.0.0.1:\(p)")?.description == "dial tcp 127.0.0.1:\(p): connect: connection refused")

        let conn = try await withTimeLimit { try await Net.dial("tcp6", "[::1]:\(p)") }
        defer { try? conn.close() }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }
        #expect(try H.sockopt(H.raw(conn)!, Syscall.IPPROTO_IPV6, Syscall.IPV6_V6ONLY) == 1)

        let pc = try await Net.listenPacket("udp6", ":0")
        defer { try? pc.close() }
        #expect(try H.sockopt(H.raw(pc)!, Syscall.IPPROTO_IPV6, Syscall.IPV6_V6ONLY) == 1)
    }

    @Test func tcp4Wildcard() async throws {
        let ln = try await Net.listen("tcp4", ":0")
        defer { try? ln.close() }
        #expect(ln.addr.description == "0.0.0.0:\(H.port(ln.addr))")
        #expect(try H.sockopt(H.raw(ln)!, Syscall.SOL_SOCKET, Syscall.SO_DOMAIN) == Int(Syscall.AF_INET))
    }

    @Test func udpWildcardIsDualStack() async throws {
        let pc = try await Net.listenPacket("udp", ":0")
        defer { try? pc.close() }
        let p = H.port(pc.localAddr)
        if IPStackCapabilities.current.ipv4MappedIPv6Enabled {
            #expect(pc.localAddr?.description == "[::]:\(p)")
            #expect(try H.sockopt(H.raw(pc)!, Syscall.IPPROTO_IPV6, Syscall.IPV6_V6ONLY) == 0)
        }
    }
}

/// An accepted connection's local address is what getsockname(2) says for its fd, whether Net
/// took it from the listener (unix, TCP on one IP) or asked the kernel (a wildcard TCP listener).
@Suite(.fdLeakCheck) struct AcceptedLocalAddrTests {
    /// (network, listen address, dial address or nil for the listener's own); `%` is the socket
    /// directory, `@` an abstract name.
    static let cases: [(String, String, String?)] = [
        ("tcp", "127.0.0.1:0", nil),
        ("tcp4", ":0", "127.0.0.1"),
        ("tcp", ":0", "127.0.0.1"),
        ("unix", "%/s.sock", nil),
        ("unix", "@swiftnet-accepted-laddr", nil),
        ("unixpacket", "%/p.sock", nil),
    ] + (NetTestHelpers.hasIPv6 ? [("tcp6", "[::1]:0", nil), ("tcp", ":0", "[::1]")] : [])

    @Test(arguments: cases)
    func matchesGetsockname(network: String, listenAt: String, dialHost: String?) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let listenAt = listenAt.hasPrefix("%") ? dir.root + listenAt.dropFirst()
            : listenAt.hasPrefix("@") ? "\(listenAt)-\(UInt32.random(in: 0 ... .max))" : listenAt
        let ln = try await Net.listen(network, listenAt)
        defer { try? ln.close() }
        let target = dialHost.map { "\($0):\(H.port(ln.addr))" } ?? "\(ln.addr)"
        let client = try await withTimeLimit { try await Net.dial(network, target) }
        defer { try? client.close() }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }

        var kernel: (any Sockaddr)?
        try H.raw(server)!.control { fd in kernel = try Syscall.getsockname(fd) }
        let sotype = network == "unixpacket" ? Syscall.SOCK_SEQPACKET : Syscall.SOCK_STREAM
        let expected = try #require(netAddr(kernel, sotype: sotype))
        let local = try #require(server.localAddr)
        #expect("\(local)" == "\(expected)")
        #expect(local.network == expected.network)
        #expect("\(local)" == "\(try #require(client.remoteAddr))")
        if network.hasPrefix("unix") {
            // The client is unnamed: "@", of the listener's network.
            #expect(server.remoteAddr?.description == "@")
            #expect(server.remoteAddr?.network == network)
        }
    }
}

@Suite(.fdLeakCheck) struct ListenSocketDefaultTests {
    @Test func streamListenersReuseAddress() async throws {
        let tcp = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? tcp.close() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let unix = try await Net.listen("unix", dir.path("l.sock"))
        defer { try? unix.close() }
        let packet = try await Net.listen("unixpacket", dir.path("p.sock"))
        defer { try? packet.close() }
        for ln in [tcp, unix, packet] as [any Listener] {
            let raw = try #require(H.raw(ln))
            #expect(try H.sockopt(raw, Syscall.SOL_SOCKET, Syscall.SO_REUSEADDR) == 1, "\(ln.addr)")
            #expect(try H.sockopt(raw, Syscall.SOL_SOCKET, Syscall.SO_ACCEPTCONN) == 1, "\(ln.addr)")
            #expect(try H.sockopt(raw, Syscall.SOL_SOCKET, Syscall.SO_REUSEPORT) == 0, "\(ln.addr)")
        }
    }

    @Test func dialedAndAcceptedTCPDefaults() async throws {
        let (ln, client, server) = try await H.tcpTrio()
        defer { try? ln.close(); try? client.close(); try? server.close() }
        for (name, conn) in [("dialed", client), ("accepted", server)] {
            let raw = conn.syscallConn()
            #expect(try H.sockopt(raw, Syscall.IPPROTO_TCP, Syscall.TCP_NODELAY) == 1, "\(name)")
            #expect(try H.sockopt(raw, Syscall.SOL_SOCKET, Syscall.SO_KEEPALIVE) == 1, "\(name)")
            #expect(try H.sockopt(raw, Syscall.IPPROTO_TCP, Syscall.TCP_KEEPIDLE) == 15, "\(name)")
            #expect(try H.sockopt(raw, Syscall.IPPROTO_TCP, Syscall.TCP_KEEPINTVL) == 15, "\(name)")
        }
    }

    @Test func udpHasBroadcast() async throws {
        let pc = try await Net.listenPacket("udp", "127.0.0.1:0")
        defer { try? pc.close() }
        #expect(try H.sockopt(H.raw(pc)!, Syscall.SOL_SOCKET, Syscall.SO_BROADCAST) == 1)
        let conn = try await Net.dial("udp", "127.0.0.1:\(H.port(pc.localAddr))")
        defer { try? conn.close() }
        #expect(try H.sockopt(H.raw(conn)!, Syscall.SOL_SOCKET, Syscall.SO_BROADCAST) == 1)
        let tcp = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? tcp.close() }
        #expect(try H.sockopt(H.raw(tcp)!, Syscall.SOL_SOCKET, Syscall.SO_BROADCAST) == 0)
    }

    /// Every fd Net makes is close-on-exec and non-blocking: listeners, dialed and accepted
    /// conns, of every kind.
    @Test func everyDescriptorIsCloseOnExecAndNonblocking() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var objects: [AnyObject] = []
        defer {
            for o in objects {
                if let c = o as? any Conn {
                    try? c.close()
                } else if let l = o as? any Listener {
                    try? l.close()
                } else if let p = o as? any PacketConn {
                    try? p.close()
                }
            }
        }
        let (ln, client, server) = try await H.tcpTrio()
        objects += [ln, client, server]
        let unixLn = try await Net.listen("unix", dir.path("u.sock"))
        objects.append(unixLn)
        let unixClient = try await withTimeLimit { try await Net.dial("unix", dir.path("u.sock")) }
        objects.append(unixClient)
        let unixServer = try await withTimeLimit { try await unixLn.accept() }
        objects.append(unixServer)
        let udp = try await Net.listenPacket("udp", "127.0.0.1:0")
        objects.append(udp)
        let udpDialed = try await Net.dial("udp", "127.0.0.1:\(H.port(udp.localAddr))")
        objects.append(udpDialed)
        let gram = try await Net.listenPacket("unixgram", dir.path("g.sock"))
        objects.append(gram)
        let tcp6 = try await Net.listen("tcp", ":0")
        objects.append(tcp6)
        let autobound = try await Net.listen("unix", "")
        objects.append(autobound)

        for o in objects {
            let raw = try #require(H.raw(o), "\(o)")
            let f = try H.flags(raw)
            #expect(f.cloexec, "\(o) lacks FD_CLOEXEC")
            #expect(f.nonblock, "\(o) lacks O_NONBLOCK")
        }
    }

    @Test func unixAcceptedConnAddresses() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("srv.sock")
        let ln = try await Net.listen("unix", path)
        defer { try? ln.close() }
        #expect(ln.addr as? UnixAddr == UnixAddr(name: path, net: "unix"))
        let client = try await withTimeLimit { try await Net.dial("unix", path) }
        defer { try? client.close() }
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }
        #expect(server.remoteAddr?.description == "@")
        #expect(server.localAddr?.description == path)
        #expect(client.localAddr?.description == "@")
    }
}

@Suite(.fdLeakCheck) struct ListenLifecycleTests {
    /// Close, then listen on the same port again, even with a connection left in TIME_WAIT on
    /// the server's side (SO_REUSEADDR), ten times (RELIABILITY.md C5). The port is outside the
    /// ephemeral range: a port 0 listener's port, once closed, may become a concurrent test's
    /// local port for a dial, and the next listen would then fail with EADDRINUSE.
    @Test func relistenSamePort() async throws {
        let first = try await H.listenOutsideEphemeralRange()
        let p = H.port(first.addr)
        try first.close()
        for round in 0..<10 {
            let ln = try await Net.listen("tcp", "127.0.0.1:\(p)")
            defer { try? ln.close() }
            #expect(H.port(ln.addr) == p)
            let client = try await withTimeLimit { try await Net.dial("tcp", "127.0.0.1:\(p)") }
            let server = try await withTimeLimit { try await ln.accept() }
            #expect(try await H.roundTrip(client, server, [UInt8(round)]) == [UInt8(round)])
            try server.close()   // the server closes first: its side goes to TIME_WAIT
            try client.close()
            try ln.close()
        }
    }

    @Test func relistenSameUnixPath() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("again.sock")
        for _ in 0..<5 {
            let ln = try await Net.listen("unix", path)
            let c = try await withTimeLimit { try await Net.dial("unix", path) }
            try c.close()
            try ln.close()
        }
        #expect(!H.exists(path))
    }

    @Test func acceptAfterCloseIsClosedError() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        let p = H.port(ln.addr)
        try ln.close()
        var failure: OpError?
        do { _ = try await (ln as! TCPListener).acceptTCP() } catch { failure = error }
        #expect(failure?.description == "accept tcp 127.0.0.1:\(p): use of closed network connection")
        #expect(failure?.isClosed == true)
    }

    @Test func listenerSequenceEndsOnClose() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        let p = H.port(ln.addr)
        let counted = try await withTimeLimit {
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    var n = 0
                    for try await conn in ln {
                        n += 1
                        try conn.close()
                    }
                    return n
                }
                for _ in 0..<3 {
                    let c = try await Net.dial("tcp", "127.0.0.1:\(p)")
                    _ = try await c.read(upTo: 1)   // returns at end of stream: the server closed it
                    try c.close()
                }
                try ln.close()
                return try await group.next()!
            }
        }
        #expect(counted == 3)
    }

    /// Listener.serve runs a handler per connection and returns once the listener is closed
    /// and the handlers are done; each connection is closed after its handler.
    @Test func serveEchoes() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        let p = H.port(ln.addr)
        let handled = ServeCounter()
        try await withTimeLimit {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await ln.serve { conn in
                        while case let chunk = try await conn.read(upTo: 1024), !chunk.isEmpty {
                            try await conn.write(chunk)
                        }
                        handled.increment()
                    }
                }
                for i in 0..<4 {
                    let c = try await Net.dial("tcp", "127.0.0.1:\(p)")
                    defer { try? c.close() }
                    let message = Array("hello \(i)".utf8)
                    try await c.write(message)
                    var got: [UInt8] = []
                    while got.count < message.count {
                        let chunk = try await c.read(upTo: 64)
                        if chunk.isEmpty { break }
                        got += chunk
                    }
                    #expect(got == message)
                    try (c as! TCPConn).closeWrite()
                    #expect(try await c.read(upTo: 1).isEmpty)   // the handler returned; serve closed it
                }
                try ln.close()
                try await group.waitForAll()
            }
        }
        #expect(handled.value == 4)
    }
}

/// A count several tasks add to.
private final class ServeCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// Go's accepted quirks (GO-NET-INVENTORY.md §0): listen on "unixgram" gives a listener whose
/// accept fails; listenPacket on "unix" gives a conn on a listening stream socket.
@Suite(.fdLeakCheck) struct ListenQuirkTests {
    @Test func listenUnixgram() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("odd1.sock")
        let ln = try await Net.listen("unixgram", path)
        defer { try? ln.close() }
        #expect(ln is UnixListener)
        var failure: OpError?
        do { _ = try await withTimeLimit { try await (ln as! UnixListener).acceptUnix() } } catch let e as OpError { failure = e }
        #expect(failure?.description == "accept unixgram \(path): accept4: operation not supported")
        try ln.close()
        #expect(!H.exists(path))   // a UnixListener unlinks, whatever its type (observed)
    }

    @Test func listenPacketUnix() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("odd2.sock")
        let pc = try await Net.listenPacket("unix", path)
        defer { try? pc.close() }
        #expect(pc is UnixConn)
        var readFailure: OpError?
        do {
            _ = try await withTimeLimit {
                var b = [UInt8](repeating: 0, count: 10)
                return try await pc.readFrom(&b).n
            }
        } catch let e as OpError {
            readFailure = e
        }
        #expect(readFailure?.description == "read unix \(path): recvfrom: invalid argument")
        var writeFailure: OpError?
        do { try await pc.writeTo([1], UnixAddr(name: path, net: "unix")) } catch let e as OpError { writeFailure = e }
        #expect(writeFailure?.description == "write unix \(path)->\(path): sendto: operation not supported")
        try pc.close()
        #expect(try Syscall.lstat(path).isSocket)   // a UnixConn never unlinks (observed)
    }
}
