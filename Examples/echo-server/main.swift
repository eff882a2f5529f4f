// echo-server NETWORK ADDRESS: Go's echo server over Net. One task per connection (Go's
// goroutine per connection), each on the poller that owns its socket. For datagram networks
// (udp, unixgram) each datagram goes back to its sender. On SIGINT or SIGTERM it closes its
// listener (which removes a unix socket file) and exits 0.
//
//   swift run echo-server unix /tmp/echo.sock     then: nc -U /tmp/echo.sock
//   swift run echo-server tcp 127.0.0.1:8080      then: nc 127.0.0.1 8080
//   swift run echo-server udp 127.0.0.1:9000      then: nc -u 127.0.0.1 9000
import ArgumentParser
import Glibc
import Net
import UnixSignals

@main
struct EchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Echo every byte back, on any network Go's net.Listen takes.")

    @Argument(help: "tcp, tcp4, tcp6, unix, unixpacket, udp, udp4, udp6 or unixgram")
    var network: String

    @Argument(help: "host:port, a socket path, or @abstract")
    var address: String

    func run() async throws {
        do {
            switch network {
            case "udp", "udp4", "udp6", "unixgram":
                try await echoPackets()
            default:
                try await echoStreams()
            }
        } catch {
            printError(error)
            throw ExitCode.failure
        }
    }

    private func echoStreams() async throws {
        let ln = try await Net.listen(network, address)
        announce("listening on \(ln.addr)")
        await closeOnSignal { try? ln.close() }
        try await ln.serve { conn in
            // Read what is there, write it back, until the client closes its side.
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            let socket = conn as! SocketConn
            while case let n = try await socket.read(&buffer), n > 0 {
                try await conn.write(Array(buffer[..<n]))
            }
        }
    }

    private func echoPackets() async throws {
        let pc = try await Net.listenPacket(network, address)
        announce("listening on \(pc.localAddr.map { "\($0)" } ?? address)")
        await closeOnSignal {
            // A unixgram socket file outlives its socket (Go never removes it); this server made
            // it, so it removes it. First: closing ends the read loop below, and the process
            // may exit as main returns, before anything after the close has run.
            if network == "unixgram" && !address.hasPrefix("@") { unlink(address) }
            try? pc.close()
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let (n, from): (Int, (any Addr)?)
            do {
                (n, from) = try await pc.readFrom(&buffer)
            } catch let e as OpError where e.isClosed {
                return
            }
            // An unnamed unixgram sender has no address to answer to. A sender that is gone
            // (its unixgram socket file removed, say) is that sender's problem: report it and
            // serve the others.
            guard let from else { continue }
            do {
                try await pc.writeTo(Array(buffer[..<n]), from)
            } catch let e as OpError where e.isClosed {
                return
            } catch {
                printError(error)
            }
        }
    }
}

/// Prints a line to stdout at once, so a script waiting for it sees it.
func announce(_ line: String) {
    writeLine(1, line)
}

func printError(_ error: any Error) {
    writeLine(2, "echo-server: \(error)")
}

/// On SIGINT or SIGTERM: run `shutdown`, then exit 0. Connections still open are dropped with
/// the process, as when a Go server returns from main.
func closeOnSignal(_ shutdown: @escaping @Sendable () -> Void) async {
    let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
    Task {
        for await _ in signals {
            shutdown()
            Glibc.exit(0)
        }
    }
}

/// Writes a line straight to fd 1 or 2, unbuffered, so whoever waits for it sees it at once.
func writeLine(_ fd: Int32, _ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
