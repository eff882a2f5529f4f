// Adopting descriptors (Go's FileConn, FileListener, FilePacketConn) and handing them out
// (conn.file()): the caller's fd is duplicated close-on-exec and stays the caller's; the type
// follows the socket; the wrong kind of fd gives Go's `file file+net NAME: ...` errors.
@testable import Net
import Syscall
import Testing
import TestSupport

private typealias H = NetTestHelpers

@Suite(.fdLeakCheck) struct FileAdoptionConnTests {
    /// fileConn on a connected TCP fd made with Syscall: a TCPConn whose I/O works; closing it
    /// leaves the original fd open and usable.
    @Test func connectedTCPDescriptor() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        let fd = try Syscall.socket(Syscall.AF_INET, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(fd) }
        try Syscall.connect(fd, SockaddrInet4(port: p, addr: [127, 0, 0, 1]))
        let server = try await withTimeLimit { try await ln.accept() }
        defer { try? server.close() }

        let conn = try Net.fileConn(fd)
        let tcp = try #require(conn as? TCPConn)
        defer { try? tcp.close() }
        #expect(tcp.remoteAddr?.description == "127.0.0.1:\(p)")
        #expect(tcp.localAddr?.description == server.remoteAddr?.description)
        #expect(tcp.localAddr?.network == "tcp")
        let raw = tcp.syscallConn()
        var adoptedFD: Int32 = -1
        try raw.control { adoptedFD = $0 }
        #expect(adoptedFD != fd)
        #expect(try H.flags(raw) == (cloexec: true, nonblock: true))
        // Go's newTCPConn defaults apply to adopted conns too.
        #expect(try H.sockopt(raw, Syscall.IPPROTO_TCP, Syscall.TCP_NODELAY) == 1)
        #expect(try await H.roundTrip(tcp, server, Array("to server".utf8)) == Array("to server".utf8))
        #expect(try await H.roundTrip(server, tcp, Array("to client".utf8)) == Array("to client".utf8))

