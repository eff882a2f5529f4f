// The echo-server and echo-client examples against Go's net package on the datagram networks:
// udp, udp6 and unixgram (path and @abstract). Each datagram must come back intact, as one
// datagram: boundaries kept, empty datagrams included. And a datagram echo server must outlive
// clients that vanish.
import Glibc
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct NetDatagramInteropTests {
    /// What each Go client sends: short datagrams, an empty one, one of 60,000 bytes (near
    /// UDP's limit of 65,507), and a burst of 8 of different lengths sent before any is read.
    static func datagramMessages(_ client: Int) -> [String] {
        ["hello \(client)", "second message", "", "@big:60000", "@burst:8"]
    }

    /// Our echo-server on `network` at `address`; Go clients one after the other (several at
    /// once could overflow a UDP receive buffer with their 60 KB datagrams: that would be a
    /// lost datagram, not a bug); then SIGINT.
    func serveGoClients(_ network: String, _ address: String, clientAddress: (Int) -> String?) async throws {
        let netecho = try await goPeer("netecho")
        let server = try await startEchoServer(network, address)
        if !address.hasSuffix(":0") {
            #expect(server.address == address)
        }

        for i in 0..<2 {
            // A unixgram client must name itself, or the echo has nowhere to go.
            let local = clientAddress(i).map { ["-local", $0] } ?? []
            let client = try await Subprocess.run(
                netecho, ["client"] + local + [network, server.address] + Self.datagramMessages(i),
                timeout: .seconds(30))
            #expect(client.status == .exited(0), "client \(i): \(client)")
            #expect(client.stdoutText == netechoOutput(Self.datagramMessages(i)), "client \(i): \(client)")
        }

        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stdoutText == "listening on \(server.address)\n")
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        // For unixgram this is the server's own doing: Go never removes a unixgram socket file.
        try expectReleased(network, server.address)
    }

    @Test("Go clients through echo-server on udp: each datagram echoed intact, boundaries kept",
          .requiresGo, .requiresExample("echo-server"))
    func goClientsThroughUDPEchoServer() async throws {
        try await serveGoClients("udp", "127.0.0.1:0") { _ in nil }
    }

    @Test("Go clients through echo-server on udp6 [::1]",
          .requiresGo, .requiresExample("echo-server"), .requiresIPv6Loopback)
    func goClientsThroughUDP6EchoServer() async throws {
        try await serveGoClients("udp6", "[::1]:0") { _ in nil }
    }

    @Test("Go clients (bound with DialUnix) through echo-server on unixgram; SIGINT removes its socket file",
          .requiresGo, .requiresExample("echo-server"))
    func goClientsThroughUnixgramEchoServer() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await serveGoClients("unixgram", dir.path("gram.sock")) { dir.path("client\($0).sock") }
    }

    @Test("Go clients through echo-server on an abstract unixgram name, answering to abstract names",
          .requiresGo, .requiresExample("echo-server"))
    func goClientsThroughAbstractUnixgramEchoServer() async throws {
        try await serveGoClients("unixgram", abstractName("gram")) { abstractName("gram-client\($0)") }
    }

    /// Lines for echo-client: each is one datagram. An empty line, a long line and a last line
    /// without a newline.
    static let lines = Array("one\ntwo\n\n\(String(repeating: "0123456789", count: 500))\nlast line, no newline".utf8)

    func echoClientAgainstGo(_ network: String, _ address: String) async throws {
        let server = try await startGoEchoServer(network, address)

        let client = try await Subprocess.run(
            try example("echo-client"), [network, server.address], stdin: Self.lines, timeout: .seconds(30))

        #expect(client.status == .exited(0), "\(client.stderrText)")
        #expect(client.stdoutText == String(decoding: Self.lines, as: UTF8.self))
        #expect(client.stderr.isEmpty, "\(client.stderrText)")
        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        try expectReleased(network, server.address)
    }

    @Test("echo-client against Go's echo server: every stdin line comes back as its datagram",
          .requiresGo, .requiresExample("echo-client"),
          arguments: ["udp", "unixgram"])
    func echoClientAgainstGoServer(network: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await echoClientAgainstGo(network, listenAddress(network, in: dir))
    }

    @Test("echo-client against Go's echo server on udp6 [::1]",
          .requiresGo, .requiresExample("echo-client"), .requiresIPv6Loopback)
    func echoClientAgainstGoServerUDP6() async throws {
        try await echoClientAgainstGo("udp6", "[::1]:0")
    }

    @Test("echo-client against Go's echo server on an abstract unixgram name",
          .requiresGo, .requiresExample("echo-client"))
    func echoClientAgainstGoAbstractServer() async throws {
        try await echoClientAgainstGo("unixgram", abstractName("gogram"))
    }

    @Test("echo-server on unixgram ignores a datagram from an unnamed socket and keeps serving",
          .requiresGo, .requiresExample("echo-server"))
    func unixgramUnnamedSender() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try await startEchoServer("unixgram", dir.path("gram.sock"))

        // Never bound: the server has no address to answer to.
        let unnamed = try Syscall.socket(Syscall.AF_UNIX, Syscall.SOCK_DGRAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(unnamed) }
        #expect(try Syscall.sendto(unnamed, Array("nobody to answer".utf8), 0, SockaddrUnix(name: server.address)) == 16)

        let client = try await Subprocess.run(
            try await goPeer("netecho"), ["client", "-local", dir.path("c.sock"), "unixgram", server.address, "still here"])
        #expect(client.status == .exited(0), "\(client)")
        #expect(client.stdoutText == "still here\n")

        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        expectNoFile(server.address)
    }

    @Test("echo-server on unixgram outlives a client whose address is gone before the echo",
          .requiresGo, .requiresExample("echo-server"))
    func unixgramVanishedSender() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try await startEchoServer("unixgram", dir.path("gram.sock"))

        // A client that named itself and removed its socket file: the echo's sendto fails with
        // ENOENT. (`nc -U -u -q 1` exits before its echo comes, keeping the file: ECONNREFUSED,
        // which killed the server the same way.) One client going away must not stop it.
        let gone = dir.path("gone.sock")
        let vanished = try unixgramSenderWithVanishedName(gone)
        defer { try? Syscall.close(vanished) }
        #expect(try Syscall.sendto(vanished, Array("echo me".utf8), 0, SockaddrUnix(name: server.address)) == 7)

        // A dead server would leave the client waiting for its echo: give it 10 s, then report
        // what the server said.
        var answered = "no answer"
        do {
            let client = try await Subprocess.run(
                try await goPeer("netecho"), ["client", "-local", dir.path("c.sock"), "unixgram", server.address, "still here"],
                timeout: .seconds(10))
            answered = client.stdoutText
            #expect(client.status == .exited(0), "\(client)")
        } catch {
            Issue.record("the server stopped serving: \(error)")
        }
        #expect(answered == "still here\n")

        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stdoutText == "listening on \(server.address)\n")
        // The failed echo may be reported, once, in Go's words; nothing else.
        let report = "echo-server: write unixgram \(server.address)->\(gone): sendto: no such file or directory\n"
        #expect(stopped.stderr.isEmpty || stopped.stderrText == report, "\(stopped.stderrText)")
        expectNoFile(server.address)
    }

    @Test("echo-server on unixgram removes its socket file on SIGINT, every time (40 runs, each after socat's datagrams)",
          .requiresSocat, .requiresExample("echo-server"))
    func unixgramRemovesSocketFileEveryTime() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("gram.sock")
        let socat = try #require(Peers.which("socat"))

        // The shutdown must remove the file before it closes the socket: closing ends the read
        // loop, main returns, and the process may exit before a later unlink runs. A race that
        // one run rarely shows; forty runs, each right after a socat client, show it (socat
        // is what made it show, for reasons of timing only).
        for run in 0..<40 {
            let server = try await startEchoServer("unixgram", path)
            let client = try Subprocess(socat, ["-t", "0.05", "-", "UNIX-SENDTO:\(path),bind=\(dir.path("socat.sock"))"])
            try await client.write(Array("ping \(run)\n".utf8))
            #expect(try await client.readLine() == "ping \(run)")
            _ = try await client.wait()

            let stopped = try await server.stop(SIGINT)
            #expect(stopped.status == .exited(0), "run \(run): \(stopped)")
            if (try? Syscall.lstat(path)) != nil {
                Issue.record("run \(run): echo-server exited (\(stopped.status)) and left its socket file \(path)")
                return
            }
        }
    }
}
