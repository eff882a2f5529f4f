// The errors real system calls produce, thrown as Errno with Go's text.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct RealErrorTests {
    @Test func connectToMissingPathIsENOENT() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fd = try boundedSocket(AF_UNIX, SOCK_STREAM)
        defer { closeAll(fd) }
        let error = #expect(throws: Errno.ENOENT) {
            try Syscall.connect(fd, SockaddrUnix(name: dir.path("missing.sock")))
        }
        #expect(error?.description == "no such file or directory")
    }

    @Test func connectToBoundButNotListeningIsECONNREFUSED() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let address = SockaddrUnix(name: dir.path("idle.sock"))
        let bound = try boundedSocket(AF_UNIX, SOCK_STREAM)
        let client = try boundedSocket(AF_UNIX, SOCK_STREAM)
        defer { closeAll(bound, client) }
        try Syscall.bind(bound, address)
        let error = #expect(throws: Errno.ECONNREFUSED) { try Syscall.connect(client, address) }
        #expect(error?.description == "connection refused")
    }

    @Test func tcpConnectToClosedPortIsECONNREFUSED() throws {
        // A bound socket that does not listen holds the port, so nobody else can listen on it.
        let holder = try boundedSocket(AF_INET, SOCK_STREAM)
        let client = try boundedSocket(AF_INET, SOCK_STREAM)
        defer { closeAll(holder, client) }
        try Syscall.bind(holder, loopback(AF_INET))
        let address = try Syscall.getsockname(holder)
        #expect(throws: Errno.ECONNREFUSED) { try Syscall.connect(client, address) }
    }

    @Test func bindingAUnixPathTwiceIsEADDRINUSE() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let address = SockaddrUnix(name: dir.path("twice.sock"))
        let first = try boundedSocket(AF_UNIX, SOCK_STREAM)
        let second = try boundedSocket(AF_UNIX, SOCK_STREAM)
        defer { closeAll(first, second) }
        try Syscall.bind(first, address)
        let error = #expect(throws: Errno.EADDRINUSE) { try Syscall.bind(second, address) }
        #expect(error?.description == "address already in use")
    }

    @Test func bindingATCPPortTwiceIsEADDRINUSE() throws {
        let first = try boundedSocket(AF_INET, SOCK_STREAM)
        let second = try boundedSocket(AF_INET, SOCK_STREAM)
        defer { closeAll(first, second) }
        try Syscall.bind(first, loopback(AF_INET))
        try Syscall.listen(first, 1)
        let taken = try Syscall.getsockname(first)
        #expect(throws: Errno.EADDRINUSE) { try Syscall.bind(second, taken) }
    }

    @Test func readOnAClosedFdIsEBADF() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(b) }
        try Syscall.close(a)
        var buf = [UInt8](repeating: 0, count: 4)
        let error = #expect(throws: Errno.EBADF) { try Syscall.read(a, &buf) }
        #expect(error?.description == "bad file descriptor")
    }

    @Test func closingTwiceIsEBADF() throws {
        let fd = try Syscall.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)
        try Syscall.close(fd)
        #expect(throws: Errno.EBADF) { try Syscall.close(fd) }
    }

    @Test func sendToAClosedPeerWithMSG_NOSIGNALIsEPIPE() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a) }
        try Syscall.close(b)
        // Without MSG_NOSIGNAL this would raise SIGPIPE and kill the test process.
        let error = #expect(throws: Errno.EPIPE) { try Syscall.send(a, bytes("x"), MSG_NOSIGNAL) }
        #expect(error?.description == "broken pipe")
        // Still alive, and the error is stable.
        #expect(throws: Errno.EPIPE) { try Syscall.send(a, bytes("y"), MSG_NOSIGNAL) }
    }

    @Test func readAfterPeerResetIsECONNRESET() throws {
        let c = try loopbackTCP(AF_INET)
        defer { closeAll(c.client, c.listener) }
        // Linger 0 makes close send RST instead of FIN.
        try Syscall.setsockoptLinger(c.server, SOL_SOCKET, SO_LINGER, Linger(onoff: 1, linger: 0))
        try Syscall.close(c.server)
        var buf = [UInt8](repeating: 0, count: 4)
        #expect(throws: Errno.ECONNRESET) { try Syscall.read(c.client, &buf) }
    }

    @Test func getpeernameOnAnUnconnectedSocketIsENOTCONN() throws {
        let fd = try boundedSocket(AF_UNIX, SOCK_STREAM)
        defer { closeAll(fd) }
        let error = #expect(throws: Errno.ENOTCONN) { try Syscall.getpeername(fd) }
        #expect(error?.description == "transport endpoint is not connected")
    }

    @Test func unknownAddressFamilyIsEAFNOSUPPORT() {
        #expect(throws: Errno.EAFNOSUPPORT) { try Syscall.socket(12345, SOCK_STREAM, 0) }
    }

    @Test func socketCallsOnAPipeAreENOTSOCK() throws {
        let (r, w) = try Syscall.pipe2(O_CLOEXEC)
        defer { closeAll(r, w) }
        #expect(throws: Errno.ENOTSOCK) { try Syscall.getsockoptInt(r, SOL_SOCKET, SO_TYPE) }
        #expect(throws: Errno.ENOTSOCK) { try Syscall.listen(r, 1) }
        #expect(throws: Errno.ENOTSOCK) { try Syscall.getsockname(r) }
    }
}