        try tcp.close()
        // The original is still open and still connected.
        #expect(try Syscall.isCloseOnExec(fd))
        #expect(try Syscall.write(fd, Array("raw".utf8)) == 3)
        #expect(try await withTimeLimit { try await server.read(upTo: 16) } == Array("raw".utf8))
    }

    /// Go's FileConn sets TCP_NODELAY only: keep-alive stays as the socket had it (observed:
    /// SO_KEEPALIVE 0 on a fresh socket), and a period the owner chose is not overwritten.
    @Test func keepAliveIsLeftAsItWas() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        let p = H.port(ln.addr)
        for preset in [false, true] {
            let fd = try Syscall.socket(Syscall.AF_INET, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
            defer { try? Syscall.close(fd) }
            if preset {
                try Syscall.setsockoptInt(fd, Syscall.SOL_SOCKET, Syscall.SO_KEEPALIVE, 1)
                try Syscall.setsockoptInt(fd, Syscall.IPPROTO_TCP, Syscall.TCP_KEEPIDLE, 100)
            }
            try Syscall.connect(fd, SockaddrInet4(port: p, addr: [127, 0, 0, 1]))
            let server = try await withTimeLimit { try await ln.accept() }
            defer { try? server.close() }
            let conn = try Net.fileConn(fd)
            defer { try? conn.close() }
            let raw = try #require(H.raw(conn))
            #expect(try H.sockopt(raw, Syscall.SOL_SOCKET, Syscall.SO_KEEPALIVE) == (preset ? 1 : 0))
            if preset { #expect(try H.sockopt(raw, Syscall.IPPROTO_TCP, Syscall.TCP_KEEPIDLE) == 100) }
            #expect(try H.sockopt(raw, Syscall.IPPROTO_TCP, Syscall.TCP_NODELAY) == 1)
        }
    }

    @Test func unixSocketpairEnds() async throws {
        let (a, b) = try Syscall.socketpair(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(a); try? Syscall.close(b) }
        let ca = try Net.fileConn(a)
        defer { try? ca.close() }
        let cb = try Net.fileConn(b)
        defer { try? cb.close() }
        #expect(ca is UnixConn && cb is UnixConn)
        // Both ends of a socketpair are unnamed: "@" (Go on Linux).
        #expect(ca.localAddr?.description == "@")
        #expect(ca.remoteAddr?.description == "@")
        #expect(try await H.roundTrip(ca, cb) == Array("ping".utf8))
    }

    @Test func regularFileIsNotASocket() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("regular.txt")
        try H.makeRegularFile(path)
        let fd = try Syscall.open(path, Syscall.O_RDONLY | Syscall.O_CLOEXEC, 0)
        defer { try? Syscall.close(fd) }
        for (kind, adopt) in adopters {
            var failure: OpError?
            do { try adopt(fd, "regular.txt") } catch let e as OpError { failure = e }
            #expect(failure?.description == "file file+net regular.txt: getsockopt: socket operation on non-socket", "\(kind)")
            #expect(failure?.op == "file" && failure?.net == "file+net")
            #expect((failure?.underlying as? SyscallError)?.err == .ENOTSOCK)
        }
        #expect(try Syscall.isCloseOnExec(fd))   // still open
        // Without a name, the fd number stands in for Go's file name.
        var unnamed: OpError?
        do { _ = try Net.fileConn(fd) } catch { unnamed = error }
        #expect(unnamed?.description == "file file+net \(fd): getsockopt: socket operation on non-socket")
    }

    @Test func pipeIsNotASocket() async throws {
        let (r, w) = try Syscall.pipe2(Syscall.O_CLOEXEC)
        defer { try? Syscall.close(r); try? Syscall.close(w) }
        var failure: OpError?
        do { _ = try Net.fileConn(r, name: "|0") } catch { failure = error }
        #expect(failure?.description == "file file+net |0: getsockopt: socket operation on non-socket")
        // The pipe still works.
        #expect(try Syscall.write(w, [7]) == 1)
        var b = [UInt8](repeating: 0, count: 1)
        #expect(try Syscall.read(r, &b) == 1 && b == [7])
    }

    private var adopters: [(String, @Sendable (Int32, String) throws -> Void)] {
        [
            ("fileConn", { fd, name in _ = try Net.fileConn(fd, name: name) }),
            ("fileListener", { fd, name in _ = try Net.fileListener(fd, name: name) }),
            ("filePacketConn", { fd, name in _ = try Net.filePacketConn(fd, name: name) }),
        ]
    }
}

@Suite(.fdLeakCheck) struct FileAdoptionListenerTests {
    /// fileListener on a listening unix socket made with Syscall: accepts; never unlinks.
    @Test func listeningUnixSocket() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("adopt.sock")
        let fd = try Syscall.socket(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(fd) }
        try Syscall.bind(fd, SockaddrUnix(name: path))
        try Syscall.listen(fd, 16)

