// The message-server and message-sender examples (the tutorial's unix socket messages, over
// Net) against Go's versions of both (the netmsg peer), in both directions, on a socket path
// and on an abstract name. The protocol: the sender writes the message and half-closes; the
// server prints "message: MESSAGE" and answers "received N bytes\n".
import Glibc
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct NetMessageInteropTests {
    /// Messages that check the bytes, not just the words: UTF-8, an empty message, a newline
    /// inside, and one of 40 KB, more than one 32 KiB read takes. (Not much more: the servers
    /// print every message to a pipe this test reads only at the end, and a pipe holds 64 KiB.)
    static let messages = ["hello", "héllo, wörld ✓", "", "two\nlines", String(repeating: "0123456789", count: 4_000)]

    /// The listening address: a path in `dir`, or an abstract name.
    static func address(_ kind: String, in dir: TemporaryDirectory) -> String {
        kind == "abstract" ? abstractName("msg") : dir.path("msg.sock")
    }

    @Test("Go's sender to message-server: the server prints each message, Go prints the acknowledgement",
          .requiresGo, .requiresExample("message-server"),
          arguments: ["path", "abstract"])
    func goSenderToMessageServer(kind: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let netmsg = try await goPeer("netmsg")
        let address = Self.address(kind, in: dir)
        let server = try await AnnouncedServer.start(try example("message-server"), [address])
        #expect(server.address == address)

        for message in Self.messages {
            let sender = try await Subprocess.run(netmsg, ["send", address, message])
            #expect(sender.status == .exited(0), "\(sender.stderrText)")
            #expect(sender.stdoutText == "received \(message.utf8.count) bytes\n")
            #expect(sender.stderr.isEmpty, "\(sender.stderrText)")
        }

        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stdoutText == "listening on \(address)\n" + Self.messages.map { "message: \($0)\n" }.joined())
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        try expectReleased("unix", address)
    }

    @Test("message-sender to Go's server: Go prints each message, the sender prints Go's acknowledgement",
          .requiresGo, .requiresExample("message-sender"),
          arguments: ["path", "abstract"])
    func messageSenderToGoServer(kind: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let address = Self.address(kind, in: dir)
        let server = try await AnnouncedServer.start(try await goPeer("netmsg"), ["server", address])
        #expect(server.address == address)

        for message in Self.messages {
            let sender = try await Subprocess.run(try example("message-sender"), [address, message])
            #expect(sender.status == .exited(0), "\(sender.stderrText)")
            #expect(sender.stdoutText == "received \(message.utf8.count) bytes\n")
            #expect(sender.stderr.isEmpty, "\(sender.stderrText)")
        }

        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stdoutText == "listening on \(address)\n" + Self.messages.map { "message: \($0)\n" }.joined())
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        try expectReleased("unix", address)
    }

    @Test("message-sender and Go's sender to a path nobody listens on fail alike",
          .requiresGo, .requiresExample("message-sender"))
    func sendersWithoutServer() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let address = dir.path("nobody.sock")

        let ours = try await Subprocess.run(try example("message-sender"), [address, "hello"])
        let go = try await Subprocess.run(try await goPeer("netmsg"), ["send", address, "hello"])

        #expect(ours.status == .exited(1))
        #expect(go.status == .exited(1))
        // Go: "dial unix PATH: connect: no such file or directory".
        #expect(go.stderrText == "netmsg: dial unix \(address): connect: no such file or directory\n")
        #expect(ours.stderrText == "message-sender: dial unix \(address): connect: no such file or directory\n")
        #expect(ours.stdout.isEmpty && go.stdout.isEmpty)
    }
}
