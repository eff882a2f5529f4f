// The raw-echo-server and raw-echo-client examples against Go's net package, netcat and each
// other, over real TCP connections; and the server's clean shutdown on SIGINT and SIGTERM.
import Glibc
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct EchoServerTests {
    @Test("Go clients round-trip through raw-echo-server; the signal stops it with status 0 and frees the port",
          .requiresGo, .requiresExample("raw-echo-server"),
          arguments: [SIGINT, SIGTERM])
    func goClientsThenSignal(signal: Int32) async throws {
        let echoclient = try await goPeer("echoclient")
        let server = try await EchoServer.start()
        #expect(server.host == "127.0.0.1")

        // Three clients at once: one thread per connection serves them side by side. The
        // megabyte message is larger than the socket buffers, so it crosses in many pieces.
        let clients = try (0..<3).map { i in
            try Subprocess(echoclient, [server.address, "hello \(i)", "second message", "@big:1048576"])
        }
        for (i, client) in clients.enumerated() {
            let result = try await client.wait(timeout: .seconds(30))
            #expect(result.status == .exited(0), "client \(i): \(result)")
            #expect(result.stdoutText == "hello \(i)\nsecond message\nbig 1048576 ok\n")
        }

        let stopped = try await server.stop(signal)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stdoutText == "listening on \(server.address)\n")
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        try expectPortFree(server.port)
    }

    @Test("raw-echo-server on ::1 prints [::1]:PORT and serves Go over IPv6",
          .requiresGo, .requiresExample("raw-echo-server"), .requiresIPv6Loopback)
    func ipv6() async throws {
        let echoclient = try await goPeer("echoclient")
        let server = try await EchoServer.start(["--host", "::1", "--port", "0"])
        #expect(server.host == "[::1]")

        let client = try await Subprocess.run(echoclient, [server.address, "over IPv6"])
        #expect(client.status == .exited(0), "\(client)")
        #expect(client.stdoutText == "over IPv6\n")

        #expect(try await server.stop(SIGINT).status == .exited(0))
    }

    @Test("printf 'hello\\nworld\\n' | nc -N 127.0.0.1 PORT prints the same back",
          .requiresNc, .requiresExample("raw-echo-server"))
    func netcat() async throws {
        let server = try await EchoServer.start()
        let nc = try #require(Peers.which("nc"))

        // -N: shut the socket down for writing at end of input, so the server sees EOF,
        // closes, and nc exits once it has read everything back.
        let result = try await Subprocess.run(
            nc, ["-N", "127.0.0.1", "\(server.port)"], stdin: Array("hello\nworld\n".utf8))

        #expect(result.status == .exited(0), "\(result)")
        #expect(result.stdoutText == "hello\nworld\n")
        #expect(try await server.stop().status == .exited(0))
    }

    @Test("raw-echo-client through raw-echo-server: stdin lines come back out unchanged",
          .requiresExample("raw-echo-server"), .requiresExample("raw-echo-client"))
    func rawClientToRawServer() async throws {
        let server = try await EchoServer.start()
        // An empty line, a long line, and a last line with no newline.
        let input = Array("one\ntwo\n\n\(String(repeating: "long line ", count: 20_000))\nthree".utf8)

        let result = try await Subprocess.run(
            try example("raw-echo-client"), ["--port", "\(server.port)"], stdin: input)

        #expect(result.status == .exited(0), "\(result.stderrText)")
        #expect(result.stdout == input)
        #expect(try await server.stop(SIGINT).status == .exited(0))
    }

    @Test("--host localhost listens on 127.0.0.1; raw-echo-client reaches it as localhost",
          .requiresExample("raw-echo-server"), .requiresExample("raw-echo-client"))
    func localhost() async throws {
        let server = try await EchoServer.start(["--host", "localhost", "--port", "0"])
        #expect(server.host == "127.0.0.1")

        let result = try await Subprocess.run(
            try example("raw-echo-client"), ["--host", "localhost", "--port", "\(server.port)"],
            stdin: Array("ping\n".utf8))

        #expect(result.status == .exited(0), "\(result.stderrText)")
        #expect(result.stdoutText == "ping\n")
        #expect(try await server.stop().status == .exited(0))
    }

    @Test("A restarted server rebinds its port at once although old connections linger (SO_REUSEADDR)",
          .requiresExample("raw-echo-server"), .requiresExample("raw-echo-client"))
    func restartRebindsAtOnce() async throws {
        let first = try await EchoServer.start()
        // Hold a connection open across the shutdown: the server's end closes first, so its
        // side of the connection (on the server's port) goes through TIME_WAIT.
        let conn = try Syscall.socket(Syscall.AF_INET, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(conn) }
        try Syscall.setsockoptTimeval(conn, Syscall.SOL_SOCKET, Syscall.SO_RCVTIMEO, Timeval(sec: 10, usec: 0))
        try Syscall.connect(conn, SockaddrInet4(port: first.port, addr: [127, 0, 0, 1]))
        _ = try Syscall.send(conn, Array("x".utf8), Syscall.MSG_NOSIGNAL)
        var echoed = [UInt8](repeating: 0, count: 1)
        #expect(try Syscall.read(conn, &echoed) == 1)

        #expect(try await first.stop(SIGINT).status == .exited(0))
        try Syscall.shutdown(conn, Syscall.SHUT_RDWR)

        let second = try await EchoServer.start(["--port", "\(first.port)"])
        #expect(second.port == first.port)
        let result = try await Subprocess.run(
            try example("raw-echo-client"), ["--port", "\(second.port)"], stdin: Array("again\n".utf8))
        #expect(result.stdoutText == "again\n", "\(result.stderrText)")
        #expect(try await second.stop().status == .exited(0))
    }

    @Test("raw-echo-server on a taken port: exit 1, Go-style message",
          .requiresExample("raw-echo-server"))
    func portInUse() async throws {
        let listener = try Syscall.socket(Syscall.AF_INET, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(listener) }
        try Syscall.bind(listener, SockaddrInet4(port: 0, addr: [127, 0, 0, 1]))
        try Syscall.listen(listener, 1)
        let port = try #require(try Syscall.getsockname(listener) as? SockaddrInet4).port

        let result = try await Subprocess.run(try example("raw-echo-server"), ["--port", "\(port)"])

        #expect(result.status == .exited(1))
        #expect(result.stderrText == "raw-echo-server: bind 127.0.0.1:\(port): address already in use\n")
        #expect(result.stdout.isEmpty)
    }

    @Test("raw-echo-client to a port nobody listens on: exit 1, connection refused",
          .requiresExample("raw-echo-client"))
    func connectionRefused() async throws {
        let (holder, port) = try refusingPort()
        defer { try? Syscall.close(holder) }

        let result = try await Subprocess.run(
            try example("raw-echo-client"), ["--port", "\(port)"], stdin: Array("hello\n".utf8))

        #expect(result.status == .exited(1))
        #expect(result.stderrText == "raw-echo-client: connect 127.0.0.1:\(port): connection refused\n")
    }
}