        let ln = try Net.fileListener(fd)
        let unix = try #require(ln as? UnixListener)
        defer { try? unix.close() }
        #expect(unix.addr as? UnixAddr == UnixAddr(name: path, net: "unix"))
        #expect(try H.flags(unix.syscallConn()) == (cloexec: true, nonblock: true))
        let c = try await withTimeLimit { try await Net.dial("unix", path) }
        defer { try? c.close() }
        let s = try await withTimeLimit { try await unix.acceptUnix() }
        defer { try? s.close() }
        #expect(try await H.roundTrip(c, s) == Array("ping".utf8))
        try unix.close()
        #expect(try Syscall.lstat(path).isSocket)
        // The original fd still listens.
        #expect(try Syscall.getsockoptInt(fd, Syscall.SOL_SOCKET, Syscall.SO_ACCEPTCONN) == 1)
    }

    @Test func listeningTCPSocketFromFile() async throws {
        let original = try await Net.listen("tcp", "127.0.0.1:0") as! TCPListener
        defer { try? original.close() }
        let dup = try original.file()
        defer { try? Syscall.close(dup) }
        let adopted = try Net.fileListener(dup)
        defer { try? adopted.close() }
        #expect(adopted is TCPListener)
        #expect(adopted.addr.description == original.addr.description)
        let p = H.port(adopted.addr)
        let c = try await withTimeLimit { try await Net.dial("tcp", "127.0.0.1:\(p)") }
        defer { try? c.close() }
        let s = try await withTimeLimit { try await adopted.accept() }
        defer { try? s.close() }
        // A listener made by fileListener has the zero ListenConfig: keep-alive 15 s.
        #expect(try H.sockopt(H.raw(s)!, Syscall.IPPROTO_TCP, Syscall.TCP_KEEPIDLE) == 15)
        #expect(try await H.roundTrip(c, s) == Array("ping".utf8))
    }

    /// Go does not check SO_ACCEPTCONN: a connected TCP fd becomes a listener whose accept
    /// fails with `accept: invalid argument` (observed).
    @Test func connectedTCPSocketAcceptFails() async throws {
        let (ln, client, server) = try await H.tcpTrio()
        defer { try? ln.close(); try? client.close(); try? server.close() }
        let dup = try client.file()
        defer { try? Syscall.close(dup) }
        let odd = try Net.fileListener(dup)
        defer { try? odd.close() }
        let local = try #require(client.localAddr?.description)
        var failure: OpError?
        do { _ = try await withTimeLimit { try await (odd as! TCPListener).acceptTCP() } } catch let e as OpError { failure = e }
        #expect(failure?.description == "accept tcp \(local): accept: invalid argument")
    }

    @Test func udpSocketIsNotAListener() async throws {
        let pc = try await Net.listenPacket("udp", "127.0.0.1:0") as! UDPConn
        defer { try? pc.close() }
        let dup = try pc.file()
        defer { try? Syscall.close(dup) }
        let name = "udp:\(pc.localAddr!)->"
        var failure: OpError?
        do { _ = try Net.fileListener(dup, name: name) } catch { failure = error }
        #expect(failure?.description == "file file+net \(name): invalid argument")
        #expect(failure?.underlying as? Errno == .EINVAL)
    }
}

@Suite(.fdLeakCheck) struct FileAdoptionPacketTests {
    @Test func udpSocket() async throws {
        let fd = try Syscall.socket(Syscall.AF_INET, Syscall.SOCK_DGRAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(fd) }
        try Syscall.bind(fd, SockaddrInet4(port: 0, addr: [127, 0, 0, 1]))
        let pc = try Net.filePacketConn(fd)
        let udp = try #require(pc as? UDPConn)
        defer { try? udp.close() }
        let local = try #require(udp.localAddr as? UDPAddr)
        #expect(local.ip == IP.v4(127, 0, 0, 1) && local.port != 0)

        let peer = try await Net.listenPacket("udp", "127.0.0.1:0") as! UDPConn
        defer { try? peer.close() }
        try await peer.writeTo(Array("to adopted".utf8), local)
        let (n, from) = try await withTimeLimit {
            var b = [UInt8](repeating: 0, count: 64)
            let r = try await udp.readFromUDP(&b)
            return (r.n, r.addr)
        }
        #expect(n == 10)
        #expect(from?.description == peer.localAddr?.description)
        try await udp.writeTo(Array("back".utf8), try #require(from))
        let reply = try await withTimeLimit {
            var b = [UInt8](repeating: 0, count: 64)
            let r = try await peer.readFrom(&b)
            return Array(b[..<r.n])
        }
        #expect(reply == Array("back".utf8))
    }

    @Test func unixgramSocket() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("g.sock")
        let fd = try Syscall.socket(Syscall.AF_UNIX, Syscall.SOCK_DGRAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(fd) }
        try Syscall.bind(fd, SockaddrUnix(name: path))
        let pc = try Net.filePacketConn(fd)
        defer { try? pc.close() }
        #expect(pc is UnixConn)
        #expect(pc.localAddr as? UnixAddr == UnixAddr(name: path, net: "unixgram"))
        let sender = try await Net.dial("unixgram", path)
        defer { try? sender.close() }
        try await sender.write([1, 2, 3])
        let n = try await withTimeLimit {
            var b = [UInt8](repeating: 0, count: 8)
            return try await pc.readFrom(&b).n
        }
        #expect(n == 3)
    }

