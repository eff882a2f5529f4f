// Passing descriptors (SCM_RIGHTS) and credentials (SCM_CREDENTIALS) over real unix sockets.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct UnixRightsTests {
    /// Sends `fds` over `a` with one data byte and receives them on `b` with `flags`.
    private func pass(_ fds: [Int32], from a: Int32, to b: Int32, oobSize: Int, flags: Int32) throws -> (fds: [Int32], result: RecvmsgResult) {
        #expect(try Syscall.sendmsgN(a, [0x2a], Syscall.unixRights(fds), nil, MSG_NOSIGNAL) == 1)
        var p = [UInt8](repeating: 0, count: 4)
        var oob = [UInt8](repeating: 0, count: oobSize)
        let r = try Syscall.recvmsg(b, &p, &oob, flags)
        #expect(r.n == 1)
        #expect(p[0] == 0x2a)
        let messages = try Syscall.parseSocketControlMessage(Array(oob[..<r.oobn]))
        return (try messages.flatMap { try Syscall.parseUnixRights($0) }, r)
    }

    @Test func passedDescriptorsReferToTheSameFilesAndAreCloseOnExec() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (a, b) = try unixPair(SOCK_STREAM)
        let (x, y) = try unixPair(SOCK_STREAM)
        let file = try Syscall.open(dir.path("f"), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        defer { closeAll(a, b, x, y, file) }
        let (got, r) = try pass([file, x], from: a, to: b, oobSize: Syscall.cmsgSpace(8), flags: MSG_CMSG_CLOEXEC)
        defer { for fd in got { closeAll(fd) } }
        #expect(r.recvflags & MSG_CTRUNC == 0)
        try #require(got.count == 2)
        #expect(!got.contains(file) && !got.contains(x), "new descriptors, not the sender's numbers")
        for (sent, received) in zip([file, x], got) {
            #expect(try Syscall.isCloseOnExec(received))
            let s = try Syscall.fstat(sent)
            let rcv = try Syscall.fstat(received)
            #expect(s.dev == rcv.dev)
            #expect(s.ino == rcv.ino)
        }
        // The received socket is the same socket: what is written to it reaches x's peer.
        _ = try Syscall.write(got[1], bytes("via passed fd"))
        var buf = [UInt8](repeating: 0, count: 32)
        let n = try Syscall.read(y, &buf)
        #expect(Array(buf[..<n]) == bytes("via passed fd"))
    }

    @Test func withoutMSG_CMSG_CLOEXECPassedDescriptorsAreInheritable() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let (x, y) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b, x, y) }
        let (got, _) = try pass([x], from: a, to: b, oobSize: Syscall.cmsgSpace(4), flags: 0)
        defer { for fd in got { closeAll(fd) } }
        try #require(got.count == 1)
        #expect(try !Syscall.isCloseOnExec(got[0]))
    }

    @Test func passingOverADatagramToAnAddress() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try boundedSocket(AF_UNIX, SOCK_DGRAM)
        let client = try boundedSocket(AF_UNIX, SOCK_DGRAM)
        let (x, y) = try unixPair(SOCK_STREAM)
        defer { closeAll(server, client, x, y) }
        let path = dir.path("fd.sock")
        try Syscall.bind(server, SockaddrUnix(name: path))
        _ = try Syscall.sendmsgN(client, bytes("fd"), Syscall.unixRights(y), SockaddrUnix(name: path), 0)
        var p = [UInt8](repeating: 0, count: 4)
        var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4))
        let r = try Syscall.recvmsg(server, &p, &oob, MSG_CMSG_CLOEXEC)
        let got = try Syscall.parseSocketControlMessage(Array(oob[..<r.oobn])).flatMap { try Syscall.parseUnixRights($0) }
        defer { for fd in got { closeAll(fd) } }
        #expect(r.n == 2)
        #expect(got.count == 1)
        #expect(try got.map { try Syscall.fstat($0).ino } == [try Syscall.fstat(y).ino])
    }

    @Test func truncatedControlDataSetsMSG_CTRUNCAndLeaksNothing() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let (x, y) = try unixPair(SOCK_STREAM)
        let (r, w) = try Syscall.pipe2(O_CLOEXEC)
        defer { closeAll(a, b, x, y, r, w) }
        // Room for exactly one descriptor (cmsgLen(4) bytes): the kernel closes the other two.
        let (got, result) = try pass([x, r, w], from: a, to: b, oobSize: Syscall.cmsgLen(4), flags: MSG_CMSG_CLOEXEC)
        defer { for fd in got { closeAll(fd) } }
        #expect(result.recvflags & MSG_CTRUNC != 0)
        #expect(got.count == 1)
        #expect(try got.map { try Syscall.fstat($0).ino } == [try Syscall.fstat(x).ino])
        // The fd leak check of this suite fails the test if the other two were left open.
    }

    @Test func noControlBufferDropsEveryDescriptor() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let (x, y) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b, x, y) }
        let (got, result) = try pass([x, y], from: a, to: b, oobSize: 0, flags: MSG_CMSG_CLOEXEC)
        #expect(got.isEmpty)
        #expect(result.oobn == 0)
        #expect(result.recvflags & MSG_CTRUNC != 0)
    }

    @Test func sendingAClosedDescriptorIsEBADF() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        let (x, y) = try unixPair(SOCK_STREAM)
        closeAll(x, y)
        #expect(throws: Errno.EBADF) { try Syscall.sendmsgN(a, [0], Syscall.unixRights(x), nil, MSG_NOSIGNAL) }
    }

    @Test func credentialsRoundTripWithSO_PASSCRED() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        try Syscall.setsockoptInt(b, SOL_SOCKET, SO_PASSCRED, 1)
        #expect(try Syscall.getsockoptInt(b, SOL_SOCKET, SO_PASSCRED) == 1)
        let me = ourCredentials()
        _ = try Syscall.sendmsgN(a, bytes("c"), Syscall.unixCredentials(me), nil, MSG_NOSIGNAL)
        var p = [UInt8](repeating: 0, count: 4)
        var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(12))
        let r = try Syscall.recvmsg(b, &p, &oob, 0)
        #expect(r.n == 1)
        let messages = try Syscall.parseSocketControlMessage(Array(oob[..<r.oobn]))
        try #require(messages.count == 1)
        #expect(messages[0].header.type == SCM_CREDENTIALS)
        let cred = try Syscall.parseUnixCredentials(messages[0])
        #expect(cred == me)
        #expect(cred.pid == me.pid && cred.uid == me.uid && cred.gid == me.gid)
    }

    @Test func kernelAttachesCredentialsTheSenderDidNotSend() throws {
        let (a, b) = try unixPair(SOCK_DGRAM)
        defer { closeAll(a, b) }
        try Syscall.setsockoptInt(b, SOL_SOCKET, SO_PASSCRED, 1)
        _ = try Syscall.send(a, bytes("plain"), 0)
        var p = [UInt8](repeating: 0, count: 8)
        var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(12))
        let r = try Syscall.recvmsg(b, &p, &oob, 0)
        let messages = try Syscall.parseSocketControlMessage(Array(oob[..<r.oobn]))
        try #require(messages.count == 1)
        #expect(try Syscall.parseUnixCredentials(messages[0]) == ourCredentials())
        #expect(throws: Errno.EINVAL) { try Syscall.parseUnixRights(messages[0]) }
    }
}
