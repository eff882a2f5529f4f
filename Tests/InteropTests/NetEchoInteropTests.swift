// The echo-server and echo-client examples (written against Net) against Go's net package, on
// the stream networks: tcp, tcp6, unix (path and @abstract) and unixpacket. Go's side is the
// netecho peer (Peers/netecho/main.go). The datagram networks are in NetDatagramInteropTests.
import Glibc
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct NetEchoInteropTests {
    /// What each Go client sends: short messages and a megabyte, which crosses the socket
    /// buffers in many pieces (on unixpacket: as 32 packets of 32 KiB, each echoed as itself).
    static func streamMessages(_ client: Int, network: String) -> [String] {
        var messages = ["hello \(client)", "second message", "@big:1048576"]
        // Packets written back to back must come back one by one, none merged.
        if network == "unixpacket" { messages.append("@burst:6") }
        return messages
    }

    /// Our echo-server on `network` at `address`, three Go clients at once, then SIGINT.
    func serveGoClients(_ network: String, _ address: String) async throws {
        let netecho = try await goPeer("netecho")
        let server = try await startEchoServer(network, address)
        if !address.hasSuffix(":0") {
            #expect(server.address == address)
        }

        // Three clients at once: one task per connection serves them side by side.
        let clients = try (0..<3).map { i in
            try Subprocess(netecho, ["client", network, server.address] + Self.streamMessages(i, network: network))
        }
        for (i, client) in clients.enumerated() {
            let result = try await client.wait(timeout: .seconds(60))
            #expect(result.status == .exited(0), "client \(i): \(result)")
            #expect(result.stdoutText == netechoOutput(Self.streamMessages(i, network: network)), "client \(i): \(result)")
        }

        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stdoutText == "listening on \(server.address)\n")
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        try expectReleased(network, server.address)
    }

    @Test("Go clients through echo-server: exact echoes (1 MiB too); SIGINT exits 0 and frees the address",
          .requiresGo, .requiresExample("echo-server"),
          arguments: ["tcp", "unix", "unixpacket"])
    func goClientsThroughEchoServer(network: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await serveGoClients(network, listenAddress(network, in: dir))
    }

    @Test("Go clients through echo-server on tcp6 [::1]",
          .requiresGo, .requiresExample("echo-server"), .requiresIPv6Loopback)
    func goClientsThroughEchoServerIPv6() async throws {
        try await serveGoClients("tcp6", "[::1]:0")
    }

    @Test("Go clients through echo-server on an abstract name: echoes, then the name is unbound",
          .requiresGo, .requiresExample("echo-server"),
          arguments: ["unix", "unixpacket"])
    func goClientsThroughAbstractEchoServer(network: String) async throws {
        let name = abstractName("echo-\(network)")
        try await serveGoClients(network, name)
    }

    /// Go's echo server on `network`, our echo-client with `input` on stdin.
    func echoClientAgainstGo(_ network: String, _ address: String, input: [UInt8]) async throws {
        let server = try await startGoEchoServer(network, address)

        let client = try await Subprocess.run(
            try example("echo-client"), [network, server.address], stdin: input, timeout: .seconds(30))

        #expect(client.status == .exited(0), "\(client.stderrText)")
        #expect(client.stdout == input, "got \(client.stdout.count) of \(input.count) bytes")
        #expect(client.stderr.isEmpty, "\(client.stderrText)")
        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
    }

    @Test("echo-client against Go's echo server: 300 KB of binary stdin comes back exactly",
          .requiresGo, .requiresExample("echo-client"),
          arguments: ["tcp", "unix", "unixpacket"])
    func echoClientAgainstGoServer(network: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await echoClientAgainstGo(network, listenAddress(network, in: dir), input: binaryContent(count: 300_000))
    }

    @Test("echo-client against Go's echo server on tcp6 [::1]",
          .requiresGo, .requiresExample("echo-client"), .requiresIPv6Loopback)
    func echoClientAgainstGoServerIPv6() async throws {
        try await echoClientAgainstGo("tcp6", "[::1]:0", input: binaryContent(count: 300_000))
    }

    @Test("echo-client against Go's echo server on an abstract unix name",
          .requiresGo, .requiresExample("echo-client"))
    func echoClientAgainstGoAbstractServer() async throws {
        try await echoClientAgainstGo("unix", abstractName("goecho"), input: binaryContent(count: 300_000))
    }
}
