// Socket options: integer, linger, timeval and ucred, set and read back on real sockets.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct SockoptTests {
    static let booleanOptions: [(String, Int32, Int32)] = [
        ("SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR),
        ("SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE),
        ("SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT),
        ("TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY),
    ]

    @Test(arguments: booleanOptions)
    func booleanOptionRoundTrip(_ name: String, _ level: Int32, _ option: Int32) throws {
        let fd = try boundedSocket(AF_INET, SOCK_STREAM)
        defer { closeAll(fd) }
        #expect(try Syscall.getsockoptInt(fd, level, option) == 0, "\(name) is off by default")
        try Syscall.setsockoptInt(fd, level, option, 1)
        #expect(try Syscall.getsockoptInt(fd, level, option) != 0, "\(name) on")
        try Syscall.setsockoptInt(fd, level, option, 0)
        #expect(try Syscall.getsockoptInt(fd, level, option) == 0, "\(name) off again")
    }

    @Test func receiveBufferIsDoubledByTheKernel() throws {
        let fd = try boundedSocket(AF_INET, SOCK_STREAM)
        defer { closeAll(fd) }
        try Syscall.setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, 65536)
        // socket(7): the kernel doubles the value to allow for bookkeeping overhead.
        #expect(try Syscall.getsockoptInt(fd, SOL_SOCKET, SO_RCVBUF) == 131072)
        try Syscall.setsockoptInt(fd, SOL_SOCKET, SO_SNDBUF, 32768)
        #expect(try Syscall.getsockoptInt(fd, SOL_SOCKET, SO_SNDBUF) == 65536)
    }

    @Test func tcpKeepAliveTimings() throws {
        let fd = try boundedSocket(AF_INET, SOCK_STREAM)
        defer { closeAll(fd) }
        try Syscall.setsockoptInt(fd, IPPROTO_TCP, TCP_KEEPIDLE, 15)
        try Syscall.setsockoptInt(fd, IPPROTO_TCP, TCP_KEEPINTVL, 7)
        try Syscall.setsockoptInt(fd, IPPROTO_TCP, TCP_KEEPCNT, 3)
        #expect(try Syscall.getsockoptInt(fd, IPPROTO_TCP, TCP_KEEPIDLE) == 15)
        #expect(try Syscall.getsockoptInt(fd, IPPROTO_TCP, TCP_KEEPINTVL) == 7)
        #expect(try Syscall.getsockoptInt(fd, IPPROTO_TCP, TCP_KEEPCNT) == 3)
    }

    @Test(.enabled(if: ipv6LoopbackAvailable, "the kernel has no IPv6"))
    func ipv6OnlyRoundTrip() throws {
        let fd = try boundedSocket(AF_INET6, SOCK_STREAM)
        defer { closeAll(fd) }
        try Syscall.setsockoptInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1)
        #expect(try Syscall.getsockoptInt(fd, IPPROTO_IPV6, IPV6_V6ONLY) == 1)
        try Syscall.setsockoptInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0)
        #expect(try Syscall.getsockoptInt(fd, IPPROTO_IPV6, IPV6_V6ONLY) == 0)
    }

    static let socketKinds: [(Int32, Int32, Int32)] = [
        (AF_INET, SOCK_STREAM, IPPROTO_TCP),
        (AF_INET, SOCK_DGRAM, IPPROTO_UDP),
        (AF_UNIX, SOCK_STREAM, 0),
        (AF_UNIX, SOCK_DGRAM, 0),
        (AF_UNIX, SOCK_SEQPACKET, 0),
    ]

    @Test(arguments: socketKinds)
    func typeDomainAndProtocol(_ domain: Int32, _ type: Int32, _ proto: Int32) throws {
        // The creation flags are not part of the type the kernel reports.
        let fd = try Syscall.socket(domain, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)
        defer { closeAll(fd) }
        #expect(try Syscall.getsockoptInt(fd, SOL_SOCKET, SO_TYPE) == Int(type))
        #expect(try Syscall.getsockoptInt(fd, SOL_SOCKET, SO_DOMAIN) == Int(domain))
        #expect(try Syscall.getsockoptInt(fd, SOL_SOCKET, SO_PROTOCOL) == Int(proto))
    }

    /// Connects a non-blocking socket and, if the connect is in progress, waits (up to 5 s) until
    /// epoll says its outcome is known. Returns connect's own error, if it failed at once.
    private func connectAndWait(_ fd: Int32, _ address: any Sockaddr, _ ep: Int32) throws -> Errno? {
        let attempt = Result { () throws(Errno) in try Syscall.connect(fd, address) }
        guard case .failure(let error) = attempt else { return nil }
        guard error == .EINPROGRESS else { return error }
        try Syscall.epollCtl(ep, EPOLL_CTL_ADD, fd, EpollEvent(events: EPOLLOUT, data: 1))
        var events = [EpollEvent](repeating: EpollEvent(events: 0, data: 0), count: 1)
        #expect(try Syscall.epollWait(ep, &events, 5000) == 1)
        return nil
    }

    @Test func soErrorReportsAFailedNonBlockingConnect() throws {
        let holder = try boundedSocket(AF_INET, SOCK_STREAM)
        let client = try boundedSocket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK)
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { closeAll(holder, client, ep) }
        try Syscall.bind(holder, loopback(AF_INET))  // holds a port nobody listens on
        #expect(try Syscall.getsockoptInt(client, SOL_SOCKET, SO_ERROR) == 0)
        let immediate = try connectAndWait(client, try Syscall.getsockname(holder), ep)
        // Linux reports EINPROGRESS on loopback too; the RST arrives a moment later.
        try #require(immediate == nil, "connect failed at once: \(String(describing: immediate))")
        let pending = try Syscall.getsockoptInt(client, SOL_SOCKET, SO_ERROR)
        #expect(pending == Int(Errno.ECONNREFUSED.rawValue))
        #expect(Errno(rawValue: Int32(pending)).description == "connection refused")
        #expect(try Syscall.getsockoptInt(client, SOL_SOCKET, SO_ERROR) == 0, "reading SO_ERROR clears it")
    }

    @Test func nonBlockingConnectThatSucceedsLeavesSO_ERRORZero() throws {
        let listener = try boundedSocket(AF_INET, SOCK_STREAM)
        let client = try boundedSocket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK)
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { closeAll(listener, client, ep) }
        try Syscall.bind(listener, loopback(AF_INET))
        try Syscall.listen(listener, 1)
        #expect(try connectAndWait(client, try Syscall.getsockname(listener), ep) == nil)
        #expect(try Syscall.getsockoptInt(client, SOL_SOCKET, SO_ERROR) == 0)
        #expect(try Syscall.getpeername(client) as? SockaddrInet4 == (try Syscall.getsockname(listener) as? SockaddrInet4))
    }

    @Test func lingerRoundTrip() throws {
        let fd = try boundedSocket(AF_INET, SOCK_STREAM)
        defer { closeAll(fd) }
        #expect(try Syscall.getsockoptLinger(fd, SOL_SOCKET, SO_LINGER) == Linger(onoff: 0, linger: 0))
        try Syscall.setsockoptLinger(fd, SOL_SOCKET, SO_LINGER, Linger(onoff: 1, linger: 7))
        #expect(try Syscall.getsockoptLinger(fd, SOL_SOCKET, SO_LINGER) == Linger(onoff: 1, linger: 7))
        try Syscall.setsockoptLinger(fd, SOL_SOCKET, SO_LINGER, Linger(onoff: 0, linger: 0))
        #expect(try Syscall.getsockoptLinger(fd, SOL_SOCKET, SO_LINGER).onoff == 0)
    }

    @Test func timevalRoundTrip() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        try Syscall.setsockoptTimeval(a, SOL_SOCKET, SO_RCVTIMEO, Timeval(sec: 2, usec: 500_000))
        #expect(try Syscall.getsockoptTimeval(a, SOL_SOCKET, SO_RCVTIMEO) == Timeval(sec: 2, usec: 500_000))
        try Syscall.setsockoptTimeval(a, SOL_SOCKET, SO_SNDTIMEO, Timeval(sec: 3, usec: 0))
        #expect(try Syscall.getsockoptTimeval(a, SOL_SOCKET, SO_SNDTIMEO) == Timeval(sec: 3, usec: 0))
        try Syscall.setsockoptTimeval(a, SOL_SOCKET, SO_RCVTIMEO, Timeval(sec: 0, usec: 0))
        #expect(try Syscall.getsockoptTimeval(a, SOL_SOCKET, SO_RCVTIMEO) == Timeval(sec: 0, usec: 0), "0 means no timeout")
    }

    @Test func invalidTimevalIsEDOM() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        // socket(7): a usec outside 0..<1_000_000 is EDOM (33).
        #expect(throws: Errno(rawValue: 33)) {
            try Syscall.setsockoptTimeval(a, SOL_SOCKET, SO_RCVTIMEO, Timeval(sec: 0, usec: 1_000_000))
        }
    }

    @Test func receiveTimeoutMakesABlockingReadFailWithEAGAIN() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        try Syscall.setsockoptTimeval(b, SOL_SOCKET, SO_RCVTIMEO, Timeval(sec: 0, usec: 200_000))
        #expect(try !Syscall.isNonblock(b), "a blocking socket: only the timeout can end the read")
        var buf = [UInt8](repeating: 0, count: 4)
        let clock = ContinuousClock()
        let start = clock.now
        let error = #expect(throws: Errno.EAGAIN) { try Syscall.read(b, &buf) }
        let elapsed = clock.now - start
        #expect(error?.timeout == true)
        #expect(elapsed >= .milliseconds(150), "it waited for the timeout: \(elapsed)")
        #expect(elapsed < .seconds(3), "and no longer: \(elapsed)")
    }

    @Test func peerCredentialsOnASocketpair() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        let me = ourCredentials()
        #expect(try Syscall.getsockoptUcred(a, SOL_SOCKET, SO_PEERCRED) == me)
        #expect(try Syscall.getsockoptUcred(b, SOL_SOCKET, SO_PEERCRED) == me)
    }

    @Test func peerCredentialsOnAConnection() throws {
        let c = try unixConnection(SOCK_STREAM, SockaddrUnix(name: uniqueAbstractName("cred")))
        defer { c.close() }
        let me = ourCredentials()
        #expect(try Syscall.getsockoptUcred(c.server, SOL_SOCKET, SO_PEERCRED) == me)
        #expect(try Syscall.getsockoptUcred(c.client, SOL_SOCKET, SO_PEERCRED) == me)
    }

    @Test func unknownOptionIsENOPROTOOPT() throws {
        let fd = try boundedSocket(AF_INET, SOCK_STREAM)
        defer { closeAll(fd) }
        #expect(throws: Errno.ENOPROTOOPT) { try Syscall.getsockoptInt(fd, SOL_SOCKET, 9999) }
        #expect(throws: Errno.ENOPROTOOPT) { try Syscall.setsockoptInt(fd, SOL_SOCKET, 9999, 1) }
    }
}
