// Passing open files over unix sockets (SCM_RIGHTS) between the fd-sender and fd-receiver
// examples and Go's net package, in both directions, with real processes and sockets.
import Glibc
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct FDPassingTests {
    @Test("Go's WriteMsgUnix sends a file; fd-receiver prints its exact bytes and removes its socket",
          .requiresGo, .requiresExample("fd-receiver"))
    func goSenderToSwiftReceiver() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (socket, file) = (dir.path("fd.sock"), dir.path("data.bin"))
        let content = binaryContent()
        try writeFile(file, content)
        let fdsend = try await goPeer("fdsend")

        let receiver = try Subprocess(try example("fd-receiver"), [socket])
        #expect(try await receiver.readLine(from: .stderr) == "listening on \(socket)")
        let sender = try await Subprocess.run(fdsend, [socket, file])
        #expect(sender.status == .exited(0), "\(sender)")
        let received = try await receiver.wait()

        #expect(received.status == .exited(0), "\(received.stderrText)")
        #expect(received.stdout == content, "received \(received.stdout.count) of \(content.count) bytes")
        #expect(throws: Errno.ENOENT, "fd-receiver left its socket file") { try Syscall.lstat(socket) }
    }

    @Test("fd-sender sends a file; Go's ReadMsgUnix and ParseUnixRights receive it",
          .requiresGo, .requiresExample("fd-sender"))
    func swiftSenderToGoReceiver() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (socket, file) = (dir.path("fd.sock"), dir.path("data.bin"))
        let content = binaryContent()
        try writeFile(file, content)
        let fdrecv = try await goPeer("fdrecv")

        let receiver = try Subprocess(fdrecv, [socket])
        #expect(try await receiver.readLine(from: .stderr) == "listening on \(socket)")
        let sender = try await Subprocess.run(try example("fd-sender"), [socket, file])
        #expect(sender.status == .exited(0), "\(sender)")
        let received = try await receiver.wait()

        #expect(received.status == .exited(0), "\(received.stderrText)")
        #expect(received.stdout == content, "received \(received.stdout.count) of \(content.count) bytes")
    }

    @Test("fd-sender to fd-receiver", .requiresExample("fd-sender"), .requiresExample("fd-receiver"))
    func swiftSenderToSwiftReceiver() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (socket, file) = (dir.path("fd.sock"), dir.path("data.bin"))
        let content = binaryContent(count: 3)
        try writeFile(file, content)

        let receiver = try Subprocess(try example("fd-receiver"), [socket])
        #expect(try await receiver.readLine(from: .stderr) == "listening on \(socket)")
        let sender = try await Subprocess.run(try example("fd-sender"), [socket, file])
        #expect(sender.status == .exited(0), "\(sender)")
        let received = try await receiver.wait()

        #expect(received.status == .exited(0), "\(received.stderrText)")
        #expect(received.stdout == content)
    }

    @Test("fd-sender to a path nobody listens on: exit 1, Go-style message",
          .requiresExample("fd-sender"))
    func senderWithoutListener() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (socket, file) = (dir.path("nobody.sock"), dir.path("data.bin"))
        try writeFile(file, [1, 2, 3])

        let sender = try await Subprocess.run(try example("fd-sender"), [socket, file])

        #expect(sender.status == .exited(1))
        #expect(sender.stderrText == "fd-sender: connect \(socket): no such file or directory\n")
        #expect(sender.stdout.isEmpty)
    }

    @Test("fd-receiver never deletes a regular file in the socket's place",
          .requiresExample("fd-receiver"))
    func receiverRefusesRegularFile() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let socket = dir.path("precious.txt")
        try writeFile(socket, Array("do not delete me\n".utf8))

        let receiver = try await Subprocess.run(try example("fd-receiver"), [socket])

        #expect(receiver.status == .exited(1))
        #expect(receiver.stderrText == "fd-receiver: \(socket) exists and is not a socket; not removing it\n")
        #expect(try readFile(socket) == Array("do not delete me\n".utf8), "the file must be untouched")
    }

    @Test("fd-receiver removes a stale socket (bound, closed, never unlinked) and proceeds",
          .requiresExample("fd-sender"), .requiresExample("fd-receiver"))
    func receiverRemovesStaleSocket() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (socket, file) = (dir.path("stale.sock"), dir.path("data.bin"))
        let content = binaryContent(count: 1000)
        try writeFile(file, content)
        // What a crashed server leaves behind: the socket file of a socket that is gone.
        let old = try Syscall.socket(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        try Syscall.bind(old, SockaddrUnix(name: socket))
        try Syscall.close(old)
        #expect(try Syscall.lstat(socket).isSocket)

        let receiver = try Subprocess(try example("fd-receiver"), [socket])
        #expect(try await receiver.readLine(from: .stderr) == "fd-receiver: removed stale socket \(socket)")
        #expect(try await receiver.readLine(from: .stderr) == "listening on \(socket)")
        let sender = try await Subprocess.run(try example("fd-sender"), [socket, file])
        #expect(sender.status == .exited(0), "\(sender)")
        let received = try await receiver.wait()

        #expect(received.status == .exited(0), "\(received.stderrText)")
        #expect(received.stdout == content)
    }

    @Test("fd-receiver leaves a socket somebody listens on alone: address already in use",
          .requiresExample("fd-receiver"))
    func receiverRefusesLiveSocket() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let socket = dir.path("live.sock")
        let listener = try Syscall.socket(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(listener) }
        try Syscall.bind(listener, SockaddrUnix(name: socket))
        try Syscall.listen(listener, 8)
        let before = try Syscall.lstat(socket)

        let receiver = try await Subprocess.run(try example("fd-receiver"), [socket])

        #expect(receiver.status == .exited(1))
        #expect(receiver.stderrText == "fd-receiver: listen \(socket): address already in use\n")
        let after = try Syscall.lstat(socket)
        #expect(after.ino == before.ino && after.dev == before.dev, "the live socket's file must stay")
    }

    @Test("fd-receiver: a message without a descriptor is an error, exit 1",
          .requiresExample("fd-receiver"))
    func receiverWithoutDescriptor() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let socket = dir.path("fd.sock")
        let receiver = try Subprocess(try example("fd-receiver"), [socket])
        #expect(try await receiver.readLine(from: .stderr) == "listening on \(socket)")

        let conn = try Syscall.socket(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(conn) }
        try Syscall.connect(conn, SockaddrUnix(name: socket))
        _ = try Syscall.send(conn, [0], Syscall.MSG_NOSIGNAL)
        let result = try await receiver.wait()

        #expect(result.status == .exited(1))
        #expect(result.stderrText.hasSuffix("fd-receiver: no file descriptor received\n"), "\(result.stderrText)")
        #expect(result.stdout.isEmpty)
        #expect(throws: Errno.ENOENT, "fd-receiver left its socket file") { try Syscall.lstat(socket) }
    }

    @Test("fd-receiver uses the first of several descriptors and closes the rest",
          .requiresExample("fd-receiver"))
    func receiverClosesExtraDescriptors() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (socket, first, second) = (dir.path("fd.sock"), dir.path("first"), dir.path("second"))
        try writeFile(first, Array("first file".utf8))
        try writeFile(second, Array("second file".utf8))
        let receiver = try Subprocess(try example("fd-receiver"), [socket])
        #expect(try await receiver.readLine(from: .stderr) == "listening on \(socket)")

        let a = try Syscall.open(first, Syscall.O_RDONLY | Syscall.O_CLOEXEC, 0)
        defer { try? Syscall.close(a) }
        let b = try Syscall.open(second, Syscall.O_RDONLY | Syscall.O_CLOEXEC, 0)
        defer { try? Syscall.close(b) }
        let conn = try Syscall.socket(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(conn) }
        try Syscall.connect(conn, SockaddrUnix(name: socket))
        _ = try Syscall.sendmsgN(conn, [0], Syscall.unixRights(a, b, b), nil, Syscall.MSG_NOSIGNAL)
        let result = try await receiver.wait()

        #expect(result.status == .exited(0), "\(result.stderrText)")
        #expect(result.stdoutText == "first file")
        #expect(result.stderrText.contains("received 3 descriptors; closing all but the first"))
    }
}
