// Passing open files and live connections between Go's net package and SwiftNet's Net layer:
// Go's WriteMsgUnix to Net's readMsgUnix and back, and the tutorial's connection hand-off
// across processes in both directions (conn.file() + unixRights + net.FileConn, and Go's
// TCPConn.File() + UnixRights + Net.fileConn). Go's sides are the fdsend and fdrecv peers
// (shared with FDPassingTests) and nethandoff.
//
// The test itself is the Swift side here, so it uses Net directly: every Net wait carries a
// deadline, so a peer that never shows up fails the test instead of hanging it.
import Glibc
import Net
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct NetFDPassingInteropTests {
    /// The descriptors in the SCM_RIGHTS messages of `oob`.
    static func receivedFDs(_ oob: [UInt8], _ oobn: Int) throws -> [Int32] {
        try Syscall.parseSocketControlMessage(Array(oob[..<oobn]))
            .filter { $0.header.level == Syscall.SOL_SOCKET && $0.header.type == Syscall.SCM_RIGHTS }
            .flatMap { try Syscall.parseUnixRights($0) }
    }

    /// Reads one line, a byte at a time: what follows it on the connection is not ours to read.
    static func readLine(_ conn: any Conn) async throws -> String {
        var line: [UInt8] = []
        while line.last != UInt8(ascii: "\n") {
            let byte = try await conn.read(upTo: 1)
            if byte.isEmpty { break }
            line += byte
        }
        return String(decoding: line, as: UTF8.self)
    }

    /// The whole file behind `fd`, read from offset 0 with pread.
    static func contents(_ fd: Int32) throws -> [UInt8] {
        var content: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while case let n = try Syscall.pread(fd, &buffer, Int64(content.count)), n > 0 {
            content += buffer[..<n]
        }
        return content
    }

    @Test("Go's WriteMsgUnix sends a file to a Net unix listener; readMsgUnix gets an fd to the same bytes",
          .requiresGo)
    func goSendsFileToNet() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (socket, file) = (dir.path("fd.sock"), dir.path("data.bin"))
        let content = binaryContent()
        try writeFile(file, content)
        let fdsend = try await goPeer("fdsend")

        let ln = try #require(try await Net.listen("unix", socket) as? UnixListener)
        try ln.setDeadline(.now + .seconds(20))
        let sender = try Subprocess(fdsend, [socket, file])
        let conn = try await ln.acceptUnix()
        try conn.setReadDeadline(.now + .seconds(20))
        var data = [UInt8](repeating: 0, count: 16)
        var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4 * 4))
        let r = try await conn.readMsgUnix(&data, &oob)
        try conn.close()
        try ln.close()
        let fds = try Self.receivedFDs(oob, r.oobn)
        defer { for fd in fds { try? Syscall.close(fd) } }

        #expect(r.n == 1 && data[0] == 0, "Go sends one zero byte")
        #expect(r.oobn == Syscall.cmsgSpace(4))
        #expect(r.flags & Syscall.MSG_CTRUNC == 0)
        try #require(fds.count == 1)
        #expect(try Syscall.isCloseOnExec(fds[0]), "a received fd must be close-on-exec")
        #expect(try Self.contents(fds[0]) == content)
        let a = try Syscall.fstat(fds[0]), b = try Syscall.lstat(file)
        #expect(a.dev == b.dev && a.ino == b.ino, "not the file Go opened")
        let sent = try await sender.wait()
        #expect(sent.status == .exited(0), "\(sent)")
        expectNoFile(socket, "the Net listener left its socket file")
    }

    @Test("Net's writeMsgUnix(_, unixRights(fd), nil) sends a file; Go's ReadMsgUnix prints its bytes",
          .requiresGo,
          arguments: [[UInt8(0)], []])
    func netSendsFileToGo(data: [UInt8]) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (socket, file) = (dir.path("fd.sock"), dir.path("data.bin"))
        let content = binaryContent()
        try writeFile(file, content)

        let receiver = try Subprocess(try await goPeer("fdrecv"), [socket])
        #expect(try await receiver.readLine(from: .stderr) == "listening on \(socket)")
        let fd = try Syscall.open(file, Syscall.O_RDONLY | Syscall.O_CLOEXEC, 0)
        defer { try? Syscall.close(fd) }
        let conn = try #require(try await Net.dial("unix", socket) as? UnixConn)
        try conn.setWriteDeadline(.now + .seconds(20))
        // With no data, Net (as Go) sends one zero byte to carry the control message on a
        // stream, and reports n = 0: fdrecv sees exactly one byte either way.
        let w = try await conn.writeMsgUnix(data, Syscall.unixRights(fd), nil)
        try conn.close()
        let received = try await receiver.wait()

        #expect(w.n == data.count)
        #expect(w.oobn == Syscall.cmsgSpace(4))
        #expect(received.status == .exited(0), "\(received.stderrText)")
        #expect(received.stdout == content, "received \(received.stdout.count) of \(content.count) bytes")
    }

    @Test("Hand-off: a Net listener accepts a Go client, passes the connection (conn.file()) to a Go process that adopts it with net.FileConn and answers on it",
          .requiresGo)
    func handOffFromNetToGo() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let socket = dir.path("handoff.sock")
        let nethandoff = try await goPeer("nethandoff")

        let adopter = try Subprocess(nethandoff, ["adopt", socket])
        #expect(try await adopter.readLine(from: .stderr) == "listening on \(socket)")
        let ln = try #require(try await Net.listen("tcp", "127.0.0.1:0") as? TCPListener)
        try ln.setDeadline(.now + .seconds(20))
        let client = try Subprocess(nethandoff, ["client", "\(ln.addr)", "first", "second"])

        // Swift serves the first line itself...
        let conn = try await ln.acceptTCP()
        try ln.close()
        try conn.setDeadline(.now + .seconds(20))
        #expect(try await Self.readLine(conn) == "first\n")
        try await conn.write("swift answers: first\n")
        // ...then hands the live connection over and lets go of its own copies.
        let fd = try conn.file()
        let unix = try #require(try await Net.dial("unix", socket) as? UnixConn)
        try unix.setWriteDeadline(.now + .seconds(20))
        let w = try await unix.writeMsgUnix([0], Syscall.unixRights(fd), nil)
        try Syscall.close(fd)
        try unix.close()
        let clientAddress = try #require(conn.remoteAddr).description
        let serverAddress = try #require(conn.localAddr).description
        try conn.close()

        let talked = try await client.wait(timeout: .seconds(30))
        let adopted = try await adopter.wait(timeout: .seconds(30))
        #expect(w.n == 1)
        #expect(talked.status == .exited(0), "\(talked)")
        // The Go client saw both answers on the one connection it dialed.
        #expect(talked.stdoutText == "local \(clientAddress)\nswift answers: first\ngo answers: second\n")
        #expect(adopted.status == .exited(0), "\(adopted)")
        #expect(adopted.stdoutText == "adopted *net.TCPConn \(serverAddress) <- \(clientAddress)\n")
    }

    @Test("Hand-off the other way: Go passes an accepted connection (TCPConn.File) to Net, which adopts it with fileConn and answers",
          .requiresGo)
    func handOffFromGoToNet() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let socket = dir.path("handoff.sock")
        let nethandoff = try await goPeer("nethandoff")

        let ln = try #require(try await Net.listen("unix", socket) as? UnixListener)
        try ln.setDeadline(.now + .seconds(20))
        let passer = try await AnnouncedServer.start(nethandoff, ["pass", socket])
        let client = try Subprocess(nethandoff, ["client", passer.address, "first", "second"])

        let unix = try await ln.acceptUnix()
        try ln.close()
        try unix.setReadDeadline(.now + .seconds(20))
        var data = [UInt8](repeating: 0, count: 16)
        var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4 * 4))
        let r = try await unix.readMsgUnix(&data, &oob)
        try unix.close()
        let fds = try Self.receivedFDs(oob, r.oobn)
        try #require(fds.count == 1, "received \(fds.count) descriptors")
        // fileConn adopts a duplicate: the received fd is ours to close at once.
        let conn = try Net.fileConn(fds[0], name: "handed-off")
        try Syscall.close(fds[0])
        try conn.setDeadline(.now + .seconds(20))

        #expect(conn is TCPConn, "fileConn made a \(type(of: conn))")
        #expect(try #require(conn.localAddr).description == passer.address)
        #expect(try await Self.readLine(conn) == "second\n")
        try await conn.write("swift answers: second\n")
        // The client half-closes after the last answer: end of stream reaches us, not Go.
        #expect(try await conn.read(upTo: 1).isEmpty)
        let clientAddress = try #require(conn.remoteAddr).description
        try conn.close()  // the client waits for our end of stream

        let talked = try await client.wait(timeout: .seconds(30))
        let passed = try await passer.process.wait(timeout: .seconds(30))
        #expect(r.n == 1)
        #expect(passed.status == .exited(0), "\(passed)")
        #expect(talked.status == .exited(0), "\(talked)")
        #expect(talked.stdoutText == "local \(clientAddress)\ngo answers: first\nswift answers: second\n")
    }
}
