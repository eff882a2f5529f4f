// The echo-server and echo-client examples (over Net) against tools nobody here wrote:
// netcat-openbsd (nc -U, -N, -u, -l), socat (abstract names, unix datagrams, SOCK_SEQPACKET)
// and python3's socket module (SOCK_SEQPACKET and TCP).
import Glibc
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct NetToolInteropTests {
    // MARK: nc

    @Test("nc -N -U SOCKET through echo-server on unix: 100 KB of binary back exactly",
          .requiresNc, .requiresExample("echo-server"))
    func ncUnix() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try await startEchoServer("unix", dir.path("echo.sock"))
        let input = Array("hello\nworld\n".utf8) + binaryContent(count: 100_000)

        // -N: shut the socket down for writing at end of input, so the server sees end of
        // stream, finishes echoing and closes; nc exits once it has read everything back.
        let nc = try await Subprocess.run(try #require(Peers.which("nc")), ["-N", "-U", server.address], stdin: input)

        #expect(nc.status == .exited(0), "\(nc.stderrText)")
        #expect(nc.stdout == input, "got \(nc.stdout.count) of \(input.count) bytes")
        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        expectNoFile(server.address)
    }

    @Test("nc -N 127.0.0.1 PORT through echo-server on tcp: 100 KB of binary back exactly",
          .requiresNc, .requiresExample("echo-server"))
    func ncTCP() async throws {
        let server = try await startEchoServer("tcp", "127.0.0.1:0")
        let input = Array("hello\nworld\n".utf8) + binaryContent(count: 100_000)

        let nc = try await Subprocess.run(
            try #require(Peers.which("nc")), ["-N", "127.0.0.1", "\(try server.port)"], stdin: input)

        #expect(nc.status == .exited(0), "\(nc.stderrText)")
        #expect(nc.stdout == input, "got \(nc.stdout.count) of \(input.count) bytes")
        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        try expectReleased("tcp", server.address)
    }

    /// Sends each line to an interactive datagram client and expects it back before the next,
    /// so that every line is one datagram; then ends the client (nc -u never exits by itself).
    func roundTripLines(_ client: Subprocess, _ lines: [String]) async throws {
        for line in lines {
            try await client.write(Array((line + "\n").utf8))
            #expect(try await client.readLine() == line)
        }
        client.signal(SIGTERM)
        _ = try await client.wait()
    }

    @Test("nc -u 127.0.0.1 PORT through echo-server on udp: each line echoed",
          .requiresNc, .requiresExample("echo-server"))
    func ncUDP() async throws {
        let server = try await startEchoServer("udp", "127.0.0.1:0")

        let nc = try Subprocess(try #require(Peers.which("nc")), ["-u", "127.0.0.1", "\(try server.port)"])
        try await roundTripLines(nc, ["hello", "world", "third datagram"])

        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        try expectReleased("udp", server.address)
    }

    @Test("nc -U -u -s CLIENT SOCKET through echo-server on unixgram: each line echoed to nc's address",
          .requiresNc, .requiresExample("echo-server"))
    func ncUnixgram() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try await startEchoServer("unixgram", dir.path("gram.sock"))

        // -s names nc's own socket (else it makes one under /tmp/nc-XXXXXX and leaves it).
        let nc = try Subprocess(
            try #require(Peers.which("nc")), ["-U", "-u", "-s", dir.path("nc.sock"), server.address])
        try await roundTripLines(nc, ["hello", "world", "third datagram"])

        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        expectNoFile(server.address)
    }

    @Test("echo-client against nc -l: bytes cross both ways on one TCP connection, both exit 0",
          .requiresNc, .requiresExample("echo-client"))
    func echoClientAgainstNcListener() async throws {
        let nc = try Subprocess(try #require(Peers.which("nc")), ["-n", "-v", "-N", "-l", "127.0.0.1", "0"])
        let listening = try await nc.readLine(from: .stderr)
        let prefix = "Listening on 127.0.0.1 "
        try #require(listening.hasPrefix(prefix), "nc said: \(listening)")
        let port = try #require(Int(listening.dropFirst(prefix.count)), "nc said: \(listening)")

        let client = try Subprocess(try example("echo-client"), ["tcp", "127.0.0.1:\(port)"])
        let accepted = try await nc.readLine(from: .stderr)
        #expect(accepted.hasPrefix("Connection received on 127.0.0.1 "), "nc said: \(accepted)")

        // nc -l is no echo server: what one side writes, the other prints.
        try await nc.write(Array("reply from nc\n".utf8))
        #expect(try await client.readLine() == "reply from nc")
        try await client.write(Array("hello from swift\n".utf8))
        #expect(try await nc.readLine() == "hello from swift")

        // End of echo-client's input: it half-closes, nc sees end of stream and closes, and
        // echo-client, reading end of stream in turn, exits.
        client.closeStdin()
        let ncDone = try await nc.wait()
        let clientDone = try await client.wait()
        #expect(ncDone.status == .exited(0), "\(ncDone)")
        #expect(clientDone.status == .exited(0), "\(clientDone)")
        #expect(clientDone.stdoutText == "reply from nc\n")
        #expect(clientDone.stderr.isEmpty, "\(clientDone.stderrText)")
    }

    // MARK: socat

    /// Starts socat with `-d -d` and waits for its "listening on" or "receiving on" notice.
    func startSocatServer(_ arguments: [String]) async throws -> Subprocess {
        let socat = try Subprocess(try #require(Peers.which("socat")), ["-d", "-d"] + arguments)
        while true {
            let line = try await socat.readLine(from: .stderr)
            if line.contains(" listening on ") || line.contains(" receiving on ") { return socat }
        }
    }

    @Test("socat - ABSTRACT-CONNECT:NAME through echo-server on @NAME; SIGINT unbinds the name",
          .requiresSocat, .requiresExample("echo-server"))
    func socatAbstractConnect() async throws {
        let name = abstractName("socat")
        let server = try await startEchoServer("unix", name)
        #expect(server.address == name)
        #expect(try abstractNameBound(name))
        let input = binaryContent()

        // -t 5: after its input ends socat waits up to 5 s for the echo's end of stream.
        let socat = try await Subprocess.run(
            try #require(Peers.which("socat")), ["-t", "5", "-", "ABSTRACT-CONNECT:\(name.dropFirst())"], stdin: input)

        #expect(socat.status == .exited(0), "\(socat.stderrText)")
        #expect(socat.stdout == input, "got \(socat.stdout.count) of \(input.count) bytes")
        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        try expectReleased("unix", name)
    }

    @Test("echo-client on @NAME against socat ABSTRACT-LISTEN:NAME,fork EXEC:cat",
          .requiresSocat, .requiresExample("echo-client"))
    func echoClientAgainstSocatAbstractListen() async throws {
        let name = abstractName("socat-listen")
        let socat = try await startSocatServer(["ABSTRACT-LISTEN:\(name.dropFirst()),fork", "EXEC:cat"])
        let input = binaryContent()

        let client = try await Subprocess.run(try example("echo-client"), ["unix", name], stdin: input)

        #expect(client.status == .exited(0), "\(client.stderrText)")
        #expect(client.stdout == input, "got \(client.stdout.count) of \(input.count) bytes")
        socat.signal(SIGTERM)
        _ = try await socat.wait()
    }

    @Test("socat UNIX-SENDTO:SOCKET,bind=CLIENT through echo-server on unixgram: each line echoed",
          .requiresSocat, .requiresExample("echo-server"))
    func socatUnixSendto() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try await startEchoServer("unixgram", dir.path("gram.sock"))

        let socat = try Subprocess(
            try #require(Peers.which("socat")),
            ["-t", "0.1", "-", "UNIX-SENDTO:\(server.address),bind=\(dir.path("socat.sock"))"])
        for line in ["hello", "world", "third datagram"] {
            try await socat.write(Array((line + "\n").utf8))
            #expect(try await socat.readLine() == line)
        }
        let socatDone = try await socat.wait()  // end of input: socat exits
        #expect(socatDone.status == .exited(0), "\(socatDone)")

        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        expectNoFile(server.address)
    }

    @Test("echo-client on unixgram against socat UNIX-RECVFROM:SOCKET,fork EXEC:cat",
          .requiresSocat, .requiresExample("echo-client"))
    func echoClientAgainstSocatRecvfrom() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("socat-gram.sock")
        let socat = try await startSocatServer(["UNIX-RECVFROM:\(path),fork", "EXEC:cat"])
        let input = Array("one\ntwo\n\nthree\nlast line, no newline".utf8)

        let client = try await Subprocess.run(try example("echo-client"), ["unixgram", path], stdin: input)

        #expect(client.status == .exited(0), "\(client.stderrText)")
        #expect(client.stdoutText == String(decoding: input, as: UTF8.self))
        socat.signal(SIGTERM)
        _ = try await socat.wait()
    }

    @Test("socat - UNIX-CONNECT:SOCKET,type=5 (SOCK_SEQPACKET) through echo-server on unixpacket",
          .requiresSocat, .requiresSocatSeqpacket, .requiresExample("echo-server"))
    func socatSeqpacketConnect() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try await startEchoServer("unixpacket", dir.path("packet.sock"))
        let input = binaryContent()

        let socat = try await Subprocess.run(
            try #require(Peers.which("socat")), ["-t", "5", "-", "UNIX-CONNECT:\(server.address),type=5"], stdin: input)

        #expect(socat.status == .exited(0), "\(socat.stderrText)")
        #expect(socat.stdout == input, "got \(socat.stdout.count) of \(input.count) bytes")
        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        expectNoFile(server.address)
    }

    @Test("echo-client on unixpacket against socat UNIX-LISTEN:SOCKET,type=5,fork EXEC:cat",
          .requiresSocat, .requiresSocatSeqpacket, .requiresExample("echo-client"))
    func echoClientAgainstSocatSeqpacketListen() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("socat-packet.sock")
        // -b 32768: socat's packets back are no larger than echo-client reads (32 KiB); a larger
        // one would lose its tail, as a seqpacket read into a smaller buffer does.
        let socat = try await startSocatServer(["-b", "32768", "UNIX-LISTEN:\(path),type=5,fork", "EXEC:cat"])
        let input = binaryContent()

        let client = try await Subprocess.run(try example("echo-client"), ["unixpacket", path], stdin: input)

        #expect(client.status == .exited(0), "\(client.stderrText)")
        #expect(client.stdout == input, "got \(client.stdout.count) of \(input.count) bytes")
        socat.signal(SIGTERM)
        _ = try await socat.wait()
    }

    // MARK: python3

    /// A python3 client for echo-server. `seqpacket PATH`: sends packets of several sizes back
    /// to back (up to 32 KiB, what echo-server reads at once), reads each echo as one packet;
    /// then half-closes and expects end of stream. `stream HOST:PORT` (TCP) and `stream PATH`
    /// (unix): sends 300 KB from a thread while reading the echo, half-closes, reads to the end.
    static let pythonClient = #"""
        import socket, sys, threading
        kind, addr = sys.argv[1], sys.argv[2]
        if kind == "seqpacket":
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            s.connect(addr)
        elif addr.startswith("/"):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(addr)
        else:
            host, port = addr.rsplit(":", 1)
            s = socket.create_connection((host, int(port)))
        s.settimeout(20)
        if kind == "seqpacket":
            sizes = [1, 5, 1000, 32768, 7, 2]
            packets = [bytes((i * 31 + j) & 0xff for j in range(n)) for i, n in enumerate(sizes)]
            for p in packets:
                s.send(p)
            for i, p in enumerate(packets):
                got = s.recv(65536)
                print("packet", i, len(got), "ok" if got == p else "DIFFERS")
            s.shutdown(socket.SHUT_WR)
            print("eof", s.recv(65536) == b"")
        else:
            data = bytes((j * 7 + (j >> 11)) & 0xff for j in range(300000))
            def send():
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
            t = threading.Thread(target=send)
            t.start()
            got = bytearray()
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            t.join()
            print("stream", len(got), "ok" if got == data else "DIFFERS")
        s.close()
        """#

    @Test("python3 SOCK_SEQPACKET client through echo-server on unixpacket: each packet echoed as itself",
          .requiresPython3, .requiresExample("echo-server"))
    func pythonSeqpacket() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try await startEchoServer("unixpacket", dir.path("packet.sock"))

        let python = try await Subprocess.run(
            try #require(Peers.which("python3")), ["-c", Self.pythonClient, "seqpacket", server.address])

        #expect(python.status == .exited(0), "\(python.stderrText)")
        #expect(python.stdoutText == """
            packet 0 1 ok
            packet 1 5 ok
            packet 2 1000 ok
            packet 3 32768 ok
            packet 4 7 ok
            packet 5 2 ok
            eof True

            """)
        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        #expect(stopped.stderr.isEmpty, "\(stopped.stderrText)")
        expectNoFile(server.address)
    }

    @Test("python3 stream client through echo-server: 300 KB echoed exactly, then end of stream",
          .requiresPython3, .requiresExample("echo-server"),
          arguments: ["tcp", "unix"])
    func pythonStream(network: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try await startEchoServer(network, listenAddress(network, in: dir))

        let python = try await Subprocess.run(
            try #require(Peers.which("python3")), ["-c", Self.pythonClient, "stream", server.address])

        #expect(python.status == .exited(0), "\(python.stderrText)")
        #expect(python.stdoutText == "stream 300000 ok\n")
        let stopped = try await server.stop(SIGINT)
        #expect(stopped.status == .exited(0), "\(stopped)")
        try expectReleased(network, server.address)
    }
}
