// sendto/recvfrom and message boundaries: UDP over 127.0.0.1 and ::1, unix datagram and unix
// seqpacket sockets. MSG_TRUNC makes recv report a datagram's real length.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct DatagramTests {
    @Test func udp4SendtoRecvfrom() throws {
        try udpRoundTrip(AF_INET)
    }

    @Test(.enabled(if: ipv6LoopbackAvailable, "the kernel has no ::1"))
    func udp6SendtoRecvfrom() throws {
        try udpRoundTrip(AF_INET6)
    }

    private func udpRoundTrip(_ family: Int32) throws {
        let a = try boundedSocket(family, SOCK_DGRAM)
        let b = try boundedSocket(family, SOCK_DGRAM)
        defer { closeAll(a, b) }
        try Syscall.bind(a, loopback(family))
        try Syscall.bind(b, loopback(family))
        let aAddress = try Syscall.getsockname(a)
        let bAddress = try Syscall.getsockname(b)
        #expect(try Syscall.sendto(a, bytes("one"), 0, bAddress) == 3)
        #expect(try Syscall.sendto(a, bytes("three"), 0, bAddress) == 5)
        var buf = [UInt8](repeating: 0, count: 64)
        let first = try Syscall.recvfrom(b, &buf, 0)
        #expect(first.n == 3)
        #expect(Array(buf[..<3]) == bytes("one"))
        #expect(first.from?.description == aAddress.description)
        let second = try Syscall.recvfrom(b, &buf, 0)
        #expect(second.n == 5, "one datagram per call: boundaries are kept")
        // And back, so the reply goes to the address recvfrom reported.
        let sender = try #require(first.from)
        #expect(try Syscall.sendto(b, bytes("ok"), 0, sender) == 2)
        let reply = try Syscall.recvfrom(a, &buf, 0)
        #expect(reply.n == 2)
        #expect(reply.from?.description == bAddress.description)
    }

    @Test func pointerFormsOfSendtoAndRecvfrom() throws {
        let a = try boundedSocket(AF_INET, SOCK_DGRAM)
        let b = try boundedSocket(AF_INET, SOCK_DGRAM)
        defer { closeAll(a, b) }
        try Syscall.bind(a, loopback(AF_INET))
        try Syscall.bind(b, loopback(AF_INET))
        let to = try Syscall.getsockname(b)
        let sent = try bytes("raw-udp").withUnsafeBytes { try Syscall.sendto(a, from: $0, 0, to) }
        #expect(sent == 7)
        var buf = [UInt8](repeating: 0, count: 4)
        let (n, from) = try buf.withUnsafeMutableBytes { try Syscall.recvfrom(b, into: $0, MSG_TRUNC) }
        #expect(n == 7, "MSG_TRUNC: the real length")
        #expect(buf == bytes("raw-"))
        #expect(from as? SockaddrInet4 == (try Syscall.getsockname(a) as? SockaddrInet4))
        #expect(throws: Errno.EINVAL) {
            try bytes("x").withUnsafeBytes { try Syscall.sendto(a, from: $0, 0, SockaddrInet4(port: 70000)) }
        }
    }

    @Test func udpRecvWithMSG_TRUNCReportsTheRealLength() throws {
        let a = try boundedSocket(AF_INET, SOCK_DGRAM)
        let b = try boundedSocket(AF_INET, SOCK_DGRAM)
        defer { closeAll(a, b) }
        try Syscall.bind(b, loopback(AF_INET))
        _ = try Syscall.sendto(a, bytes("0123456789"), 0, try Syscall.getsockname(b))
        var small = [UInt8](repeating: 0, count: 4)
        #expect(try Syscall.recv(b, &small, MSG_TRUNC) == 10)
        #expect(small == bytes("0123"))
    }

    @Test func unixDatagramSendtoRecvfromWithPaths() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try boundedSocket(AF_UNIX, SOCK_DGRAM)
        let client = try boundedSocket(AF_UNIX, SOCK_DGRAM)
        defer { closeAll(server, client) }
        let serverPath = dir.path("server.sock")
        let clientPath = dir.path("client.sock")
        try Syscall.bind(server, SockaddrUnix(name: serverPath))
        try Syscall.bind(client, SockaddrUnix(name: clientPath))
        #expect(try Syscall.sendto(client, bytes("hi"), 0, SockaddrUnix(name: serverPath)) == 2)
        var buf = [UInt8](repeating: 0, count: 16)
        let (n, from) = try Syscall.recvfrom(server, &buf, 0)
        #expect(n == 2)
        #expect(unixName(from) == clientPath)
    }

    @Test func unnamedUnixDatagramSenderHasNoAddress() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try boundedSocket(AF_UNIX, SOCK_DGRAM)
        let client = try boundedSocket(AF_UNIX, SOCK_DGRAM)
        defer { closeAll(server, client) }
        let path = dir.path("server.sock")
        try Syscall.bind(server, SockaddrUnix(name: path))
        _ = try Syscall.sendto(client, bytes("anon"), 0, SockaddrUnix(name: path))
        var buf = [UInt8](repeating: 0, count: 16)
        let (n, from) = try Syscall.recvfrom(server, &buf, 0)
        #expect(n == 4)
        // The kernel reports a zero-length address; Go's Recvfrom then returns a nil Sockaddr.
        #expect(from == nil)
    }

    @Test func recvfromOnAConnectedStreamSocketHasNoAddress() throws {
        let c = try loopbackTCP(AF_INET)
        defer { c.close() }
        _ = try Syscall.write(c.client, bytes("x"))
        var buf = [UInt8](repeating: 0, count: 4)
        let (n, from) = try Syscall.recvfrom(c.server, &buf, 0)
        #expect(n == 1)
        #expect(from == nil)
    }

    @Test(arguments: [SOCK_DGRAM, SOCK_SEQPACKET])
    func messageBoundariesAreKept(_ type: Int32) throws {
        let (a, b) = try unixPair(type)
        defer { closeAll(a, b) }
        for message in ["a", "bb", "ccc"] { _ = try Syscall.write(a, bytes(message)) }
        var buf = [UInt8](repeating: 0, count: 64)
        for message in ["a", "bb", "ccc"] {
            let n = try Syscall.read(b, &buf)
            #expect(Array(buf[..<n]) == bytes(message))
        }
        #expect(throws: Errno.EAGAIN) { try Syscall.recv(b, &buf, MSG_DONTWAIT) }
    }

    @Test(arguments: [SOCK_DGRAM, SOCK_SEQPACKET])
    func recvWithMSG_TRUNCReportsTheRealLength(_ type: Int32) throws {
        let (a, b) = try unixPair(type)
        defer { closeAll(a, b) }
        _ = try Syscall.write(a, bytes("0123456789"))
        _ = try Syscall.write(a, bytes("abcdefghij"))
        _ = try Syscall.write(a, bytes("next"))
        var small = [UInt8](repeating: 0, count: 4)
        #expect(try Syscall.recv(b, &small, MSG_TRUNC) == 10)
        #expect(small == bytes("0123"))
        // Without MSG_TRUNC the count is what fit; either way the rest of the datagram is gone.
        #expect(try Syscall.recv(b, &small, 0) == 4)
        #expect(small == bytes("abcd"))
        var buf = [UInt8](repeating: 0, count: 16)
        let n = try Syscall.recv(b, &buf, 0)
        #expect(Array(buf[..<n]) == bytes("next"))
    }

    @Test func unixSeqpacketListenerKeepsBoundaries() throws {
        let c = try unixConnection(SOCK_SEQPACKET, SockaddrUnix(name: uniqueAbstractName("seqpacket")))
        defer { c.close() }
        #expect(try Syscall.getsockoptInt(c.server, SOL_SOCKET, SO_TYPE) == Int(SOCK_SEQPACKET))
        _ = try Syscall.send(c.client, bytes("first"), 0)
        _ = try Syscall.send(c.client, bytes("second"), 0)
        var buf = [UInt8](repeating: 0, count: 64)
        #expect(try Syscall.recv(c.server, &buf, 0) == 5)
        #expect(try Syscall.recv(c.server, &buf, 0) == 6)
        #expect(Array(buf[..<6]) == bytes("second"))
        try Syscall.shutdown(c.client, SHUT_WR)
        #expect(try Syscall.recv(c.server, &buf, 0) == 0, "end of stream after SHUT_WR")
    }

    @Test func emptyDatagramIsDelivered() throws {
        let (a, b) = try unixPair(SOCK_DGRAM)
        defer { closeAll(a, b) }
        #expect(try Syscall.send(a, [], 0) == 0)
        _ = try Syscall.send(a, bytes("z"), 0)
        var buf = [UInt8](repeating: 0, count: 8)
        #expect(try Syscall.recv(b, &buf, 0) == 0)
        #expect(try Syscall.recv(b, &buf, 0) == 1)
    }

    @Test func recvfromAFamilyWithoutASockaddrKeepsTheData() throws {
        // A netlink socket (AF_NETLINK, NETLINK_ROUTE): Syscall has no Sockaddr for its sender,
        // but the datagram recvfrom has consumed must still be returned, not lost to an error.
        let fd = try Syscall.socket(16, SOCK_RAW | SOCK_CLOEXEC, 0)
        defer { closeAll(fd) }
        try bounded(fd)
        // nlmsghdr: len 16, type NLMSG_NOOP, flags NLM_F_REQUEST | NLM_F_ACK, seq 7, pid 0.
        let noop: [UInt8] = [16, 0, 0, 0, 1, 0, 5, 0, 7, 0, 0, 0, 0, 0, 0, 0]
        #expect(try Syscall.send(fd, noop, 0) == 16)
        var buf = [UInt8](repeating: 0, count: 256)
        let received = Result { () throws(Errno) in try Syscall.recvfrom(fd, &buf, 0).n }
        #expect(throws: Never.self) { try received.get() }
        if case .success(let n) = received {
            #expect(n >= 20, "an NLMSG_ERROR acknowledgement")
            #expect(Array(buf[4..<6]) == [2, 0], "type NLMSG_ERROR")
            #expect(Array(buf[8..<12]) == [7, 0, 0, 0], "our sequence number")
        }
    }

    @Test func recvmsgFromAFamilyWithoutASockaddrKeepsTheData() throws {
        let fd = try Syscall.socket(16, SOCK_RAW | SOCK_CLOEXEC, 0)
        defer { closeAll(fd) }
        try bounded(fd)
        let noop: [UInt8] = [16, 0, 0, 0, 1, 0, 5, 0, 8, 0, 0, 0, 0, 0, 0, 0]
        #expect(try Syscall.send(fd, noop, 0) == 16)
        var buf = [UInt8](repeating: 0, count: 256)
        var oob: [UInt8] = []
        let received = Result { () throws(Errno) in try Syscall.recvmsg(fd, &buf, &oob, 0).n }
        #expect(throws: Never.self) { try received.get() }
        #expect(Array(buf[8..<12]) == [8, 0, 0, 0], "the acknowledgement arrived in the buffer")
    }
}
