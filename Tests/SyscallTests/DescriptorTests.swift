// Descriptor flags: O_NONBLOCK, FD_CLOEXEC, the atomic creation flags, dupCloseOnExec, pipe2 and
// accept4's flags.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct DescriptorTests {
    @Test func setNonblockOnAndOff() throws {
        let (a, b) = try Syscall.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)
        defer { closeAll(a, b) }
        #expect(try !Syscall.isNonblock(b))
        try Syscall.setNonblock(b, true)
        #expect(try Syscall.isNonblock(b))
        var buf = [UInt8](repeating: 0, count: 4)
        let error = #expect(throws: Errno.EAGAIN) { try Syscall.read(b, &buf) }
        #expect(error?.description == "resource temporarily unavailable")
        try Syscall.setNonblock(b, true)  // idempotent
        #expect(try Syscall.isNonblock(b))
        try Syscall.setNonblock(b, false)
        #expect(try !Syscall.isNonblock(b))
        #expect(try !Syscall.isNonblock(a), "the peer's flags are its own")
    }

    @Test func setNonblockKeepsOtherStatusFlags() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fd = try Syscall.open(dir.path("append"), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        defer { closeAll(fd) }
        try Syscall.setNonblock(fd, true)
        #expect(try Syscall.fcntl(fd, F_GETFL, 0) & O_APPEND != 0)
        try Syscall.setNonblock(fd, false)
        #expect(try Syscall.fcntl(fd, F_GETFL, 0) & O_APPEND != 0)
        #expect(try Syscall.fcntl(fd, F_GETFL, 0) & O_NONBLOCK == 0)
    }

    @Test func closeOnExecSetsFD_CLOEXEC() throws {
        let fd = try Syscall.socket(AF_UNIX, SOCK_DGRAM, 0)
        defer { closeAll(fd) }
        #expect(try !Syscall.isCloseOnExec(fd))
        #expect(try Syscall.fcntl(fd, F_GETFD, 0) & FD_CLOEXEC == 0)
        try Syscall.closeOnExec(fd)
        #expect(try Syscall.isCloseOnExec(fd))
        #expect(try Syscall.fcntl(fd, F_GETFD, 0) & FD_CLOEXEC != 0)
        #expect(try !Syscall.isNonblock(fd), "close-on-exec is not a status flag")
    }

    @Test func creationFlagsAreApplied() throws {
        let both = try Syscall.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)
        let cloexec = try Syscall.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)
        let nonblock = try Syscall.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)
        defer { closeAll(both, cloexec, nonblock) }
        #expect(try Syscall.isCloseOnExec(both) && Syscall.isNonblock(both))
        #expect(try Syscall.isCloseOnExec(cloexec) && !Syscall.isNonblock(cloexec))
        #expect(try !Syscall.isCloseOnExec(nonblock) && Syscall.isNonblock(nonblock))
        let (a, b) = try Syscall.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)
        defer { closeAll(a, b) }
        for fd in [a, b] {
            #expect(try Syscall.isCloseOnExec(fd))
            #expect(try Syscall.isNonblock(fd))
        }
    }

    @Test func dupCloseOnExecDuplicatesWithTheFlag() throws {
        let (a, b) = try Syscall.socketpair(AF_UNIX, SOCK_STREAM, 0)
        defer { closeAll(a, b) }
        let dup = try Syscall.dupCloseOnExec(a)
        defer { closeAll(dup) }
        #expect(dup != a && dup != b)
        #expect(try Syscall.isCloseOnExec(dup))
        #expect(try !Syscall.isCloseOnExec(a), "the original keeps its own flags")
        #expect(try Syscall.fstat(dup).ino == Syscall.fstat(a).ino)
        // Same open socket: status flags are shared, and bytes written to the dup reach b.
        try Syscall.setNonblock(dup, true)
        #expect(try Syscall.isNonblock(a))
        try Syscall.setNonblock(a, false)
        _ = try Syscall.write(dup, bytes("dup"))
        var buf = [UInt8](repeating: 0, count: 8)
        try bounded(b)
        #expect(try Syscall.read(b, &buf) == 3)
        // Closing the dup leaves the original working.
        try Syscall.close(dup)
        _ = try Syscall.write(a, bytes("still"))
        #expect(try Syscall.read(b, &buf) == 5)
    }

    @Test func pipe2WithFlags() throws {
        let (r, w) = try Syscall.pipe2(O_CLOEXEC | O_NONBLOCK)
        defer { closeAll(r, w) }
        for fd in [r, w] {
            #expect(try Syscall.isCloseOnExec(fd))
            #expect(try Syscall.isNonblock(fd))
        }
        var buf = [UInt8](repeating: 0, count: 8)
        #expect(throws: Errno.EAGAIN) { try Syscall.read(r, &buf) }
        #expect(try Syscall.write(w, bytes("pipe")) == 4)
        #expect(try Syscall.read(r, &buf) == 4)
        #expect(Array(buf[..<4]) == bytes("pipe"))
        #expect(throws: Errno.EBADF) { try Syscall.write(r, [1]) }
        try Syscall.close(w)
        #expect(try Syscall.read(r, &buf) == 0, "end of file once the write end is closed")
    }

    @Test func pipe2WithoutFlags() throws {
        let (r, w) = try Syscall.pipe2(0)
        defer { closeAll(r, w) }
        #expect(r != w)
        for fd in [r, w] {
            #expect(try !Syscall.isCloseOnExec(fd))
            #expect(try !Syscall.isNonblock(fd))
        }
    }

    @Test func accept4AppliesItsFlags() throws {
        let listener = try boundedSocket(AF_INET, SOCK_STREAM)
        defer { closeAll(listener) }
        try Syscall.bind(listener, loopback(AF_INET))
        try Syscall.listen(listener, 4)
        let address = try Syscall.getsockname(listener)
        let clients = try (0..<2).map { _ in try boundedSocket(AF_INET, SOCK_STREAM) }
        defer { for fd in clients { closeAll(fd) } }
        for fd in clients { try Syscall.connect(fd, address) }

        let (flagged, peer) = try Syscall.accept4(listener, SOCK_NONBLOCK | SOCK_CLOEXEC)
        defer { closeAll(flagged) }
        #expect(try Syscall.isNonblock(flagged))
        #expect(try Syscall.isCloseOnExec(flagged))
        #expect(peer as? SockaddrInet4 == (try Syscall.getsockname(clients[0]) as? SockaddrInet4))
        var buf = [UInt8](repeating: 0, count: 4)
        #expect(throws: Errno.EAGAIN) { try Syscall.read(flagged, &buf) }

        // The listener's own close-on-exec is not inherited: with no flags, none are set.
        #expect(try Syscall.isCloseOnExec(listener))
        let (plain, _) = try Syscall.accept4(listener, 0)
        defer { closeAll(plain) }
        #expect(try !Syscall.isNonblock(plain))
        #expect(try !Syscall.isCloseOnExec(plain))
    }

    @Test func accept4OnANonBlockingListenerWithNothingPendingIsEAGAIN() throws {
        let listener = try Syscall.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)
        defer { closeAll(listener) }
        try Syscall.bind(listener, SockaddrUnix(name: uniqueAbstractName("empty")))
        try Syscall.listen(listener, 1)
        #expect(throws: Errno.EAGAIN) { try Syscall.accept4(listener, SOCK_CLOEXEC) }
        #expect(throws: Errno.EINVAL) { try Syscall.accept4(listener, 0x7fff_0000) }
    }
}