    @Test func streamSocketIsNotAPacketConn() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0") as! TCPListener
        defer { try? ln.close() }
        let dup = try ln.file()
        defer { try? Syscall.close(dup) }
        var failure: OpError?
        do { _ = try Net.filePacketConn(dup, name: "tcp-listener") } catch { failure = error }
        #expect(failure?.description == "file file+net tcp-listener: invalid argument")
    }
}

@Suite(.fdLeakCheck) struct FileAdoptionExportTests {
    /// conn.file(): a close-on-exec duplicate that outlives the conn; the conn stays
    /// non-blocking (Go issue 29277: Go's File() could leave it blocking).
    @Test func fileDuplicate() async throws {
        let (ln, client, server) = try await H.tcpTrio()
        defer { try? ln.close(); try? client.close(); try? server.close() }
        let dup = try client.file()
        defer { try? Syscall.close(dup) }
        var original: Int32 = -1
        try client.syscallConn().control { original = $0 }
        #expect(dup != original)
        #expect(try Syscall.isCloseOnExec(dup))
        #expect(try Syscall.isNonblock(dup))
        #expect(try H.flags(client.syscallConn()) == (cloexec: true, nonblock: true))

        // The conn still honours deadlines (it would block in read(2) if it were blocking).
        try client.setReadDeadline(.now + .milliseconds(50))
        var timeout: OpError?
        do { _ = try await withTimeLimit { try await client.read(upTo: 1) } } catch let e as OpError { timeout = e }
        #expect(timeout?.timeout == true)
        try client.setReadDeadline(nil)

        try client.close()
        // The duplicate still refers to the connection.
        #expect(try Syscall.write(dup, Array("via dup".utf8)) == 7)
        #expect(try await withTimeLimit { try await server.read(upTo: 16) } == Array("via dup".utf8))
        let peer = try #require(try Syscall.getpeername(dup) as? SockaddrInet4)
        #expect(peer.port == H.port(ln.addr))
    }

    /// However a conn's fd left Net's hands (file(), a duplicate made through RawConn, an
    /// adopted fd whose original the caller keeps), its epoll registration goes with close,
    /// though the open file lives on.
    @Test(arguments: ["file", "rawConn", "fileConn"])
    func closeDeregistersAnFDThatLeftNet(route: String) async throws {
        let (ln, client, server) = try await H.tcpTrio()
        defer { try? ln.close(); try? client.close(); try? server.close() }
        var conn: SocketConn = client
        let outside: Int32
        switch route {
        case "file":
            outside = try client.file()
        case "rawConn":
            var made: Int32 = -1
            try client.syscallConn().control { made = try Syscall.dupCloseOnExec($0) }
            outside = made
        default:
            outside = try Syscall.dupCloseOnExec(client.fd.pfd.sysfd)
            conn = try #require(try Net.fileConn(outside) as? SocketConn)
        }
        defer { try? Syscall.close(outside) }
        let number = conn.fd.pfd.sysfd
        #expect(epollRegistrations(of: number) == 1)
        try conn.close()
        #expect(epollRegistrations(of: number) == 0)
    }

    @Test func fileAfterClose() async throws {
        let (ln, client, server) = try await H.tcpTrio()
        defer { try? ln.close(); try? server.close() }
        let local = client.localAddr!.description, remote = client.remoteAddr!.description
        try client.close()
        var failure: OpError?
        do { _ = try client.file() } catch { failure = error }
        #expect(failure?.description == "file tcp \(local)->\(remote): use of closed network connection")
        #expect(failure?.isClosed == true)
    }

    @Test func roundTripThroughFileConn() async throws {
        let (ln, client, server) = try await H.tcpTrio()
        defer { try? ln.close(); try? client.close(); try? server.close() }
        let dup = try server.file()
        defer { try? Syscall.close(dup) }
        let again = try Net.fileConn(dup)
        defer { try? again.close() }
        #expect(again.localAddr?.description == server.localAddr?.description)
        #expect(again.remoteAddr?.description == server.remoteAddr?.description)
        try server.close()
        #expect(try await H.roundTrip(client, again) == Array("ping".utf8))
    }
}
