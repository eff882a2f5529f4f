// Net tells NetPoll which sockets are byte streams, so a read after a short one may park without
// trying (NetPoll's EmptyReadHint). A stream registered as `.other` only loses that saving; a
// datagram or seqpacket socket registered as a stream would park on queued messages, as a
// short message says nothing about the queue. Every way a socket enters Net is checked.
@testable import Net
import NetPoll
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck) struct StreamKindTests {
    private func kind(_ conn: any Conn) -> StreamKind? { (conn as? SocketConn)?.fd.pfd.stream }

    @Test(arguments: [("tcp", StreamKind.tcp), ("unix", .unix), ("unixpacket", .other)])
    func dialedAndAcceptedConnections(network: String, expected: StreamKind) async throws {
        let pair = try await CT.pair(network == "tcp" ? .tcp : network == "unix" ? .unix : .unixpacket)
        defer { pair.close() }
        #expect(kind(pair.client) == expected)
        #expect(kind(pair.server) == expected)
    }

    @Test func datagramSockets() async throws {
        let udp = try await Net.listenPacket("udp", "127.0.0.1:0")
        defer { try? udp.close() }
        #expect((udp as? SocketConn)?.fd.pfd.stream == StreamKind.other)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let unixgram = try await Net.listenPacket("unixgram", dir.path("g.sock"))
        defer { try? unixgram.close() }
        #expect((unixgram as? SocketConn)?.fd.pfd.stream == StreamKind.other)
    }

    @Test func adoptedDescriptors() async throws {
        let (a, b) = try Syscall.socketpair(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(a); try? Syscall.close(b) }
        let conn = try Net.fileConn(a)
        defer { try? conn.close() }
        #expect(kind(conn) == .unix)

        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        let dialed = try Syscall.socket(Syscall.AF_INET, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(dialed) }
        try Syscall.connect(dialed, SockaddrInet4(port: NetTestHelpers.port(ln.addr), addr: [127, 0, 0, 1]))
        let accepted = try await ln.accept()
        defer { try? accepted.close() }
        let tcp = try Net.fileConn(dialed)
        defer { try? tcp.close() }
        #expect(kind(tcp) == .tcp)

        let (c, d) = try Syscall.socketpair(Syscall.AF_UNIX, Syscall.SOCK_DGRAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(c); try? Syscall.close(d) }
        let gram = try Net.fileConn(c)
        defer { try? gram.close() }
        #expect(kind(gram) == StreamKind.other)
    }

    /// Only TCP among IP streams: SCTP's one-to-one sockets return a message per read, and
    /// MPTCP's reads are not TCP's, so an adopted one must not skip.
    @Test func onlyProtocolZeroOrTCPIsATCPStream() {
        #expect(streamKind(family: Syscall.AF_INET, sotype: Syscall.SOCK_STREAM, proto: 0) == .tcp)
        #expect(streamKind(family: Syscall.AF_INET6, sotype: Syscall.SOCK_STREAM, proto: Syscall.IPPROTO_TCP) == .tcp)
        #expect(streamKind(family: Syscall.AF_INET, sotype: Syscall.SOCK_STREAM, proto: 132) == .other, "IPPROTO_SCTP")
        #expect(streamKind(family: Syscall.AF_INET6, sotype: Syscall.SOCK_STREAM, proto: 262) == .other, "IPPROTO_MPTCP")
        #expect(streamKind(family: Syscall.AF_UNIX, sotype: Syscall.SOCK_STREAM, proto: 0) == .unix)
        #expect(streamKind(family: Syscall.AF_UNIX, sotype: Syscall.SOCK_SEQPACKET, proto: 0) == .other)
        #expect(streamKind(family: Syscall.AF_INET, sotype: Syscall.SOCK_DGRAM, proto: 0) == .other)
    }
}
