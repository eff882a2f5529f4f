// echo-client NETWORK ADDRESS: sends standard input to an echo server and prints what comes
// back. On streams, reading and writing run at the same time, as two goroutines would in Go;
// at end of input it half-closes the connection and prints the rest of the echo. On datagram
// networks each line is one datagram, and each echo is awaited for up to two seconds.
//
//   echo hello | swift run echo-client unix /tmp/echo.sock
import ArgumentParser
import Glibc
import Net

@main
struct EchoClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send stdin to an echo server, print the echo.")

    @Argument(help: "tcp, tcp4, tcp6, unix, unixpacket, udp, udp4, udp6 or unixgram")
    var network: String

    @Argument(help: "host:port, a socket path, or @abstract")
    var address: String

    func run() async throws {
        do {
            switch network {
            case "udp", "udp4", "udp6", "unixgram":
                try await echoDatagrams()
            default:
                try await echoStream()
            }
        } catch {
            writeLine(2, "echo-client: \(error)")
            throw ExitCode.failure
        }
    }

    private func echoStream() async throws {
        let conn = try await Net.dial(network, address)
        defer { try? conn.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await chunk in standardInput() { try await conn.write(chunk) }
                // End of input: tell the server, which then finishes echoing and closes.
                if let tcp = conn as? TCPConn { try tcp.closeWrite() }
                if let unix = conn as? UnixConn { try unix.closeWrite() }
            }
            group.addTask {
                while case let chunk = try await conn.read(upTo: 64 * 1024), !chunk.isEmpty {
                    writeToStandardOutput(chunk)
                }
            }
            try await group.waitForAll()
        }
    }

    private func echoDatagrams() async throws {
        var dialer = Dialer()
        if network == "unixgram" {
            // A datagram reply needs an address to go to: bind an abstract name of our own.
            dialer.localAddr = UnixAddr(name: "@echo-client-\(getpid())", net: "unixgram")
        }
        let conn = try await dialer.dial(network, address)
        defer { try? conn.close() }
        for await line in standardInput(lines: true) {
            try await conn.write(line)
            try conn.setReadDeadline(.now + .seconds(2))
            writeToStandardOutput(try await conn.read(upTo: 65536))
        }
    }
}

/// Standard input as a stream of chunks (or of lines), read on a thread of its own: a blocking
/// read must never sit on one of Swift's few cooperative threads.
func standardInput(lines: Bool = false) -> AsyncStream<[UInt8]> {
    let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
    let box = Unmanaged.passRetained(StdinReader(continuation, lines: lines))
    var thread = pthread_t()
    pthread_create(&thread, nil, { arg in
        Unmanaged<StdinReader>.fromOpaque(arg!).takeRetainedValue().run()
        return nil
    }, box.toOpaque())
    pthread_detach(thread)
    return stream
}

final class StdinReader: @unchecked Sendable {
    let continuation: AsyncStream<[UInt8]>.Continuation
    let lines: Bool

    init(_ continuation: AsyncStream<[UInt8]>.Continuation, lines: Bool) {
        self.continuation = continuation
        self.lines = lines
    }

    func run() {
        // 32 KiB chunks: on unixpacket each chunk is one packet, and a peer reading with a
        // smaller buffer would silently lose a packet's tail.
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        var pending: [UInt8] = []
        while case let n = read(0, &buffer, buffer.count), n > 0 {
            guard lines else {
                continuation.yield(Array(buffer[..<n]))
                continue
            }
            pending += buffer[..<n]
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                continuation.yield(Array(pending[...newline]))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { continuation.yield(pending) }
        continuation.finish()
    }
}

func writeToStandardOutput(_ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        if n <= 0 { return }
        offset += n
    }
}

/// Writes a line straight to fd 1 or 2, unbuffered, so whoever waits for it sees it at once.
func writeLine(_ fd: Int32, _ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
