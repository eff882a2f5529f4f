// socket, socketpair, bind, listen, accept, connect, getsockname, getpeername, shutdown and close
// on stream sockets of every family: unix, TCP over 127.0.0.1 and over ::1.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct SocketTests {
    @Test func socketpairCarriesBytesBothWays() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        #expect(a != b)
        #expect(try Syscall.write(a, bytes("ping")) == 4)
        var buf = [UInt8](repeating: 0, count: 16)
        let n = try Syscall.read(b, &buf)
        #expect(Array(buf[..<n]) == bytes("ping"))
        #expect(try Syscall.write(b, bytes("pong!")) == 5)
        #expect(try Syscall.read(a, &buf) == 5)
        #expect(Array(buf[..<5]) == bytes("pong!"))
    }

    @Test func socketAddsNoFlagsOfItsOwn() throws {
        let plain = try Syscall.socket(AF_UNIX, SOCK_STREAM, 0)
        defer { closeAll(plain) }
        #expect(try !Syscall.isNonblock(plain))
        #expect(try !Syscall.isCloseOnExec(plain))
        let (a, b) = try Syscall.socketpair(AF_UNIX, SOCK_STREAM, 0)
        defer { closeAll(a, b) }
        #expect(try !Syscall.isCloseOnExec(a))
        #expect(try !Syscall.isCloseOnExec(b))
    }

    @Test(arguments: [SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET])
    func socketpairOfEachType(_ type: Int32) throws {
        let (a, b) = try unixPair(type)
        defer { closeAll(a, b) }
        #expect(try Syscall.getsockoptInt(a, SOL_SOCKET, SO_TYPE) == Int(type))
        #expect(try Syscall.getsockoptInt(b, SOL_SOCKET, SO_TYPE) == Int(type))
        #expect(try Syscall.getsockoptInt(a, SOL_SOCKET, SO_DOMAIN) == Int(AF_UNIX))
        // A socketpair is connected and unnamed on both ends.
        #expect(unixName(try Syscall.getpeername(a)) == "@")
        #expect(unixName(try Syscall.getsockname(b)) == "@")
    }

    @Test func unixStreamListenConnectAccept() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("stream.sock")
        let c = try unixConnection(SOCK_STREAM, SockaddrUnix(name: path))
        defer { c.close() }
        #expect(unixName(try Syscall.getsockname(c.listener)) == path)
        #expect(unixName(try Syscall.getpeername(c.client)) == path)
        #expect(unixName(try Syscall.getsockname(c.server)) == path)
        #expect(try Syscall.getsockoptInt(c.listener, SOL_SOCKET, SO_ACCEPTCONN) == 1)
        #expect(try Syscall.getsockoptInt(c.client, SOL_SOCKET, SO_ACCEPTCONN) == 0)
        try exchange(c)
    }

    @Test func tcp4ListenConnectAccept() throws {
        let c = try loopbackTCP(AF_INET)
        defer { c.close() }
        let listening = try #require(try Syscall.getsockname(c.listener) as? SockaddrInet4)
        #expect(listening.addr == [127, 0, 0, 1])
        #expect(listening.port != 0, "the kernel chose a port")
        #expect(try Syscall.getpeername(c.client) as? SockaddrInet4 == listening)
        #expect(try Syscall.getsockname(c.server) as? SockaddrInet4 == listening)
        let clientSide = try #require(try Syscall.getsockname(c.client) as? SockaddrInet4)
        #expect(try Syscall.getpeername(c.server) as? SockaddrInet4 == clientSide)
        #expect(clientSide.port != listening.port)
        try exchange(c)
    }

    @Test(.enabled(if: ipv6LoopbackAvailable, "the kernel has no ::1"))
    func tcp6ListenConnectAccept() throws {
        let c = try loopbackTCP(AF_INET6)
        defer { c.close() }
        let listening = try #require(try Syscall.getsockname(c.listener) as? SockaddrInet6)
        #expect(listening.addr == loopback6)
        #expect(listening.port != 0)
        #expect(listening.description == "[::1]:\(listening.port)")
        #expect(try Syscall.getpeername(c.client) as? SockaddrInet6 == listening)
        let clientSide = try #require(try Syscall.getsockname(c.client) as? SockaddrInet6)
        #expect(try Syscall.getpeername(c.server) as? SockaddrInet6 == clientSide)
        try exchange(c)
    }

    @Test func acceptReturnsThePeersAddress() throws {
        let listener = try boundedSocket(AF_INET, SOCK_STREAM)
        let client = try boundedSocket(AF_INET, SOCK_STREAM)
        defer { closeAll(listener, client) }
        try Syscall.bind(listener, loopback(AF_INET))
        try Syscall.listen(listener, 4)
        try Syscall.connect(client, try Syscall.getsockname(listener))
        let (server, peer) = try Syscall.accept(listener)
        defer { closeAll(server) }
        #expect(peer as? SockaddrInet4 == (try Syscall.getsockname(client) as? SockaddrInet4))
        // Plain accept adds no flags either.
        #expect(try !Syscall.isCloseOnExec(server))
        #expect(try !Syscall.isNonblock(server))
    }

    @Test func listenClampsAHugeBacklog() throws {
        let fd = try boundedSocket(AF_INET, SOCK_STREAM)
        defer { closeAll(fd) }
        try Syscall.bind(fd, loopback(AF_INET))
        try Syscall.listen(fd, Int.max)
        #expect(try Syscall.getsockoptInt(fd, SOL_SOCKET, SO_ACCEPTCONN) == 1)
    }

    @Test func shutdownWriteGivesThePeerEOFAndKeepsTheOtherDirection() throws {
        let c = try loopbackTCP(AF_INET)
        defer { c.close() }
        _ = try Syscall.write(c.client, bytes("last"))
        try Syscall.shutdown(c.client, SHUT_WR)
        var buf = [UInt8](repeating: 0, count: 16)
        #expect(try Syscall.read(c.server, &buf) == 4)
        #expect(try Syscall.read(c.server, &buf) == 0, "end of stream")
        #expect(try Syscall.read(c.server, &buf) == 0, "and it stays at end of stream")
        // The server can still talk to the client.
        _ = try Syscall.write(c.server, bytes("reply"))
        #expect(try Syscall.read(c.client, &buf) == 5)
        // Writing after SHUT_WR is EPIPE.
        #expect(throws: Errno.EPIPE) { try Syscall.send(c.client, bytes("x"), MSG_NOSIGNAL) }
    }

    @Test func shutdownReadWakesABlockedUnixAccept() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let listener = try boundedSocket(AF_UNIX, SOCK_STREAM)
        defer { closeAll(listener) }
        try Syscall.bind(listener, SockaddrUnix(name: dir.path("l.sock")))
        try Syscall.listen(listener, 1)
        let acceptor = Spawned { Result { () throws(Errno) in try Syscall.accept(listener).fd } }
        #expect(waitUntil { threadBlocked(on: listener) })
        try Syscall.shutdown(listener, SHUT_RD)
        let result = acceptor.join()
        if case .success(let fd) = result { closeAll(fd) }
        #expect(throws: Errno.EINVAL) { try result.get() }
    }

    @Test func shutdownReadStopsATCPListener() throws {
        let listener = try boundedSocket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK)
        defer { closeAll(listener) }
        try Syscall.bind(listener, loopback(AF_INET))
        try Syscall.listen(listener, 1)
        #expect(throws: Errno.EAGAIN) { try Syscall.accept(listener) }
        try Syscall.shutdown(listener, SHUT_RD)
        #expect(throws: Errno.EINVAL) { try Syscall.accept(listener) }
    }

    @Test func closeReleasesTheDescriptor() throws {
        let fd = try Syscall.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)
        #expect(openFileDescriptors().contains(fd))
        try Syscall.close(fd)
        #expect(!openFileDescriptors().contains(fd))
    }

    /// Both directions carry data on a connection.
    private func exchange(_ c: Connection) throws {
        var buf = [UInt8](repeating: 0, count: 64)
        #expect(try Syscall.write(c.client, bytes("hello")) == 5)
        #expect(try Syscall.read(c.server, &buf) == 5)
        #expect(Array(buf[..<5]) == bytes("hello"))
        #expect(try Syscall.write(c.server, bytes("world!")) == 6)
        #expect(try Syscall.read(c.client, &buf) == 6)
        #expect(Array(buf[..<6]) == bytes("world!"))
    }
}
