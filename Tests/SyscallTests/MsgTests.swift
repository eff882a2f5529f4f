// sendmsg/sendmsgN/recvmsg: data, addresses, flags, and Go's dummy byte for control data without
// data on a socket that is not SOCK_DGRAM.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct MsgTests {
    @Test func dataOnlyOnAStream() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        #expect(try Syscall.sendmsgN(a, bytes("hello"), [], nil, MSG_NOSIGNAL) == 5)
        var p = [UInt8](repeating: 0, count: 16)
        var oob = [UInt8](repeating: 0, count: 64)
        let r = try Syscall.recvmsg(b, &p, &oob, 0)
        #expect(r.n == 5)
        #expect(Array(p[..<5]) == bytes("hello"))
        #expect(r.oobn == 0)
        #expect(r.recvflags == 0)
        #expect(r.from == nil, "a socketpair peer has no name")
    }

    @Test func sendmsgWithoutCount() throws {
        let (a, b) = try unixPair(SOCK_SEQPACKET)
        defer { closeAll(a, b) }
        try Syscall.sendmsg(a, bytes("packet"), [], nil, 0)
        var p = [UInt8](repeating: 0, count: 16)
        #expect(try Syscall.recv(b, &p, 0) == 6)
    }

    @Test func emptyDataWithControlOnAStreamSendsTheDummyByte() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let (x, y) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b, x, y) }
        #expect(try Syscall.sendmsgN(a, [], Syscall.unixRights(x), nil, MSG_NOSIGNAL) == 0, "the dummy is not counted")
        // A plain read sees exactly one zero byte.
        var p = [UInt8](repeating: 0xee, count: 8)
        var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4))
        let r = try Syscall.recvmsg(b, &p, &oob, MSG_CMSG_CLOEXEC)
        #expect(r.n == 1)
        #expect(p[0] == 0)
        let fds = try receivedFds(oob, r.oobn)
        defer { for fd in fds { closeAll(fd) } }
        #expect(fds.count == 1)
    }

    @Test(arguments: [SOCK_STREAM, SOCK_SEQPACKET])
    func emptyReceiveBufferReadsTheDummyByteAndCountsItAsGoDoes(_ type: Int32) throws {
        let (a, b) = try unixPair(type)
        let (x, y) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b, x, y) }
        #expect(try Syscall.sendmsgN(a, [], Syscall.unixRights(x), nil, MSG_NOSIGNAL) == 0)
        // The receiver gives an empty buffer too: recvmsg reads the dummy into its own byte and,
        // like Go's Recvmsg (unlike SendmsgN), returns the count recvmsg(2) gave: 1.
        var p: [UInt8] = []
        var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4))
        let r = try Syscall.recvmsg(b, &p, &oob, MSG_CMSG_CLOEXEC)
        #expect(r.n == 1)
        let fds = try receivedFds(oob, r.oobn)
        defer { for fd in fds { closeAll(fd) } }
        #expect(fds.count == 1)
        // The dummy byte was consumed: nothing is left.
        var rest = [UInt8](repeating: 0, count: 4)
        #expect(throws: Errno.EAGAIN) { try Syscall.recv(b, &rest, MSG_DONTWAIT) }
    }

    @Test func emptyDataWithControlOnADatagramSendsNoDummy() throws {
        let (a, b) = try unixPair(SOCK_DGRAM)
        let (x, y) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b, x, y) }
        #expect(try Syscall.sendmsgN(a, [], Syscall.unixRights(x), nil, 0) == 0)
        var p = [UInt8](repeating: 0xee, count: 8)
        var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4))
        let r = try Syscall.recvmsg(b, &p, &oob, MSG_CMSG_CLOEXEC)
        #expect(r.n == 0, "an empty datagram, no dummy byte")
        #expect(r.recvflags & MSG_TRUNC == 0)
        let fds = try receivedFds(oob, r.oobn)
        defer { for fd in fds { closeAll(fd) } }
        #expect(fds.count == 1)
    }

    @Test func emptyDataWithoutControlSendsNothingExtra() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        #expect(try Syscall.sendmsgN(a, [], [], nil, MSG_NOSIGNAL) == 0)
        var p = [UInt8](repeating: 0, count: 4)
        #expect(throws: Errno.EAGAIN) { try Syscall.recv(b, &p, MSG_DONTWAIT) }
    }

    @Test func controlWithoutDataOnAPipeIsENOTSOCK() throws {
        let (r, w) = try Syscall.pipe2(O_CLOEXEC)
        defer { closeAll(r, w) }
        #expect(throws: Errno.ENOTSOCK) { try Syscall.sendmsgN(w, [], Syscall.unixRights(r), nil, 0) }
    }

    @Test func sendmsgToAnAddressAndRecvmsgFrom() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try boundedSocket(AF_UNIX, SOCK_DGRAM)
        let client = try boundedSocket(AF_UNIX, SOCK_DGRAM)
        defer { closeAll(server, client) }
        let serverPath = dir.path("s.sock")
        let clientPath = dir.path("c.sock")
        try Syscall.bind(server, SockaddrUnix(name: serverPath))
        try Syscall.bind(client, SockaddrUnix(name: clientPath))
        #expect(try Syscall.sendmsgN(client, bytes("to"), [], SockaddrUnix(name: serverPath), 0) == 2)
        var p = [UInt8](repeating: 0, count: 8)
        var oob: [UInt8] = []
        let r = try Syscall.recvmsg(server, &p, &oob, 0)
        #expect(r.n == 2)
        #expect(unixName(r.from) == clientPath)
    }

    @Test func udpSendmsgAndRecvmsgFrom() throws {
        let a = try boundedSocket(AF_INET, SOCK_DGRAM)
        let b = try boundedSocket(AF_INET, SOCK_DGRAM)
        defer { closeAll(a, b) }
        try Syscall.bind(a, loopback(AF_INET))
        try Syscall.bind(b, loopback(AF_INET))
        _ = try Syscall.sendmsgN(a, bytes("udp"), [], try Syscall.getsockname(b), 0)
        var p = [UInt8](repeating: 0, count: 8)
        var oob: [UInt8] = []
        let r = try Syscall.recvmsg(b, &p, &oob, 0)
        #expect(r.n == 3)
        #expect(r.from as? SockaddrInet4 == (try Syscall.getsockname(a) as? SockaddrInet4))
    }

    @Test func sendmsgToAnInvalidAddressIsEINVALBeforeSending() throws {
        let (a, b) = try unixPair(SOCK_DGRAM)
        defer { closeAll(a, b) }
        #expect(throws: Errno.EINVAL) {
            try Syscall.sendmsgN(a, [1], [], SockaddrUnix(name: "/" + String(repeating: "x", count: 120)), 0)
        }
    }

    @Test func recvmsgReportsATruncatedDatagram() throws {
        let (a, b) = try unixPair(SOCK_DGRAM)
        defer { closeAll(a, b) }
        _ = try Syscall.sendmsgN(a, bytes("0123456789"), [], nil, 0)
        _ = try Syscall.sendmsgN(a, bytes("abcdefghij"), [], nil, 0)
        var p = [UInt8](repeating: 0, count: 4)
        var oob: [UInt8] = []
        let r = try Syscall.recvmsg(b, &p, &oob, 0)
        #expect(r.n == 4)
        #expect(r.recvflags & MSG_TRUNC != 0)
        #expect(p == bytes("0123"))
        let real = try Syscall.recvmsg(b, &p, &oob, MSG_TRUNC)
        #expect(real.n == 10, "with MSG_TRUNC in flags, the real length")
        #expect(real.recvflags & MSG_TRUNC != 0)
    }

    @Test func sendmsgToAClosedPeerIsEPIPE() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a) }
        try Syscall.close(b)
        #expect(throws: Errno.EPIPE) { try Syscall.sendmsgN(a, bytes("x"), [], nil, MSG_NOSIGNAL) }
    }

    @Test func pointerForms() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let (x, y) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b, x, y) }
        let oobOut = Syscall.unixRights(x)
        let sent = try bytes("raw").withUnsafeBytes { data in
            try oobOut.withUnsafeBytes { oob in try Syscall.sendmsgN(a, from: data, oob: oob, nil, MSG_NOSIGNAL) }
        }
        #expect(sent == 3)
        var p = [UInt8](repeating: 0, count: 8)
        var oob = [UInt8](repeating: 0, count: 64)
        let r = try p.withUnsafeMutableBytes { data in
            try oob.withUnsafeMutableBytes { control in try Syscall.recvmsg(b, into: data, oob: control, MSG_CMSG_CLOEXEC) }
        }
        #expect(r.n == 3)
        #expect(Array(p[..<3]) == bytes("raw"))
        let fds = try receivedFds(oob, r.oobn)
        defer { for fd in fds { closeAll(fd) } }
        #expect(fds.count == 1)
    }

    @Test func recvmsgWithoutAControlBufferSaysWhenFdsWereDropped() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let (x, y) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b, x, y) }
        try Syscall.sendmsg(a, bytes("AB"), Syscall.unixRights(x), nil, MSG_NOSIGNAL)
        try Syscall.sendmsg(a, bytes("CD"), [], nil, MSG_NOSIGNAL)
        var p = [UInt8](repeating: 0, count: 8)
        // The read stops after the message that carried the fd, which the kernel closes (the
        // suite's leak check sees none arrive here), and says so with MSG_CTRUNC.
        let first = try p.withUnsafeMutableBytes { try Syscall.recvmsg(b, into: $0, 0) }
        #expect(first.n == 2)
        #expect(first.recvflags & MSG_CTRUNC != 0)
        let second = try p.withUnsafeMutableBytes { try Syscall.recvmsg(b, into: $0, 0) }
        #expect(second.n == 2)
        #expect(Array(p[..<2]) == bytes("CD"))
        #expect(second.recvflags == 0)
    }

    /// The descriptors in a control buffer.
    private func receivedFds(_ oob: [UInt8], _ oobn: Int) throws -> [Int32] {
        try Syscall.parseSocketControlMessage(Array(oob[..<oobn])).flatMap { try Syscall.parseUnixRights($0) }
    }
}
