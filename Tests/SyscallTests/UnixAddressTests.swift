// Unix socket names on real sockets: sun_path limits (never truncated), abstract names with their
// exact length, autobind, and the unnamed peer, each read back with getsockname/getpeername.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct UnixAddressTests {
    /// A path of exactly `length` bytes inside `dir`.
    private func path(in dir: TemporaryDirectory, length: Int) -> String {
        let p = dir.path(String(repeating: "p", count: length - dir.root.utf8.count - 1))
        precondition(p.utf8.count == length)
        return p
    }

    @Test func pathOf107BytesBindsAndReadsBackIdentical() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let p = path(in: dir, length: 107)
        let c = try unixConnection(SOCK_STREAM, SockaddrUnix(name: p))
        defer { c.close() }
        #expect(unixName(try Syscall.getsockname(c.listener)) == p)
        #expect(unixName(try Syscall.getpeername(c.client)) == p)
        #expect(try Syscall.lstat(p).isSocket)
    }

    @Test func pathOf108BytesIsEINVALAndCreatesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let p = path(in: dir, length: 108)
        let fd = try boundedSocket(AF_UNIX, SOCK_STREAM)
        defer { closeAll(fd) }
        #expect(throws: Errno.EINVAL) { try Syscall.bind(fd, SockaddrUnix(name: p)) }
        #expect(throws: Errno.EINVAL) { try Syscall.connect(fd, SockaddrUnix(name: p)) }
        #expect(throws: Errno.ENOENT) { try Syscall.lstat(p) }
        // Not truncated to 107 bytes either.
        #expect(throws: Errno.ENOENT) { try Syscall.lstat(String(p.dropLast())) }
        // The socket is still unbound.
        #expect(unixName(try Syscall.getsockname(fd)) == "@")
    }

    @Test func abstractNameReadsBackIdenticalAndCreatesNoFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // An abstract name that looks like a path: if the leading NUL were lost, a file would
        // appear at exactly that path.
        let filePath = dir.path("abstract.sock")
        let name = "@" + filePath
        let c = try unixConnection(SOCK_STREAM, SockaddrUnix(name: name))
        defer { c.close() }
        #expect(unixName(try Syscall.getsockname(c.listener)) == name)
        #expect(unixName(try Syscall.getpeername(c.client)) == name)
        #expect(throws: Errno.ENOENT) { try Syscall.lstat(filePath) }
    }

    @Test func abstractNameHasItsExactLength() throws {
        // "@x" and "@x\0" are different abstract names; a name padded with NULs would let
        // one connect to the other.
        let name = uniqueAbstractName("exact")
        let listener = try boundedSocket(AF_UNIX, SOCK_STREAM)
        let client = try boundedSocket(AF_UNIX, SOCK_STREAM)
        defer { closeAll(listener, client) }
        try Syscall.bind(listener, SockaddrUnix(name: name))
        try Syscall.listen(listener, 1)
        #expect(throws: Errno.ECONNREFUSED) { try Syscall.connect(client, SockaddrUnix(name: name + "\0")) }
        #expect(try Syscall.getsockname(listener).description == name)
    }

    @Test func abstractNameOf108BytesWorksAnd109IsEINVAL() throws {
        let prefix = uniqueAbstractName("max")
        let name108 = prefix + String(repeating: "a", count: 108 - prefix.utf8.count)
        #expect(name108.utf8.count == 108)
        let c = try unixConnection(SOCK_STREAM, SockaddrUnix(name: name108))
        defer { c.close() }
        #expect(unixName(try Syscall.getsockname(c.listener)) == name108)
        #expect(unixName(try Syscall.getpeername(c.client)) == name108)

        let fd = try boundedSocket(AF_UNIX, SOCK_STREAM)
        defer { closeAll(fd) }
        #expect(throws: Errno.EINVAL) { try Syscall.bind(fd, SockaddrUnix(name: name108 + "b")) }
        #expect(unixName(try Syscall.getsockname(fd)) == "@")
    }

    @Test func emptyNameAutobinds() throws {
        let fd = try boundedSocket(AF_UNIX, SOCK_DGRAM)
        defer { closeAll(fd) }
        try Syscall.bind(fd, SockaddrUnix(name: ""))
        let name = try #require(unixName(try Syscall.getsockname(fd)))
        // Linux autobind: a NUL and five lower-case hex digits.
        #expect(name.utf8.count == 6)
        #expect(name.first == "@")
        #expect(name.dropFirst().allSatisfy { "0123456789abcdef".contains($0) }, "\(name)")
    }

    @Test func autoboundNameIsReachable() throws {
        let server = try boundedSocket(AF_UNIX, SOCK_DGRAM)
        let client = try boundedSocket(AF_UNIX, SOCK_DGRAM)
        defer { closeAll(server, client) }
        try Syscall.bind(server, SockaddrUnix(name: ""))
        let name = try Syscall.getsockname(server)
        _ = try Syscall.sendto(client, bytes("to-auto"), 0, name)
        var buf = [UInt8](repeating: 0, count: 16)
        #expect(try Syscall.recv(server, &buf, 0) == 7)
    }

    @Test func unnamedClientIsSeenAsAt() throws {
        let c = try unixConnection(SOCK_STREAM, SockaddrUnix(name: uniqueAbstractName("unnamed")))
        defer { c.close() }
        #expect(unixName(try Syscall.getsockname(c.client)) == "@")
        #expect(unixName(try Syscall.getpeername(c.server)) == "@")
        // accept's own report of the peer agrees.
        let client = try boundedSocket(AF_UNIX, SOCK_STREAM)
        defer { closeAll(client) }
        try Syscall.connect(client, try Syscall.getsockname(c.listener))
        let (fd, peer) = try Syscall.accept(c.listener)
        defer { closeAll(fd) }
        #expect(unixName(peer) == "@")
    }

    /// accept4's raw form leaves the peer as the kernel wrote it: the 2-byte family alone for an
    /// unnamed client, the abstract name's bytes for a bound one, each read back by SockaddrUnix.
    @Test func rawAcceptLeavesThePeersBytes() throws {
        let c = try unixConnection(SOCK_STREAM, SockaddrUnix(name: uniqueAbstractName("raw")))
        defer { c.close() }
        let unnamed = try boundedSocket(AF_UNIX, SOCK_STREAM)
        let named = try boundedSocket(AF_UNIX, SOCK_STREAM)
        defer { closeAll(unnamed, named) }
        let name = uniqueAbstractName("raw-client")
        try Syscall.bind(named, SockaddrUnix(name: name))
        for (client, expected, length) in [(unnamed, "@", 2), (named, name, 2 + name.utf8.count)] {
            try Syscall.connect(client, try Syscall.getsockname(c.listener))
            var peer = RawSockaddrAny()
            let fd = try Syscall.accept4(c.listener, SOCK_CLOEXEC, peer: &peer)
            defer { closeAll(fd) }
            #expect(peer.family == AF_UNIX)
            #expect(peer.length == UInt32(length))
            #expect(SockaddrUnix(peer).name == expected)
        }
    }

    @Test func boundClientIsSeenByName() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let listener = try boundedSocket(AF_UNIX, SOCK_STREAM)
        let client = try boundedSocket(AF_UNIX, SOCK_STREAM)
        defer { closeAll(listener, client) }
        try Syscall.bind(listener, SockaddrUnix(name: dir.path("srv.sock")))
        try Syscall.listen(listener, 1)
        let clientPath = dir.path("cli.sock")
        try Syscall.bind(client, SockaddrUnix(name: clientPath))
        try Syscall.connect(client, SockaddrUnix(name: dir.path("srv.sock")))
        let (fd, peer) = try Syscall.accept4(listener, SOCK_CLOEXEC)
        defer { closeAll(fd) }
        #expect(unixName(peer) == clientPath)
        #expect(unixName(try Syscall.getpeername(fd)) == clientPath)
    }

    @Test func bindCreatesASocketFileThatUnlinkRemoves() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let p = dir.path("f.sock")
        let fd = try boundedSocket(AF_UNIX, SOCK_STREAM)
        defer { closeAll(fd) }
        try Syscall.bind(fd, SockaddrUnix(name: p))
        let st = try Syscall.lstat(p)
        #expect(st.isSocket)
        #expect(!st.isRegular)
        try Syscall.unlink(p)
        #expect(throws: Errno.ENOENT) { try Syscall.lstat(p) }
        // The name is still what the socket was bound to, though the file is gone.
        #expect(unixName(try Syscall.getsockname(fd)) == p)
    }
}
