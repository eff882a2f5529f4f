// raw-echo-client: talks to an echo server, written directly against the Syscall layer.
//
//     raw-echo-client [--host 127.0.0.1] [--port 8080] < lines
//
// It connects, then for each line of stdin sends the line (newline included), reads back
// exactly as many bytes and writes them to stdout. At the end of input it half-closes the
// connection (shutdown SHUT_WR sends FIN, so the server sees end of stream) and exits 0.
//
// Try it, with raw-echo-server running:
//     printf 'one\ntwo\n' | swift run raw-echo-client --port PORT
import ArgumentParser
import Glibc
import Syscall

struct RawEchoClient: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw-echo-client",
        abstract: "Send each line of stdin to an echo server and print what comes back.")

    @Option(help: "The server's address: an IPv4 or IPv6 literal, or localhost.")
    var host = "127.0.0.1"

    @Option(help: "The server's port.")
    var port = 8080

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        guard socketAddress(host: host, port: port) != nil else {
            throw ValidationError("--host must be an IP address or localhost, not \(host)")
        }
    }

    func run() {
        let address = socketAddress(host: host, port: port)!
        let family = address is SockaddrInet6 ? Syscall.AF_INET6 : Syscall.AF_INET

        // SOCK_CLOEXEC: a program this process might exec must not inherit the connection.
        let conn = must("socket") { try Syscall.socket(family, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0) }
        must("connect \(address)") { try Syscall.connect(conn, address) }

        // Read stdin in chunks and cut it into lines ourselves: bytes stay bytes (no UTF-8
        // repair as with readLine), and a last line without a newline is sent as it is.
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = must("read stdin") { try Syscall.read(0, &chunk) }
            if n == 0 { break }
            pending += chunk[..<n]
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                roundTrip(conn, Array(pending[...newline]))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { roundTrip(conn, pending) }

        // End of input: tell the server we are done writing. It reads end of stream and
        // closes its side; nothing more is coming back that we need to wait for.
        must("shutdown") { try Syscall.shutdown(conn, Syscall.SHUT_WR) }
        try? Syscall.close(conn)
    }
}

/// Sends `line`, reads back exactly `line.count` bytes and writes them to stdout.
func roundTrip(_ conn: Int32, _ line: [UInt8]) {
    // send with MSG_NOSIGNAL, not write: if the server has gone away, write would raise
    // SIGPIPE and kill us silently; send reports EPIPE, which we print.
    var sent = 0
    while sent < line.count {
        sent += must("write") { try Syscall.send(conn, Array(line[sent...]), Syscall.MSG_NOSIGNAL) }
    }
    // A stream has no message boundaries: the echo may come back in several pieces.
    var echoed: [UInt8] = []
    while echoed.count < line.count {
        var buffer = [UInt8](repeating: 0, count: line.count - echoed.count)  // never read past the echo
        let n = must("read") { try Syscall.read(conn, &buffer) }
        if n == 0 { fail("read: unexpected EOF") }  // io.ErrUnexpectedEOF's text in Go
        echoed += buffer[..<n]
    }
    writeAll(1, echoed)
}

/// Writes every byte to `fd` (stdout): a pipe may take fewer bytes than offered.
///
/// A plain write(2): if whoever reads our stdout goes away, SIGPIPE ends this program, which
/// is what Go does for fd 1 too, and what `raw-echo-client | head -1` expects.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var written = 0
    while written < bytes.count {
        written += must("write stdout") { try Syscall.write(fd, Array(bytes[written...])) }
    }
}

/// Parses the --host text into an address: "localhost", an IPv4 literal, or an IPv6 literal
/// with or without brackets. inet_pton(3) only converts text to bytes; it makes no system call.
func socketAddress(host: String, port: Int) -> (any Sockaddr)? {
    if host == "localhost" { return SockaddrInet4(port: port, addr: [127, 0, 0, 1]) }
    var v4 = in_addr()
    if inet_pton(Syscall.AF_INET, host, &v4) == 1 {
        return SockaddrInet4(port: port, addr: withUnsafeBytes(of: v4) { Array($0) })
    }
    let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    var v6 = in6_addr()
    if inet_pton(Syscall.AF_INET6, bare, &v6) == 1 {
        return SockaddrInet6(port: port, addr: withUnsafeBytes(of: v6) { Array($0) })
    }
    return nil
}

/// Runs one step; on error prints "raw-echo-client: WHAT: ERROR" and exits 1.
@discardableResult
func must<T>(_ what: @autoclosure () -> String, _ body: () throws -> T) -> T {
    do {
        return try body()
    } catch {
        fail("\(what()): \(error)")
    }
}

/// Prints a Go-style error to stderr and exits 1.
func fail(_ message: String) -> Never {
    _ = try? Syscall.write(2, Array("raw-echo-client: \(message)\n".utf8))
    exit(1)
}

RawEchoClient.main()
